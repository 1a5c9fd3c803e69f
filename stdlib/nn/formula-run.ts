// Runs an elementwise formula (formula.ts) on tensors. On the wasm and cpu backends it is one kernel,
// 'LtxFormula' (kernels/formula-kernel.ts): a single SIMD pass that reads each input once. Elsewhere
// (webgpu, tensorflow) it is the formula's operations as tfjs ops. The results are the same bits.
import * as tf from '@tensorflow/tfjs-core';
import { nodesOf, scalarValue, type Expr, type Formula } from './formula.ts';
import { FORMULA_KERNEL, formulaKernels, type FormulaAttrs } from './kernels/formula-kernel.ts';

/** The formula's outputs by name; `inputs` are float32 tensors of one shape. */
export function runFormula(f: Formula, inputs: Readonly<Record<string, tf.Tensor>>, scalars: Readonly<Record<string, number>>): Record<string, tf.Tensor> {
  const shape = checkedShape(f, inputs);
  if (formulaKernelOn(tf.getBackend())) {
    const attrs: FormulaAttrs = { formula: f, scalars: f.scalars.map((name) => scalarValue(scalars, name)), shape };
    const outputs = tf.engine().runKernel(FORMULA_KERNEL, Object.fromEntries(f.inputs.map((name) => [name, inputs[name]!])), attrs as unknown as tf.NamedAttrMap) as unknown as tf.Tensor[];
    return Object.fromEntries(f.outputs.map((o, k) => [o.name, outputs[k]!]));
  }
  return runAsOps(f, inputs, scalars);
}

/** The formula as tfjs ops, one per operation (the reference the kernel matches bit for bit). */
export function runAsOps(f: Formula, inputs: Readonly<Record<string, tf.Tensor>>, scalars: Readonly<Record<string, number>>): Record<string, tf.Tensor> {
  return tf.tidy(() => {
    const values = new Map<Expr, tf.Tensor | number>();
    const tensorOf = (node: Expr) => values.get(node)!;
    for (const node of nodesOf(f.outputs.map((o) => o.value))) {
      values.set(node, opValue(node, inputs, scalars, tensorOf));
    }
    return Object.fromEntries(f.outputs.map((o) => {
      const value = values.get(o.value)!;
      if (typeof value === 'number') throw new Error(`the formula's output '${o.name}' does not depend on a tensor`);
      return [o.name, value];
    }));
  });
}

function opValue(
  node: Expr,
  inputs: Readonly<Record<string, tf.Tensor>>,
  scalars: Readonly<Record<string, number>>,
  valueOf: (node: Expr) => tf.Tensor | number,
): tf.Tensor | number {
  switch (node.kind) {
    case 'input':
      return inputs[node.name]!;
    case 'scalar':
      return scalarValue(scalars, node.name);
    case 'sqrt':
      return tf.sqrt(valueOf(node.a));
    case 'binary': {
      const [a, b] = [valueOf(node.a), valueOf(node.b)];
      if (node.op === 'add') return tf.add(a, b);
      if (node.op === 'sub') return tf.sub(a, b);
      if (node.op === 'mul') return tf.mul(a, b);
      return tf.div(a, b);
    }
  }
}

function checkedShape(f: Formula, inputs: Readonly<Record<string, tf.Tensor>>): number[] {
  let shape: number[] | undefined;
  for (const name of f.inputs) {
    const tensor = inputs[name];
    if (tensor === undefined) throw new Error(`the formula's input '${name}' is missing`);
    if (tensor.dtype !== 'float32') throw new Error(`the formula's input '${name}' is ${tensor.dtype}, not float32`);
    if (shape === undefined) shape = tensor.shape;
    else if (!tf.util.arraysEqual(shape, tensor.shape)) throw new Error(`the formula's input '${name}' has shape [${tensor.shape}], not [${shape}]`);
  }
  if (shape === undefined) throw new Error('a formula needs at least one tensor input');
  return shape;
}

const registered = new Set<string>();

function formulaKernelOn(backend: string): boolean {
  const kernel = formulaKernels.find((k) => k.backendName === backend);
  if (kernel === undefined) return false;
  if (!registered.has(backend)) {
    tf.registerKernel(kernel);
    registered.add(backend);
  }
  return true;
}
