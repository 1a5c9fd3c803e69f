import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import {
  BackendUnavailableError,
  describeChoice,
  explainLoadFailure,
  initBackend,
} from '../../runtime/backends/select.ts';
import { wasmKernelFixes } from '../../runtime/backends/wasm-kernels.ts';
import { missingGpuDevice } from '../../runtime/backends/webgpu-node.ts';

function installed(specifier: string): boolean {
  try {
    import.meta.resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

const nativeInstalled = installed('@tensorflow/tfjs-node-gpu') || installed('@tensorflow/tfjs-node');

const gpuHere = missingGpuDevice() === undefined;

test('auto falls through the missing native packages and the absent GPU to wasm and says why', { skip: (nativeInstalled && 'tfjs-node is installed here') || (gpuHere && 'this machine has a GPU device') }, async () => {
  const choice = await initBackend('auto');
  assert.equal(choice.name, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.deepEqual(
    choice.tried.map(({ backend, ok }) => ({ backend, ok })),
    [
      { backend: 'tensorflow-gpu', ok: false },
      { backend: 'webgpu', ok: false },
      { backend: 'tensorflow', ok: false },
      { backend: 'wasm', ok: true },
    ],
  );
  assert.equal(choice.tried[0]!.why, 'not installed');
  assert.equal(choice.tried[1]!.why, 'no GPU device: no /dev/nvidia0 or /dev/dri/renderD*');
  assert.equal(choice.tried[2]!.why, 'not installed');
  assert.match(choice.tried[3]!.why, /SIMD, 1 thread/);
  assert.deepEqual(describeChoice(choice), [
    'tensorflow-gpu: skipped (not installed)',
    'webgpu: skipped (no GPU device: no /dev/nvidia0 or /dev/dri/renderD*)',
    'tensorflow: skipped (not installed)',
    `wasm: chosen (${choice.tried[3]!.why})`,
  ]);
});

test('cpu picks the pure-JS backend without trying others', async () => {
  const choice = await initBackend('cpu');
  assert.deepEqual(choice, { name: 'cpu', tried: [{ backend: 'cpu', ok: true, why: 'pure JavaScript' }] });
  assert.equal(tf.getBackend(), 'cpu');
});

test('tensorflow tries only the native packages and fails when neither loads', { skip: nativeInstalled && 'tfjs-node is installed here' }, async () => {
  await assert.rejects(initBackend('tensorflow'), (error: unknown) => {
    assert.ok(error instanceof BackendUnavailableError);
    assert.deepEqual(
      error.tried.map((t) => t.backend),
      ['tensorflow-gpu', 'tensorflow'],
    );
    assert.match(error.message, /tensorflow-gpu \(not installed\); tensorflow \(not installed\)/);
    return true;
  });
});

test('initBackend can be called again, with the same or another request', async () => {
  const first = await initBackend('wasm');
  const again = await initBackend('wasm');
  assert.deepEqual(again, first);
  await initBackend('cpu');
  assert.equal(tf.getBackend(), 'cpu');
  await initBackend('wasm');
  assert.equal(tf.getBackend(), 'wasm');
  // The backend still computes after the switches.
  assert.deepEqual(Array.from(tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync()), [11]);
});

test('after selection the wasm kernel fixes are registered', async () => {
  await initBackend('cpu');
  for (const fix of wasmKernelFixes) {
    assert.equal(tf.getKernel(fix.kernelName, 'wasm')?.kernelFunc, fix.kernelFunc, fix.kernelName);
  }
});

test('a missing package is "not installed"; any other load error is reported by its first line', () => {
  const missing = Object.assign(
    new Error("Cannot find package '@tensorflow/tfjs-node' imported from /x/select.ts"),
    { code: 'ERR_MODULE_NOT_FOUND' },
  );
  assert.equal(explainLoadFailure('@tensorflow/tfjs-node', missing), 'not installed');
  const broken = Object.assign(
    new Error("Cannot find module '/x/lib/napi-v8/tfjs_binding.node'\nRequire stack:\n- /x/index.js"),
    { code: 'MODULE_NOT_FOUND' },
  );
  assert.equal(explainLoadFailure('@tensorflow/tfjs-node', broken), "Cannot find module '/x/lib/napi-v8/tfjs_binding.node'");
  assert.equal(
    explainLoadFailure('@tensorflow/tfjs-node-gpu', new Error('libcudart.so.11.0: cannot open shared object file')),
    'libcudart.so.11.0: cannot open shared object file',
  );
});
