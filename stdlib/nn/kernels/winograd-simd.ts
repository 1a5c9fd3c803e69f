// The tile transforms of Winograd's F(4×4, 3×3) convolution (winograd-conv.ts) as WebAssembly SIMD
// loops on the backend's heap, built here byte by byte.
//
// Every transform maps a p×p tile D to the q×q tile L·D·Lᵀ for a constant q×p matrix L, once per
// tile and per 4 channels (one v128 holds 4 channels of NHWC data, so channel counts are multiples
// of 4). Which tile goes where is the caller's: for tile t, element k of D is read at
// inTable[t·p² + k] + (channel byte offset) and element k of the result written at
// outTable[t·q² + k] + (channel byte offset). Pixel tables point off-image reads at a zero row and
// off-image writes at a scrap row, so the loops need no bounds checks. A result is stored, or added
// to what is there (the input transform's adjoint, whose tiles overlap).
//
// The matrices are Lavin & Gray's (2016) for the points 0, ±1, ±2, ∞: Y = Aᵀ[(G·g·Gᵀ) ⊙ (Bᵀ·d·B)]A
// for a 6×6 input tile d, a 3×3 filter g and a 4×4 output tile Y (a correlation, as conv layers
// compute). The other three transforms are the adjoints the gradients need.
import type { LoopModule } from '../../../core/loop-threads.ts';
import { functionCode, I32, increment as add, moduleBytes, op, V128, whileBelow } from '../../../core/wasm-bytes.ts';

type Matrix = readonly (readonly number[])[];

export const BT: Matrix = [
  [4, 0, -5, 0, 1, 0],
  [0, -4, -4, 1, 1, 0],
  [0, 4, -4, -1, 1, 0],
  [0, -2, -1, 2, 1, 0],
  [0, 2, -1, -2, 1, 0],
  [0, 4, 0, -5, 0, 1],
];
export const G: Matrix = [
  [1 / 4, 0, 0],
  [-1 / 6, -1 / 6, -1 / 6],
  [-1 / 6, 1 / 6, -1 / 6],
  [1 / 24, 1 / 12, 1 / 6],
  [1 / 24, -1 / 12, 1 / 6],
  [0, 0, 1],
];
export const AT: Matrix = [
  [1, 1, 1, 1, 1, 0],
  [0, 1, -1, 2, -2, 0],
  [0, 1, 1, 4, 4, 0],
  [0, 1, -1, 8, -8, 1],
];

export const transpose = (m: Matrix): Matrix => m[0]!.map((_, j) => m.map((row) => row[j]!));

/** The loops, each L·D·Lᵀ for its L. */
export const TRANSFORMS = {
  /** 6×6 input tile → its 36 Winograd coordinates: Bᵀ·d·B. */
  input: { matrix: BT, accumulate: false, bias: false },
  /** 3×3 filter → 6×6: G·g·Gᵀ. */
  filter: { matrix: G, accumulate: false, bias: false },
  /** 6×6 products → 4×4 output tile (+ bias): Aᵀ·m·A. */
  output: { matrix: AT, accumulate: false, bias: true },
  /** The output transform's adjoint, 4×4 dy tile → 6×6: A·dy·Aᵀ. */
  outputAdjoint: { matrix: transpose(AT), accumulate: false, bias: false },
  /** The input transform's adjoint, 6×6 → 6×6 added into the overlapping input gradient: B·dv·Bᵀ. */
  inputAdjoint: { matrix: transpose(BT), accumulate: true, bias: false },
  /** The filter transform's adjoint, 6×6 → 3×3: Gᵀ·du·G. */
  filterAdjoint: { matrix: transpose(G), accumulate: false, bias: false },
} as const;

export type TransformName = keyof typeof TRANSFORMS;
export const TRANSFORM_NAMES = Object.keys(TRANSFORMS) as TransformName[];

/** Side length of a transform's input and output tiles. */
export function tileSizes(name: TransformName): { p: number; q: number } {
  const m = TRANSFORMS[name].matrix;
  return { p: m[0]!.length, q: m.length };
}

// Parameters: the two address tables, the tiles, the channels' bytes (a multiple of 16), the bias's
// address (read by the output transform only).
const [IN_TABLE, OUT_TABLE, TILES, CHANNEL_BYTES, BIAS] = [0, 1, 2, 3, 4];
const PARAMS = 5;

