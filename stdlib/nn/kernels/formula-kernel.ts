// The 'LtxFormula' kernel: an elementwise formula (../formula.ts) in one SIMD pass (formula-simd.ts).
//  - wasm: the loop runs on the backend's own memory (the heap its tensors live in), reading the
//    inputs and writing the outputs in place; the last n mod 4 elements are computed one by one in
//    JavaScript with the same float32 roundings.
//  - cpu: the inputs are copied into a memory of the loop's own, padded to whole vectors, and the
//    outputs copied out.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { backendMemory, heapView } from '../../../core/wasm-kernel-calls.ts';
import { evaluateElement, type Formula } from '../formula.ts';
import { formulaLoop } from './formula-simd.ts';
import { ensureBytes, webAssembly, type Memory } from '../../../core/wasm-bytes.ts';

export const FORMULA_KERNEL = 'LtxFormula';

export interface FormulaAttrs {
  formula: Formula;
  /** The formula's scalars, in its order. */
  scalars: number[];
  shape: number[];
}

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: {};
  attrs?: tf.NamedAttrMap;
}

const attrsOf = (args: KernelArgs) => args.attrs as unknown as FormulaAttrs;
const scalarRecord = ({ formula, scalars }: FormulaAttrs) => Object.fromEntries(formula.scalars.map((name, j) => [name, scalars[j]!]));

function wasmFormula(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as BackendWasm;
  const attrs = attrsOf(args);
  const { formula, shape } = attrs;
  const memory = backendMemory(backend);
  if (memory === undefined) throw new Error('the wasm backend does not expose its memory');
  const n = tf.util.sizeFromShape(shape);
  const outputs = formula.outputs.map(() => backend.makeOutput(shape, 'float32'));
  // Views after every allocation: an allocation may grow (and so move) the heap.
  const views = [...formula.inputs.map((name) => args.inputs[name]!), ...outputs].map((info) => heapView(backend, info) as Float32Array);
  const whole = n - (n % 4);
  formulaLoop(formula, memory)(...views.map((v) => v.byteOffset), whole * 4, ...attrs.scalars);
  if (whole < n) {
    const inputViews = views.slice(0, formula.inputs.length);
    const outputViews = views.slice(formula.inputs.length);
    const scalars = scalarRecord(attrs);
    for (let i = whole; i < n; i++) {
      const values = evaluateElement(formula, (name) => inputViews[formula.inputs.indexOf(name)]![i]!, scalars);
      values.forEach((value, k) => { outputViews[k]![i] = value; });
    }
  }
  return outputs;
}

let ownMemory: Memory | undefined;

interface CpuBackend {
  data: { get(dataId: object): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

function cpuFormula(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as CpuBackend;
  const attrs = attrsOf(args);
  const { formula, shape } = attrs;
  const n = tf.util.sizeFromShape(shape);
  const padded = Math.ceil(n / 4) * 4;
  const arrays = formula.inputs.length + formula.outputs.length;
  ownMemory ??= new webAssembly.Memory({ initial: 1 });
  ensureBytes(ownMemory, arrays * padded * 4);
  const heap = new Float32Array(ownMemory.buffer);
  formula.inputs.forEach((name, j) => {
    // A float32 tensor's values may be held in another typed array (a cast of a bool mask keeps its
    // bytes): set() converts them.
    const values = backend.data.get(args.inputs[name]!.dataId).values;
    if (!ArrayBuffer.isView(values)) throw new Error(`the formula's input '${name}' holds no numbers`);
    heap.set(values as unknown as ArrayLike<number>, j * padded);
  });
  // The loop runs over whole vectors: the padding lanes compute on whatever the memory holds, and
  // their results are dropped below (wasm arithmetic does not trap on any value).
  const offsets = Array.from({ length: arrays }, (_, j) => j * padded * 4);
  formulaLoop(formula, ownMemory)(...offsets, padded * 4, ...attrs.scalars);
  return formula.outputs.map((_, k) => {
    const start = (formula.inputs.length + k) * padded;
    return backend.makeTensorInfo(shape, 'float32', heap.slice(start, start + n));
  });
}

export const formulaKernels: readonly tf.KernelConfig[] = [
  { kernelName: FORMULA_KERNEL, backendName: 'wasm', kernelFunc: wasmFormula as unknown as tf.KernelFunc },
  { kernelName: FORMULA_KERNEL, backendName: 'cpu', kernelFunc: cpuFormula as unknown as tf.KernelFunc },
];
