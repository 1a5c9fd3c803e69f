// Minibatches as typed arrays: rows of a split gathered in a given order, converted to the dtype the
// model reads (an mlp reads integer inputs such as modular_addition's tokens as numbers).
import type { Split } from '../datasets/index.ts';

export type RowData = Float32Array | Int32Array;

/** Rows `rows` of a row-major array with `width` values per row, as `dtype`. */
export function gatherRows(source: RowData, width: number, rows: ArrayLike<number>, dtype: 'float32' | 'int32'): RowData {
  const out = dtype === 'float32' ? new Float32Array(rows.length * width) : new Int32Array(rows.length * width);
  const sameType = (dtype === 'float32') === (source instanceof Float32Array);
  for (let i = 0; i < rows.length; i++) {
    const from = rows[i]! * width;
    if (sameType) out.set(source.subarray(from, from + width), i * width);
    else for (let j = 0; j < width; j++) out[i * width + j] = source[from + j]!;
  }
  return out;
}

/** Values per example of a split's inputs and targets. */
export function rowWidths(split: Split): { x: number; y: number } {
  return { x: split.x.length / split.n, y: split.y.length / split.n };
}

/** The dtype of a split's targets: class ids and next tokens are int32, regression targets float32. */
export function targetDtype(split: Split): 'float32' | 'int32' {
  return split.y instanceof Int32Array ? 'int32' : 'float32';
}
