// dst[run] += src[run] for a table of runs of floats, in table order, as one WebAssembly SIMD loop on
// the wasm backend's heap (built byte by byte): moves between layouts whose pieces are contiguous runs
// in both. Users: the scatter-add of a conv's column matrix back into the image (stdlib's
// conv-columns.ts: a run is one kernel row of one pixel's patch; runs overlap in the image and are
// added in order, so the sums are the same on every call) and the conv weight gradient's dy grid
// (runtime/backends' conv2d-backprop-filter.ts: a run is one pixel's channels, added into zeros: a
// copy). In core because both folders use it.
import type { LoopModule } from './loop-threads.ts';
import { functionCode, I32, increment as add, instanceOn, moduleBytes, op, whileBelow, type Memory } from './wasm-bytes.ts';

// Parameters: the run table (per run: destination and source byte offsets, length in floats), the
// number of runs, and the destination's and the source's byte addresses (the offsets count from them,
// so a table depends on shapes alone and can be reused).
const [TABLE, RUNS, DST_BASE, SRC_BASE] = [0, 1, 2, 3];
const PARAMS = 4;

function runAddCode(): number[] {
  const [DST_OFFSET, SRC_OFFSET] = [0, 4];
  const [R, ENTRY, DST, SRC, BYTES, I] = [PARAMS, PARAMS + 1, PARAMS + 2, PARAMS + 3, PARAMS + 4, PARAMS + 5];
  const at = (base: number, offset: number[]) => [...op.get(base), ...op.get(I), ...op.i32Add, ...offset];
  return functionCode([[6, I32]], [
    ...op.get(TABLE), ...op.set(ENTRY),
    ...op.i32(0), ...op.set(R),
    ...whileBelow(R, op.get(RUNS), [
      ...op.get(ENTRY), ...op.i32LoadAt(DST_OFFSET), ...op.get(DST_BASE), ...op.i32Add, ...op.set(DST),
      ...op.get(ENTRY), ...op.i32LoadAt(SRC_OFFSET), ...op.get(SRC_BASE), ...op.i32Add, ...op.set(SRC),
      ...op.get(ENTRY), ...op.i32LoadAt(8), ...op.i32(2), ...op.i32Shl, ...op.set(BYTES),
      ...op.i32(0), ...op.set(I),
      // while (i + 16 <= bytes): four floats at a time
      ...op.block, ...op.loop,
      ...op.get(I), ...op.i32(16), ...op.i32Add, ...op.get(BYTES), ...op.i32GtU, ...op.brIf(1),
      ...at(DST, []), ...at(DST, op.v128Load), ...at(SRC, op.v128Load), ...op.f32x4Add, ...op.v128Store,
      ...add(I, op.i32(16)),
      ...op.br(0), ...op.end, ...op.end,
      // the rest one at a time
      ...whileBelow(I, op.get(BYTES), [
        ...at(DST, []), ...at(DST, op.f32Load), ...at(SRC, op.f32Load), ...op.f32Add, ...op.f32Store,
        ...add(I, op.i32(4)),
      ]),
      ...add(ENTRY, op.i32(12)),
      ...add(R, op.i32(1)),
    ]),
  ]);
}

function runAddModule(shared: boolean): Uint8Array {
  return moduleBytes(new Array(PARAMS).fill(I32), [{ name: 'runAdd', code: runAddCode() }], shared);
}

export type RunAddLoop = (table: number, runs: number, dst: number, src: number) => void;

/** The module, for core/loop-threads.ts's runLoopCalls (its function: 'runAdd'). */
export const RUN_ADD: LoopModule = { key: 'run-add', build: runAddModule };

/** The loop on `memory` (compiled once, instantiated once per memory). */
export function runAddLoop(memory: Memory): RunAddLoop {
  return instanceOn<{ runAdd: RunAddLoop }>(memory, RUN_ADD.key, RUN_ADD.build).runAdd;
}