/** Pushes Σ coefficient·vector for the nonzero coefficients, a zero vector if there are none. */
function combination(terms: readonly (readonly [number, number])[]): number[] {
  const used = terms.filter(([coefficient]) => coefficient !== 0);
  if (used.length === 0) return op.v128Zero;
  // Start from a term that needs no multiply, if there is one.
  const first = used.findIndex(([coefficient]) => coefficient === 1);
  const ordered = first > 0 ? [used[first]!, ...used.filter((_, i) => i !== first)] : used;
  const code: number[] = [];
  ordered.forEach(([coefficient, local], i) => {
    const magnitude = Math.abs(coefficient);
    const scaled = magnitude === 1 ? op.get(local) : [...op.get(local), ...op.f32x4Const(magnitude), ...op.f32x4Mul];
    if (i === 0) code.push(...(coefficient > 0 ? scaled : [...op.v128Zero, ...scaled, ...op.f32x4Sub]));
    else code.push(...scaled, ...(coefficient > 0 ? op.f32x4Add : op.f32x4Sub));
  });
  return code;
}

function transformCode(name: TransformName): number[] {
  const { matrix: l, accumulate, bias } = TRANSFORMS[name];
  const { p, q } = tileSizes(name);
  const [T, C, IN_ROW, OUT_ROW, ADDRESS] = [PARAMS, PARAMS + 1, PARAMS + 2, PARAMS + 3, PARAMS + 4];
  const I32_LOCALS = 5;
  // v128 locals: one column of D, then the q×p half-transformed tile, then the bias.
  const column = (k: number) => PARAMS + I32_LOCALS + k;
  const half = (i: number, j: number) => PARAMS + I32_LOCALS + p + i * p + j;
  const BIAS_VECTOR = PARAMS + I32_LOCALS + p + q * p;
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);

  const perChannels = [
    ...(bias ? [...op.get(BIAS), ...op.get(C), ...op.i32Add, ...op.v128Load, ...op.set(BIAS_VECTOR)] : []),
    // half = L·D, a column of D at a time
    ...range(p).flatMap((j) => [
      ...range(p).flatMap((k) => [...op.get(IN_ROW), ...op.i32LoadAt(4 * (k * p + j)), ...op.get(C), ...op.i32Add, ...op.v128Load, ...op.set(column(k))]),
      ...range(q).flatMap((i) => [...combination(range(p).map((k) => [l[i]![k]!, column(k)] as const)), ...op.set(half(i, j))]),
    ]),
    // result = half·Lᵀ, stored (or added) element by element
    ...range(q).flatMap((i) =>
      range(q).flatMap((j) => [
        ...op.get(OUT_ROW), ...op.i32LoadAt(4 * (i * q + j)), ...op.get(C), ...op.i32Add, ...op.set(ADDRESS),
        ...op.get(ADDRESS),
        ...combination(range(p).map((k) => [l[j]![k]!, half(i, k)] as const)),
        ...(bias ? [...op.get(BIAS_VECTOR), ...op.f32x4Add] : []),
        ...(accumulate ? [...op.get(ADDRESS), ...op.v128Load, ...op.f32x4Add] : []),
        ...op.v128Store,
      ]),
    ),
    ...add(C, op.i32(16)),
  ];
  return functionCode([[I32_LOCALS, I32], [p + q * p + 1, V128]], [
    ...op.get(IN_TABLE), ...op.set(IN_ROW),
    ...op.get(OUT_TABLE), ...op.set(OUT_ROW),
    ...op.i32(0), ...op.set(T),
    ...whileBelow(T, op.get(TILES), [
      ...op.i32(0), ...op.set(C),
      ...whileBelow(C, op.get(CHANNEL_BYTES), perChannels),
      ...add(IN_ROW, op.i32(4 * p * p)),
      ...add(OUT_ROW, op.i32(4 * q * q)),
      ...add(T, op.i32(1)),
    ]),
  ]);
}

function transformsModule(shared: boolean): Uint8Array {
  return moduleBytes(
    new Array(PARAMS).fill(I32),
    TRANSFORM_NAMES.map((name) => ({ name, code: transformCode(name) })),
    shared,
  );
}

/**
 * The loops, one function per transform (its name), each taking (inTable, outTable, tiles,
 * channelBytes, bias), for core/loop-threads.ts's runLoopCalls.
 */
export const WINOGRAD_TRANSFORMS: LoopModule = { key: 'winograd', build: transformsModule };
