// Byte pixels to floats in [0, 1], through a table: one division per possible value, not per pixel.

const scaleTables = new Map<number, Float32Array>();

function scaleTable(maxValue: number): Float32Array {
  let table = scaleTables.get(maxValue);
  if (!table) {
    table = new Float32Array(256);
    for (let v = 0; v < 256; v++) table[v] = v / maxValue;
    scaleTables.set(maxValue, table);
  }
  return table;
}

/** out[i] = bytes[i] / maxValue (maxValue 255 for 8-bit images). */
export function scaleBytes(bytes: Uint8Array, maxValue: number, out = new Float32Array(bytes.length)): Float32Array {
  const table = scaleTable(maxValue);
  for (let i = 0; i < bytes.length; i++) out[i] = table[bytes[i]!]!;
  return out;
}
