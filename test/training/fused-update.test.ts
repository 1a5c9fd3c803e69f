// An optimizer's update is one elementwise formula. Where the backend has the formula kernel (wasm,
// cpu) it runs as one SIMD pass; it must give the bits of the formula's operations run one by one as
// tfjs ops (the way webgpu runs it, and the way every checkpoint in a cache was computed before the
// kernel existed), masked or not, for every optimizer, at sizes that leave a tail of 1–3 elements.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { Json } from '../../core/json.ts';
import { add, evaluateElement, formula, formulaKey, input, mul, scalar, withMask, type Formula } from '../../stdlib/nn/formula.ts';
import { runAsOps, runFormula } from '../../stdlib/nn/formula-run.ts';
import { createOptimizer, readOptimizerConfig, type TensorOptimizer } from '../../stdlib/optimizers/index.ts';
import { createRng } from '../../stdlib/random.ts';
import { useBackend, type Backend } from '../backends/helpers.ts';
import { optimizerDescriptor, optimizerSettings } from './descriptors.ts';

const optimizers = optimizerSettings;

const create = ({ op, ...rest }: { [key: string]: Json }) => createOptimizer(readOptimizerConfig(optimizerDescriptor(op as string, rest)));

/** Seeded values: normal, with exact zeros and a few huge and tiny magnitudes mixed in. */
function values(n: number, purpose: string, kind: 'signed' | 'positive' | 'mask'): Float32Array {
  const rng = createRng(11, `fused-update/${purpose}`);
  return Float32Array.from({ length: n }, (_, i) => {
    if (kind === 'mask') return rng.uniform() < 0.4 ? 1 : 0;
    if (i % 17 === 0) return 0;
    const scale = i % 29 === 0 ? 1e20 : i % 31 === 0 ? 1e-30 : 1;
    const x = rng.normal() * scale;
    return kind === 'positive' ? Math.abs(x) * 1e-3 : x;
  });
}

/** Inputs of an update of `optimizer` for a parameter of `shape`. */
function updateInputs(optimizer: TensorOptimizer, shape: number[], masked: boolean): Record<string, tf.Tensor> {
  const n = shape.reduce((a, b) => a * b, 1);
  const inputs: Record<string, tf.Tensor> = {
    param: tf.tensor(values(n, 'param', 'signed'), shape),
    grad: tf.tensor(values(n, 'grad', 'signed'), shape),
  };
  for (const slot of optimizer.slotNames) inputs[slot] = tf.tensor(values(n, slot, slot === 'v' ? 'positive' : 'signed'), shape);
  if (masked) inputs['mask'] = tf.tensor(values(n, 'mask', 'mask'), shape);
  return inputs;
}

const bitsOf = async (t: tf.Tensor) => new Uint32Array((await t.data() as Float32Array).slice().buffer);

async function assertSameBits(actual: Record<string, tf.Tensor>, expected: Record<string, tf.Tensor>): Promise<void> {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort());
  for (const name of Object.keys(expected)) {
    const [a, e] = [await bitsOf(actual[name]!), await bitsOf(expected[name]!)];
    const differing = a.findIndex((bits, i) => bits !== e[i]);
    assert.equal(differing, -1, `${name}: element ${differing} differs`);
  }
}

for (const backend of ['cpu', 'wasm'] as Backend[]) {
  for (const [label, descriptor] of Object.entries(optimizers)) {
    for (const masked of [false, true]) {
      test(`${label}${masked ? ', masked' : ''}: the fused update on ${backend} has the bits of its operations one by one`, async () => {
        await useBackend(backend);
        const optimizer = await create(descriptor);
        const f = masked ? withMask(optimizer.update, 'mask', ['grad']) : optimizer.update;
        const scalars = optimizer.scalarsAt(1e-3, 5);
        for (const shape of [[784, 30], [101], [7, 13], [3]]) {
          const inputs = updateInputs(optimizer, shape, masked);
          await assertSameBits(runFormula(f, inputs, scalars), runAsOps(f, inputs, scalars));
          tf.dispose(Object.values(inputs));
        }
      });
    }
  }
}

test('a masked update keeps masked weights and slots exactly zero and leaves the rest as unmasked', async () => {
  await useBackend('wasm');
  const optimizer = await create(optimizers['adamw']!);
  const inputs = updateInputs(optimizer, [9, 11], true);
  const slots = { m: inputs['m']!, v: inputs['v']! };
  const masked = optimizer.apply(inputs['param']!, inputs['grad']!, slots, 1e-3, 3, inputs['mask']!);
  const plain = optimizer.apply(inputs['param']!, tf.mul(inputs['grad']!, inputs['mask']!), slots, 1e-3, 3);
  const keep = await inputs['mask']!.data();
  const [w, m, wPlain] = [await masked.param.data(), await masked.slots['m']!.data(), await plain.param.data()];
  keep.forEach((k, i) => {
    if (k === 0) assert.ok(w[i] === 0 && m[i] === 0, `element ${i} is masked but nonzero`);
    else assert.equal(w[i], wPlain[i]);
  });
});

test('the formula at one element, in JavaScript, matches the tensor ops element by element', async () => {
  await useBackend('cpu');
  const optimizer = await create(optimizers['adam with L2']!);
  const f = withMask(optimizer.update, 'mask', ['grad']);
  const scalars = optimizer.scalarsAt(3e-3, 2);
  const inputs = updateInputs(optimizer, [50], true);
  const data = Object.fromEntries(await Promise.all(Object.entries(inputs).map(async ([k, t]) => [k, await t.data()] as const)));
  const expected = runAsOps(f, inputs, scalars);
  const outputs = await Promise.all(f.outputs.map((o) => expected[o.name]!.data()));
  for (let i = 0; i < 50; i++) {
    const got = evaluateElement(f, (name) => data[name]![i]!, scalars);
    got.forEach((value, k) => assert.ok(Object.is(value, outputs[k]![i]), `element ${i}, output ${f.outputs[k]!.name}: ${value} vs ${outputs[k]![i]}`));
  }
});

test('a formula names its inputs and scalars in the order of first use, and its key tells structures apart', () => {
  const x = input('x');
  const f: Formula = formula({ y: add(mul(x, scalar('a')), input('z')) });
  assert.deepEqual(f.inputs, ['x', 'z']);
  assert.deepEqual(f.scalars, ['a']);
  assert.notEqual(formulaKey(f), formulaKey(formula({ y: add(input('z'), mul(x, scalar('a'))) })));
  assert.equal(formulaKey(f), formulaKey(formula({ y: add(mul(input('x'), scalar('a')), input('z')) })));
});

test('a formula run without one of its scalars is an error that names it', async () => {
  await useBackend('cpu');
  const f = formula({ y: mul(input('x'), scalar('rate')) });
  assert.throws(() => runFormula(f, { x: tf.ones([4]) }, {}), /scalar 'rate' has no value/);
});
