// Starting tfjs's WebGPU backend under Node on Dawn (the `webgpu` package: Dawn's Node bindings, which
// reach the GPU through Vulkan on Linux). Three traps, each handled here and named in the backend line:
// - tfjs-backend-webgpu registers its backend only if `navigator.gpu` exists when it is imported, so
//   ltx installs Dawn's `navigator.gpu` first and registers the backend itself, whatever the order.
// - tfjs's own device request asks for every optional feature the adapter lists (timestamp-query,
//   bgra8unorm-storage, the latter as a nested array), which a Dawn build may refuse; ltx needs none of
//   them, so it asks for none and keeps only tfjs's raised limits.
// - a live Dawn device can keep Node from exiting; closeWebGpu() destroys it when the thread is done.
import { existsSync, readdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { explainLoadFailure } from './load-failure.ts';

/** What the adapter says about itself (GPUAdapterInfo), and whether it is a software rasterizer. */
export interface AdapterFacts {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  software: boolean;
}

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

const SOFTWARE_NAMES = /llvmpipe|lavapipe|swiftshader|softpipe|\bwarp\b|software/i;

/** Software adapters (mesa's lavapipe, SwiftShader): Dawn marks them as fallback adapters, their names say so too. */
export function adapterFacts(info: AdapterInfoLike): AdapterFacts {
  const vendor = info.vendor ?? '';
  const architecture = info.architecture ?? '';
  const device = info.device ?? '';
  const description = info.description ?? '';
  const software = info.isFallbackAdapter === true || architecture === 'software' ||
    SOFTWARE_NAMES.test(`${device} ${description}`);
  return { vendor, architecture, device, description, software };
}

/** "llvmpipe: Mesa 25.0.7 (LLVM 15.0.6), mesa, software adapter" */
export function adapterName(facts: AdapterFacts): string {
  const name = facts.description || facts.device || 'unnamed adapter';
  const vendor = facts.vendor && !name.toLowerCase().includes(facts.vendor.toLowerCase()) ? `${facts.vendor} ` : '';
  return `${vendor}${name}${facts.software ? ' (software adapter)' : ''}`;
}

/** Why `auto` does not compute on this adapter (a software one), or undefined when it may. */
export function autoRefusal(facts: AdapterFacts): string | undefined {
  return facts.software ? `${adapterName(facts)} only: auto never computes on a software adapter (--backend webgpu does)` : undefined;
}

/**
 * Device nodes through which a hardware GPU is reached on Linux; without one, Dawn can only find a
 * software adapter, so `auto` does not load Dawn at all (which also keeps its driver warnings out of
 * every run's output). Undefined when one exists; otherwise why none counts.
 */
export function missingGpuDevice(dev = '/dev'): string | undefined {
  if (existsSync(`${dev}/nvidia0`) || existsSync(`${dev}/dxg`)) return undefined;
  let renderNodes: string[] = [];
  try {
    renderNodes = readdirSync(`${dev}/dri`).filter((name) => name.startsWith('renderD'));
  } catch {
    // no /dev/dri at all
  }
  return renderNodes.length > 0 ? undefined : `no GPU device: no ${dev}/nvidia0 or ${dev}/dri/renderD*`;
}

const NO_VULKAN_DRIVER = "Dawn found no adapter: no Vulkan driver (Debian's mesa-vulkan-drivers or the NVIDIA driver provide one)";

/** Where the Vulkan loader looks for driver manifests when no variable names them (Linux). */
const DEFAULT_ICD_DIRS = ['/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/usr/share/vulkan/icd.d'];

/**
 * Whether the Vulkan loader has a driver manifest to load, the way it looks for one on Linux: the
 * files or folders that VK_DRIVER_FILES (or the older VK_ICD_FILENAMES) lists when set, else the
 * manifests in its default folders and under XDG_DATA_DIRS. Asked before Dawn: without any driver,
 * Dawn's adapter request sometimes aborts the whole process (a Vulkan error thrown from native code,
 * "napi_throw") instead of answering that there is no adapter.
 */
export function hasVulkanDriver(env: NodeJS.ProcessEnv = process.env, defaultDirs = DEFAULT_ICD_DIRS): boolean {
  const manifestsIn = (dir: string) => {
    try {
      return readdirSync(dir).some((name) => name.endsWith('.json'));
    } catch {
      return false;
    }
  };
  const listed = env['VK_DRIVER_FILES'] || env['VK_ICD_FILENAMES'];
  if (listed) return listed.split(':').some((path) => path !== '' && (path.endsWith('.json') ? existsSync(path) : manifestsIn(path)));
  const xdg = (env['XDG_DATA_DIRS'] || '').split(':').filter(Boolean).map((dir) => `${dir}/vulkan/icd.d`);
  return [...defaultDirs, ...xdg].some(manifestsIn);
}

interface AdapterLike {
  readonly info: AdapterInfoLike;
  readonly limits: Record<string, number>;
  requestDevice(descriptor: { requiredFeatures: string[]; requiredLimits: Record<string, number> }): Promise<GPUDevice>;
}

/** The limits tfjs raises to the adapter's maximum (tfjs-backend-webgpu's own device request does the same). */
const RAISED_LIMITS = [
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
] as const;

/** A device with tfjs's raised limits and no optional features; rejects with Dawn's reason. */
export async function requestComputeDevice(adapter: AdapterLike): Promise<GPUDevice> {
  const requiredLimits: Record<string, number> = {};
  for (const limit of RAISED_LIMITS) {
    const value = adapter.limits[limit];
    if (value !== undefined) requiredLimits[limit] = value;
  }
  try {
    return await adapter.requestDevice({ requiredFeatures: [], requiredLimits });
  } catch (error) {
    throw new Error(`Dawn refused a device on ${adapterName(adapterFacts(adapter.info))}: ${firstLine(error)}`);
  }
}

export interface WebGpuStart {
  adapter: AdapterFacts;
  /** How it runs, for the backend line. */
  description: string;
}

let device: GPUDevice | undefined;
let startedOn: AdapterFacts | undefined;

/** The adapter the webgpu backend of this thread computes on, once started. */
export function webGpuAdapter(): AdapterFacts | undefined {
  return startedOn;
}

/**
 * Loads Dawn, finds the adapter Dawn prefers for high performance, and registers tfjs's `webgpu`
 * backend on a device of it. Rejects with why it cannot (package missing, no adapter, device refused).
 */
export async function startWebGpu(): Promise<WebGpuStart> {
  let dawn: { create(flags: string[]): GPU; globals: object };
  try {
    dawn = await import('webgpu');
  } catch (error) {
    throw new Error(explainLoadFailure('webgpu', error));
  }
  // tfjs reads the WebGPU constants (GPUBufferUsage, GPUMapMode, ...) as globals, as in a browser.
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  if (process.platform === 'linux' && !hasVulkanDriver()) throw new Error(NO_VULKAN_DRIVER);
  const gpu = dawn.create([]);
  // Node has had a navigator global since version 21; ltx runs on 24.
  Object.defineProperty(globalThis.navigator, 'gpu', { value: gpu, configurable: true });
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) throw new Error(NO_VULKAN_DRIVER);
  const facts = adapterFacts(adapter.info);
  device = await requestComputeDevice(adapter as unknown as AdapterLike);
  const notes = [
    'navigator.gpu set before tfjs-backend-webgpu loads (it registers only then)',
    'no optional device features (Dawn may refuse those tfjs asks for)',
    'device destroyed at thread end (a live one keeps Node running)',
  ];
  let webgpu: typeof import('@tensorflow/tfjs-backend-webgpu');
  try {
    webgpu = await import('@tensorflow/tfjs-backend-webgpu');
  } catch (error) {
    throw new Error(`@tensorflow/tfjs-backend-webgpu: ${explainLoadFailure('@tensorflow/tfjs-backend-webgpu', error)}`);
  }
  if (tf.findBackendFactory('webgpu') === null) notes[0] = 'tfjs-backend-webgpu was loaded before navigator.gpu existed, so ltx registered it';
  else tf.removeBackend('webgpu');
  const started = device;
  startedOn = facts;
  tf.registerBackend('webgpu', () => new webgpu.WebGPUBackend(started, adapter.info as unknown as GPUAdapterInfo));
  return { adapter: facts, description: `Dawn, ${adapterName(facts)}; ${notes.join('; ')}` };
}

/** Destroys the Dawn device (its buffers with it), so that nothing of the GPU keeps the process alive. */
export function closeWebGpu(): void {
  if (device === undefined) return;
  if (tf.findBackend('webgpu') !== null) tf.removeBackend('webgpu');
  device.destroy();
  device = undefined;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0]!.trim();
}
