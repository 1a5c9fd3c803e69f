import { initBackend } from '/work/main/runtime/backends/select.ts';
import { implementationFor } from '/work/main/runtime/ops/registry.ts';
import { DataCache } from '/work/main/runtime/data-cache.ts';
import type { Stage } from '/work/main/compiler/stages.ts';
import type { Checkpoint } from '/work/main/runtime/artifacts.ts';
import * as tf from '@tensorflow/tfjs-core';
await initBackend((process.argv[2] ?? 'wasm') as 'wasm');
const ctx = { programDir: '/work/main/examples', signal: new AbortController().signal, progress: () => {}, data: new DataCache() };
const st = (op: string, params: any): Stage => ({ key: op, kind: 'train', op, version: 1, params, inputs: {}, name: op, names: [op], origin: undefined as never });
const run = (op: string, params: any, inputs: any = {}) => implementationFor(st(op, params))(st(op, params), inputs, ctx);
const adam = { op: 'adamw', version: 1, lr: 0.003, batch: 16, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.01, warmup: 5, decay: { op: 'cosine', version: 1, final: 0 } };
const cases: [any, any][] = [
  [{ op: 'transformer', version: 1, params: { vocab: 96, context: 32, width: 32, heads: 4, layers: 1, mlp_ratio: 4 } }, { op: 'text', version: 1, params: { path: '../data/gpl-3.txt', context: 32, test: 0.1 } }],
  [{ op: 'resnet', version: 1, params: { depth: 8, width: 4, input: [8, 8, 1], classes: 10 } }, { op: 'digits', version: 1, params: { test: 0.2, seed: 0 } }],
  [{ op: 'conv', version: 1, params: { input: [8, 8, 1], channels: [[8], [8]], kernel: 3, hidden: [32], classes: 10, activation: 'relu' } }, { op: 'digits', version: 1, params: { test: 0.2, seed: 0 } }],
  [{ op: 'lenet5', version: 1, params: { input: [16, 16, 1], classes: 10 } }, { op: 'digits', version: 1, params: { test: 0.2, seed: 0 } }],
];
for (const [model, dataset] of cases) {
  try {
    const init = await run('init', { model, scheme: 'kaiming_normal', seed: 0 }) as Checkpoint;
    const before = await run('loss', { on: { dataset, split: 'test' } }, { x: init });
    const s = performance.now();
    const t = await run('train', { model, data: { dataset, split: 'train' }, optimizer: adam, steps: 60, order: 0, from: 0, to: 60 }, { start: init }) as Checkpoint;
    const ms = performance.now() - s;
    const after = await run('accuracy', { on: { dataset, split: 'test' } }, { x: t });
    const m = await run('magnitude', { rate: 0.5, scope: 'global', skip: [], rates: {} }, { weights: t });
    const sp = await run('sparsity', {}, { x: m });
    console.log(model.op, (60 / ms * 1000).toFixed(1), 'steps/s', JSON.stringify((before as any).metrics), JSON.stringify((after as any).metrics), JSON.stringify((sp as any).metrics), 'tensors', tf.memory().numTensors, [...t.weights.keys()].filter(k => /mean|var/.test(k)).slice(0, 2));
  } catch (e) { console.log(model.op, 'ERROR', e); }
}
