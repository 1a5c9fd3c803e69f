// WebAssembly modules written byte by byte: the encodings the project's SIMD loops use (a few
// hundred bytes each: no toolchain, nothing to download), and the members of the WebAssembly API
// they need (the project's TypeScript libraries carry no WebAssembly declarations). In core because
// both the layers' kernels (stdlib/nn/kernels) and the wasm backend's fixes (runtime/backends/kernels)
// write such loops.

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

/** Signed LEB128 (the encoding of i32.const). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

const simd = (opcode: number) => [0xfd, ...uleb(opcode)];

export const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, depth],
  brIf: (depth: number) => [0x0d, depth],
  get: (local: number) => [0x20, ...uleb(local)],
  set: (local: number) => [0x21, ...uleb(local)],
  i32: (value: number) => [0x41, ...sleb(value)],
  i32Load: [0x28, 2, 0],
  /** i32.load at a constant byte offset from the address on the stack. */
  i32LoadAt: (offset: number) => [0x28, 2, ...uleb(offset)],
  f32Load: [0x2a, 2, 0],
  f32Store: [0x38, 2, 0],
  i32Add: [0x6a],
  i32Mul: [0x6c],
  i32LtU: [0x49],
  i32Shl: [0x74],
  i32GeU: [0x4f],
  i32GtU: [0x4b],
  f32Add: [0x92],
  f32Mul: [0x94],
  /** memory.fill(dst, byte, count): the bulk-memory instruction, a native memset. */
  memoryFill: [0xfc, 0x0b, 0x00],
  /** f32.const. */
  f32Const: (value: number) => [0x43, ...Array.from(new Uint8Array(Float32Array.of(value).buffer))],
  v128Load: [...simd(0x00), 0, 0],
  v128Store: [...simd(0x0b), 0, 0],
  v128LoadAt: (offset: number) => [...simd(0x00), 0, ...uleb(offset)],
  v128StoreAt: (offset: number) => [...simd(0x0b), 0, ...uleb(offset)],
  v128Zero: [...simd(0x0c), ...new Array(16).fill(0)],
  /** i8x16.shuffle by 32-bit lanes: lanes 0–3 pick from the first operand, 4–7 from the second. */
  shuffle32: (lanes: readonly [number, number, number, number]) => [...simd(0x0d), ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])],
  f32x4Splat: simd(0x13),
  /** v128.const of four equal f32 lanes. */
  f32x4Const: (value: number) => {
    const lane = Array.from(new Uint8Array(Float32Array.of(value).buffer));
    return [...simd(0x0c), ...lane, ...lane, ...lane, ...lane];
  },
  f32x4Lane: (lane: number) => [...simd(0x1f), lane],
  f32x4Sqrt: simd(0xe3),
  f32x4Add: simd(0xe4),
  f32x4Sub: simd(0xe5),
  f32x4Mul: simd(0xe6),
  f32x4Div: simd(0xe7),
  i32Sub: [0x6b],
  i32Eqz: [0x45],
  i32LtS: [0x48],
  i32GtS: [0x4a],
  i32GeS: [0x4e],
  i32And: [0x71],
  i32Or: [0x72],
  /** select(a, b, c): a if c ≠ 0, else b. */
  select: [0x1b],
  f32Eq: [0x5b],
  f32Ne: [0x5c],
  f32Gt: [0x5e],
  /** v128.const of four i32 lanes. */
  i32x4Const: (lanes: readonly [number, number, number, number]) => [...simd(0x0c), ...lanes.flatMap((v) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff])],
  i32x4Splat: simd(0x11),
  i32x4Lane: (lane: number) => [...simd(0x1b), lane],
  i32x4Add: simd(0xae),
  f32x4Eq: simd(0x41),
  f32x4Ne: simd(0x42),
  f32x4Gt: simd(0x44),
  v128And: simd(0x4e),
  v128Or: simd(0x50),
  /** bitselect(a, b, mask): a's bits where mask's are set, b's elsewhere. */
  v128Bitselect: simd(0x52),
};

