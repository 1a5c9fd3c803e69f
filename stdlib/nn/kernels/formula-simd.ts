// An elementwise formula (../formula.ts) as one WebAssembly SIMD loop: four float32 lanes at a time,
// each operation one f32x4 instruction (correctly rounded, as the formula requires), every input read
// once and every output written once per element. Optimizer updates are memory-bound strings of a
// dozen elementwise ops; as one pass they cost one read of their inputs instead of one per op.
//
// The loop runs over whole vectors only (`bytes`, a multiple of 16): the caller finishes a tail of
// fewer than four elements (formula-kernel.ts) or pads it.
import { formulaKey, nodesOf, type Expr, type Formula } from '../formula.ts';
import { F32, functionCode, I32, instanceOn, moduleBytes, op, V128, type Memory } from '../../../core/wasm-bytes.ts';

/** run(inputPointers..., outputPointers..., bytes, scalars...): byte addresses in the memory. */
export type FormulaLoop = (...args: number[]) => void;

const binaryOps = { add: op.f32x4Add, sub: op.f32x4Sub, mul: op.f32x4Mul, div: op.f32x4Div } as const;

function loopCode(f: Formula): number[] {
  const inputs = f.inputs.length;
  const outputs = f.outputs.length;
  const bytesParam = inputs + outputs;
  const firstScalar = bytesParam + 1;
  const offset = firstScalar + f.scalars.length;
  const splat = (j: number) => offset + 1 + j;
  const nodes = nodesOf(f.outputs.map((o) => o.value));
  const local = new Map<Expr, number>();
  let next = splat(f.scalars.length);
  for (const node of nodes) local.set(node, node.kind === 'scalar' ? splat(f.scalars.indexOf(node.name)) : next++);
  const at = (pointer: number) => [...op.get(pointer), ...op.get(offset), ...op.i32Add];

  const prologue = f.scalars.flatMap((_, j) => [...op.get(firstScalar + j), ...op.f32x4Splat, ...op.set(splat(j))]);
  const perVector = nodes.flatMap((node): number[] => {
    switch (node.kind) {
      case 'scalar':
        return [];
      case 'input':
        return [...at(f.inputs.indexOf(node.name)), ...op.v128Load, ...op.set(local.get(node)!)];
      case 'sqrt':
        return [...op.get(local.get(node.a)!), ...op.f32x4Sqrt, ...op.set(local.get(node)!)];
      case 'binary':
        return [...op.get(local.get(node.a)!), ...op.get(local.get(node.b)!), ...binaryOps[node.op], ...op.set(local.get(node)!)];
    }
  });
  const stores = f.outputs.flatMap((o, k) => [...at(inputs + k), ...op.get(local.get(o.value)!), ...op.v128Store]);
  const body = [
    ...prologue,
    ...op.block, ...op.loop,
    ...op.get(offset), ...op.get(bytesParam), ...op.i32GeU, ...op.brIf(1),
    ...perVector,
    ...stores,
    ...op.get(offset), ...op.i32(16), ...op.i32Add, ...op.set(offset),
    ...op.br(0), ...op.end, ...op.end,
  ];
  const vectors = next - (offset + 1);
  return functionCode([[1, I32], [vectors, V128]], body);
}

function loopModule(f: Formula, shared: boolean): Uint8Array {
  const params = [...new Array(f.inputs.length + f.outputs.length + 1).fill(I32), ...new Array(f.scalars.length).fill(F32)];
  return moduleBytes(params, [{ name: 'run', code: loopCode(f) }], shared);
}

/** The formula's loop over `memory` (compiled once per formula, instantiated once per memory). */
export function formulaLoop(f: Formula, memory: Memory): FormulaLoop {
  return instanceOn<{ run: FormulaLoop }>(memory, `formula|${formulaKey(f)}`, (shared) => loopModule(f, shared)).run;
}
