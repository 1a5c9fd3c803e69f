// The WebGPU backend on Dawn: how ltx judges an adapter (software ones are never auto's choice), when
// `auto` does not even load Dawn, how it asks for a device, and, on the adapter this machine has,
// checkpoints resident on the GPU between stages that give their GPU memory back when evicted.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { describeChoice, initBackend } from '../../runtime/backends/select.ts';
import {
  adapterFacts, adapterName, autoRefusal, hasVulkanDriver, missingGpuDevice, requestComputeDevice,
} from '../../runtime/backends/webgpu-node.ts';
import { ResidentArtifacts } from '../../runtime/resident-tensors.ts';
import { initCheckpoint, mlp } from '../training/helpers.ts';
import { webGpuMissing } from './webgpu-helpers.ts';

/** What Dawn reports for mesa's lavapipe (as read on this project's machines) and for an NVIDIA GPU. */
const LAVAPIPE = {
  vendor: 'mesa', architecture: 'software', device: 'llvmpipe-llvm-15-0-6-256-bits-',
  description: 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1', isFallbackAdapter: true,
};
const NVIDIA = { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200', isFallbackAdapter: false };

test('a software adapter is recognized by its fallback flag, its architecture or its name', () => {
  assert.equal(adapterFacts(LAVAPIPE).software, true);
  assert.equal(adapterFacts({ ...LAVAPIPE, isFallbackAdapter: false, architecture: '' }).software, true, 'llvmpipe by name');
  assert.equal(adapterFacts({ description: 'SwiftShader Device (Subzero)' }).software, true);
  assert.equal(adapterFacts(NVIDIA).software, false);
});

test('auto refuses a software adapter and says how to use it anyway; a hardware one it takes', () => {
  assert.equal(
    autoRefusal(adapterFacts(LAVAPIPE)),
    'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1 (software adapter) only: auto never computes on a software adapter (--backend webgpu does)',
  );
  assert.equal(autoRefusal(adapterFacts(NVIDIA)), undefined);
  assert.equal(adapterName(adapterFacts(NVIDIA)), 'NVIDIA H200');
});

test('Dawn is not asked without a Vulkan driver manifest: those the variables list, else the default and XDG folders', () => {
  const root = mkdtempSync(join(tmpdir(), 'ltx-icd-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const [defaults, xdg, listed] = ['etc/vulkan/icd.d', 'xdg/vulkan/icd.d', 'listed'].map((dir) => join(root, dir));
  for (const dir of [defaults, xdg, listed]) mkdirSync(dir, { recursive: true });
  assert.equal(hasVulkanDriver({}, [defaults]), false, 'empty default folder');
  writeFileSync(join(xdg, 'lvp_icd.json'), '{}');
  assert.equal(hasVulkanDriver({ XDG_DATA_DIRS: join(root, 'xdg') }, [defaults]), true, 'a manifest under XDG_DATA_DIRS');
  writeFileSync(join(defaults, 'nvidia_icd.json'), '{}');
  assert.equal(hasVulkanDriver({}, [defaults]), true, 'a manifest in a default folder');
  // A listed file or folder replaces the search, as in the loader.
  const missing = join(root, 'no-such-icd.json');
  assert.equal(hasVulkanDriver({ VK_ICD_FILENAMES: missing, VK_DRIVER_FILES: missing }, [defaults]), false);
  assert.equal(hasVulkanDriver({ VK_DRIVER_FILES: `${missing}:${listed}` }, [defaults]), false, 'a listed folder without manifests');
  writeFileSync(join(listed, 'intel_icd.json'), '{}');
  assert.equal(hasVulkanDriver({ VK_DRIVER_FILES: `${missing}:${listed}` }, [defaults]), true);
  assert.equal(hasVulkanDriver({ VK_ICD_FILENAMES: join(listed, 'intel_icd.json') }, []), true);
});

test('without a GPU device node auto does not load Dawn; an NVIDIA or DRM render node counts', () => {
  const dev = mkdtempSync(join(tmpdir(), 'ltx-dev-'));
  after(() => rmSync(dev, { recursive: true, force: true }));
  assert.equal(missingGpuDevice(dev), `no GPU device: no ${dev}/nvidia0 or ${dev}/dri/renderD*`);
  mkdirSync(join(dev, 'dri'));
  writeFileSync(join(dev, 'dri', 'card0'), '');
  assert.match(missingGpuDevice(dev)!, /no GPU device/, 'a card node without a render node is no compute device');
  writeFileSync(join(dev, 'dri', 'renderD128'), '');
  assert.equal(missingGpuDevice(dev), undefined);
  rmSync(join(dev, 'dri'), { recursive: true });
  writeFileSync(join(dev, 'nvidia0'), '');
  assert.equal(missingGpuDevice(dev), undefined);
});

test('the device is asked for with tfjs\'s raised limits and no optional features; a refusal names the adapter', async () => {
  const asked: unknown[] = [];
  const limits = { maxBufferSize: 1 << 30, maxStorageBufferBindingSize: 1 << 28, maxTextureDimension2D: 8192 };
  const device = {} as GPUDevice;
  const adapter = {
    info: LAVAPIPE, limits, features: new Set(['timestamp-query', 'bgra8unorm-storage']),
    requestDevice: async (descriptor: unknown) => { asked.push(descriptor); return device; },
  };
  assert.equal(await requestComputeDevice(adapter), device);
  assert.deepEqual(asked, [{ requiredFeatures: [], requiredLimits: { maxBufferSize: 1 << 30, maxStorageBufferBindingSize: 1 << 28 } }]);

  const refusing = { ...adapter, requestDevice: async () => { throw new TypeError('Invalid feature required: timestamp-query\n - While validating'); } };
  await assert.rejects(requestComputeDevice(refusing), {
    message: 'Dawn refused a device on llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1 (software adapter): Invalid feature required: timestamp-query',
  });
});

test('nothing ltx computes with reads a tensor synchronously: tfjs\'s webgpu backend cannot in Node', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const offenders: string[] = [];
  for (const dir of ['stdlib', 'runtime', 'core']) {
    for (const file of readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts')) continue;
      readFileSync(join(root, dir, file), 'utf8').split('\n').forEach((line, i) => {
        if (/\.(dataSync|arraySync|bufferSync)\(/.test(line)) offenders.push(`${dir}/${file}:${i + 1}`);
      });
    }
  }
  assert.deepEqual(offenders, []);
});

const skip = webGpuMissing ?? false;

test('webgpu by name: the backend line names Dawn\'s adapter and how each trap is handled', { skip }, async () => {
  const choice = await initBackend('webgpu');
  assert.equal(choice.name, 'webgpu');
  assert.equal(tf.getBackend(), 'webgpu');
  const [line] = describeChoice(choice);
  assert.match(line!, /^webgpu: chosen \(Dawn, .+; navigator\.gpu set before tfjs-backend-webgpu loads \(it registers only then\); no optional device features \(Dawn may refuse those tfjs asks for\); device destroyed at thread end \(a live one keeps Node running\)\)$/);
});

test('webgpu: a resident checkpoint stays on the GPU across leases and gives its GPU memory back when evicted', { skip }, async () => {
  await initBackend('webgpu');
  const forwarding = tf.env().getBool('WEBGPU_CPU_FORWARD');
  // Otherwise tfjs computes ops on tensors this small on the cpu, and nothing would reach the GPU.
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  after(() => tf.env().set('WEBGPU_CPU_FORWARD', forwarding));
  const gpuBytes = () => (tf.memory() as unknown as { numBytesInGPU: number }).numBytesInGPU;
  const init = await initCheckpoint(mlp(6, [8], 3));
  const resident = new ResidentArtifacts(100_000_000);
  resident.artifacts.set('init', init);
  const before = gpuBytes();

  const first = resident.tensors.lease();
  const weights = first.weightsOf(init);
  // A first computation moves the tensors to GPU buffers (tfjs uploads on first use).
  const total = tf.addN(Object.values(weights).map((t) => tf.sum(t)));
  await total.data();
  total.dispose();
  first.end();
  const counted = resident.tensors.stats().bytes;
  assert.equal(counted, (6 * 8 + 8 + 8 * 3 + 3) * 4);
  const onGpu = gpuBytes();
  assert.ok(onGpu - before >= counted, `GPU bytes grew by ${onGpu - before}, the cache counts ${counted}`);

  const second = resident.tensors.lease();
  assert.equal(second.weightsOf(init), weights, 'the same GPU tensors, not a second upload');
  second.end();
  resident.artifacts.delete('init');
  // Exactly its tensors' bytes (tfjs keeps a few bytes of its own in use meanwhile, so not back to `before`).
  assert.equal(onGpu - gpuBytes(), counted, 'evicted: its GPU buffers are released');
  assert.equal(resident.tensors.stats().uploads, 1);
  resident.close();
});