/** local ← local + (the i32 that `by` pushes). */
export const increment = (local: number, by: number[]): number[] => [...op.get(local), ...by, ...op.i32Add, ...op.set(local)];

/** while (local < limit, unsigned) { body }: the body advances local. */
export const whileBelow = (local: number, limit: number[], body: number[]): number[] => [
  ...op.block, ...op.loop,
  ...op.get(local), ...limit, ...op.i32GeU, ...op.brIf(1),
  ...body,
  ...op.br(0), ...op.end, ...op.end,
];

export function section(id: number, contents: number[]): number[] {
  return [id, ...uleb(contents.length), ...contents];
}

export const name = (text: string) => [...uleb(text.length), ...Array.from(text, (c) => c.charCodeAt(0))];

/** A function body: its locals as [count, type] groups, then the code. */
export function functionCode(locals: readonly (readonly [number, number])[], body: number[]): number[] {
  const code = [...uleb(locals.length), ...locals.flatMap(([count, type]) => [...uleb(count), type]), ...body, ...op.end];
  return [...uleb(code.length), ...code];
}

/**
 * A module of functions sharing one signature `params → ()` that imports its memory as env.memory
 * (shared memories, as the threaded wasm backend's, must be imported as shared, with a maximum).
 */
export function moduleBytes(params: readonly number[], functions: readonly { name: string; code: number[] }[], sharedMemory = false): Uint8Array {
  const signature = [0x60, ...uleb(params.length), ...params, 0];
  const memory = sharedMemory ? [0x03, 1, ...uleb(65536)] : [0x00, 1];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, ...signature]),
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, ...memory]),
    ...section(3, [...uleb(functions.length), ...functions.map(() => 0)]),
    ...section(7, [...uleb(functions.length), ...functions.flatMap((f, i) => [...name(f.name), 0x00, ...uleb(i)])]),
    ...section(10, [...uleb(functions.length), ...functions.flatMap((f) => f.code)]),
  ]);
}

export interface Memory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

export const webAssembly = (globalThis as unknown as {
  WebAssembly: {
    Module: (new (bytes: Uint8Array) => object) & { exports(module: object): { name: string }[] };
    Instance: new (module: object, imports: object) => { exports: object };
    Memory: new (descriptor: { initial: number }) => Memory;
  };
}).WebAssembly;

/** Grows `memory` to at least `bytes`. */
export function ensureBytes(memory: Memory, bytes: number): void {
  const pages = Math.ceil(bytes / 65536) - memory.buffer.byteLength / 65536;
  if (pages > 0) memory.grow(pages);
}

const modules = new Map<string, object>();
const instances = new WeakMap<Memory, Map<string, object>>();

/** Module `key` compiled for a shared or an own memory: `build(shared)` makes its bytes, compiled once. */
export function compiledModule(key: string, build: (sharedMemory: boolean) => Uint8Array, shared: boolean): object {
  const moduleKey = `${shared ? 'shared' : 'own'}|${key}`;
  let compiled = modules.get(moduleKey);
  if (!compiled) modules.set(moduleKey, (compiled = new webAssembly.Module(build(shared))));
  return compiled;
}

/**
 * The exports of module `key` instantiated on `memory`: `build(shared)` makes its bytes (compiled
 * once per key and kind of memory); one instance per memory, so that a loop reads the memory's
 * current buffer however it has grown.
 */
export function instanceOn<Exports extends object>(memory: Memory, key: string, build: (sharedMemory: boolean) => Uint8Array): Exports {
  let perMemory = instances.get(memory);
  if (!perMemory) instances.set(memory, (perMemory = new Map()));
  const known = perMemory.get(key);
  if (known) return known as Exports;
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const compiled = compiledModule(key, build, shared);
  const exports = new webAssembly.Instance(compiled, { env: { memory } }).exports;
  perMemory.set(key, exports);
  return exports as Exports;
}
