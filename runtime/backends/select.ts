// Chooses the tfjs backend a run computes on and says why the others were not used.
//
// `auto` prefers native TensorFlow's GPU build, then WebGPU on a hardware adapter (never a software
// one such as lavapipe: that is only used by name), then native TensorFlow's CPU build (optional npm
// dependencies whose install downloads libtensorflow, so they are often absent), then wasm, then the
// pure-JS cpu backend. Whatever is chosen, the wasm kernel fixes are registered so that a later switch to wasm
// (tf.setBackend) trains correctly too. (The layers' own kernels and the wasm-aware matMul gradient
// are the standard library's: stdlib/nn registers them when it loads.)
import './tfjs-setup.ts';
import * as tf from '@tensorflow/tfjs-core';
import { configureWasmForNode, describeWasm, startWasmLoopHelpers } from './wasm-node.ts';
import { registerWasmKernelFixes } from './wasm-kernels.ts';
import { explainLoadFailure } from './load-failure.ts';
import { autoRefusal, closeWebGpu, missingGpuDevice, startWebGpu, type WebGpuStart } from './webgpu-node.ts';
import type { BackendAttempt, BackendChoice, BackendName, BackendRequest } from './choice.ts';

export { backendRequests, describeChoice, type BackendAttempt, type BackendChoice, type BackendName, type BackendRequest } from './choice.ts';
export { explainLoadFailure } from './load-failure.ts';

const candidatesFor: Record<BackendRequest, readonly BackendName[]> = {
  auto: ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'],
  tensorflow: ['tensorflow-gpu', 'tensorflow'],
  webgpu: ['webgpu'],
  wasm: ['wasm'],
  cpu: ['cpu'],
};

/** Thrown when no candidate of a request could start; `tried` says why for each. */
export class BackendUnavailableError extends Error {
  readonly request: BackendRequest;
  readonly tried: BackendAttempt[];
  constructor(request: BackendRequest, tried: BackendAttempt[]) {
    super(
      `no usable backend for --backend ${request}: ` +
        tried.map((t) => `${t.backend} (${t.why})`).join('; '),
    );
    this.name = 'BackendUnavailableError';
    this.request = request;
    this.tried = tried;
  }
}

export interface BackendOptions {
  /**
   * Threads of the wasm backend (default 1). A process has one wasm backend: the first start
   * fixes its threads. Native TensorFlow manages its own threads; cpu has one.
   */
  wasmThreads?: number;
}

interface Candidate {
  /** The name tfjs registers the backend under. */
  tfName: string;
  /** Loads what the backend needs; resolves to how it runs, rejects with why it cannot. */
  load(options: BackendOptions): Promise<string>;
  /** Why `auto` passes it over before loading anything (undefined: try it). */
  autoSkipsBeforeLoad?(): string | undefined;
  /** Why `auto` passes it over once loaded (undefined: use it). */
  autoRefuses?(): string | undefined;
}

let webGpuStart: WebGpuStart | undefined;

const candidates: Record<BackendName, Candidate> = {
  'tensorflow-gpu': {
    tfName: 'tensorflow',
    load: () => loadNativeTensorflow('@tensorflow/tfjs-node-gpu', 'native TensorFlow, CUDA build'),
  },
  tensorflow: {
    tfName: 'tensorflow',
    load: () => loadNativeTensorflow('@tensorflow/tfjs-node', 'native TensorFlow, CPU build'),
  },
  webgpu: {
    tfName: 'webgpu',
    load: async () => {
      webGpuStart = await startWebGpu();
      return webGpuStart.description;
    },
    autoSkipsBeforeLoad: () => missingGpuDevice(),
    autoRefuses: () => (webGpuStart === undefined ? undefined : autoRefusal(webGpuStart.adapter)),
  },
  wasm: {
    tfName: 'wasm',
    load: async (options) => {
      configureWasmForNode(options.wasmThreads ?? 1);
      return 'started';
    },
  },
  cpu: { tfName: 'cpu', load: async () => 'pure JavaScript' },
};

async function loadNativeTensorflow(specifier: string, description: string): Promise<string> {
  // A non-literal specifier keeps the type checker from requiring the optional package.
  const moduleName: string = specifier;
  try {
    await import(moduleName);
  } catch (error) {
    throw new Error(explainLoadFailure(specifier, error));
  }
  return description;
}

// One load per candidate per process: a second initBackend neither re-imports nor re-fails slowly.
const loads = new Map<BackendName, Promise<string>>();

async function tryCandidate(name: BackendName, request: BackendRequest, options: BackendOptions): Promise<BackendAttempt> {
  const candidate = candidates[name];
  const skip = request === 'auto' ? candidate.autoSkipsBeforeLoad?.() : undefined;
  if (skip !== undefined) return { backend: name, ok: false, why: skip };
  let load = loads.get(name);
  if (load === undefined) {
    load = candidate.load(options);
    loads.set(name, load);
  }
  let why: string;
  try {
    why = await load;
  } catch (error) {
    return { backend: name, ok: false, why: error instanceof Error ? error.message : String(error) };
  }
  const refusal = request === 'auto' ? candidate.autoRefuses?.() : undefined;
  if (refusal !== undefined) return { backend: name, ok: false, why: refusal };
  const started = await setBackendQuietly(candidate.tfName);
  if (!started) return { backend: name, ok: false, why: `tfjs could not initialize '${candidate.tfName}'` };
  if (name === 'wasm') {
    why = await describeWasm();
    startWasmLoopHelpers();
  }
  if (name === 'cpu') silenceCpuBackendAdvice();
  return { backend: name, ok: true, why };
}

async function setBackendQuietly(tfName: string): Promise<boolean> {
  if (tf.findBackendFactory(tfName) === null) return false;
  try {
    return await tf.setBackend(tfName);
  } catch {
    return false;
  }
}

/**
 * The cpu backend prints "install tfjs-node to speed things up" on first use in Node; ltx reports
 * its own backend choice, so that advice would only mislead. (`firstUse` is the flag guarding it.)
 */
function silenceCpuBackendAdvice(): void {
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu !== null && 'firstUse' in cpu) cpu.firstUse = false;
}

/**
 * Gives back what a backend holds outside tfjs's tensors (WebGPU's Dawn device), for a thread that is
 * about to end: a live Dawn device can keep Node from exiting. No tensor work may follow.
 */
export function releaseBackends(): void {
  closeWebGpu();
}

/**
 * Makes `request` the active tfjs backend, trying candidates in order. Safe to call repeatedly
 * (also with different requests: the latest wins). Rejects with BackendUnavailableError if none
 * of the request's candidates starts.
 */
export async function initBackend(request: BackendRequest, options: BackendOptions = {}): Promise<BackendChoice> {
  const list = candidatesFor[request];
  if (list === undefined) throw new Error(`unknown backend request '${String(request)}'`);
  registerWasmKernelFixes();
  const tried: BackendAttempt[] = [];
  for (const name of list) {
    const attempt = await tryCandidate(name, request, options);
    tried.push(attempt);
    if (attempt.ok) return { name, tried };
  }
  throw new BackendUnavailableError(request, tried);
}
