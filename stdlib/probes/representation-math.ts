// Hidden representations as plain float64 matrices, and what the representation probes (cka,
// unit_roles) do to them before comparing: no tensors here, so the probes' modules load without a
// backend.

/** One hidden layer on N probe inputs: row-major [rows, units]. */
export interface Representation {
  rows: number;
  units: number;
  values: Float64Array;
}

/** Units whose value is the same on every input (a dead ReLU): they carry nothing to compare. */
export function constantUnits(r: Representation): boolean[] {
  const { rows, units, values } = r;
  return Array.from({ length: units }, (_, u) => {
    for (let i = 1; i < rows; i++) if (values[i * units + u] !== values[u]) return false;
    return true;
  });
}

/** Each unit's mean over the rows, subtracted (a copy); constant units become exactly 0, not rounding residue. */
export function centeredColumns(r: Representation): Representation {
  const { rows, units, values } = r;
  const constant = constantUnits(r);
  const sum = new Float64Array(units);
  for (let i = 0; i < rows; i++) for (let u = 0; u < units; u++) sum[u]! += values[i * units + u]!;
  const out = new Float64Array(values.length);
  for (let i = 0; i < rows; i++) {
    for (let u = 0; u < units; u++) out[i * units + u] = constant[u] ? 0 : values[i * units + u]! - sum[u]! / rows;
  }
  return { rows, units, values: out };
}

/** XᵀY [x.units, y.units] of two representations on the same rows. */
export function crossProduct(x: Representation, y: Representation): Float64Array {
  if (x.rows !== y.rows) throw new Error(`representations on ${x.rows} and ${y.rows} inputs cannot be compared`);
  const p = x.units;
  const q = y.units;
  const out = new Float64Array(p * q);
  for (let r = 0; r < x.rows; r++) {
    const xr = x.values.subarray(r * p, (r + 1) * p);
    const yr = y.values.subarray(r * q, (r + 1) * q);
    for (let i = 0; i < p; i++) {
      const xi = xr[i]!;
      // ReLU layers are mostly zeros: skipping them is most of the work saved.
      if (xi === 0) continue;
      const row = i * q;
      for (let j = 0; j < q; j++) out[row + j]! += xi * yr[j]!;
    }
  }
  return out;
}
