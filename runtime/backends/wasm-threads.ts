// tfjs's multi-threaded wasm build (XNNPACK on a pthread pool) started under Node.
//
// tfjs-backend-wasm ships the build but never uses it in Node: its loader hands Emscripten a
// `blob:` URL for the pthread workers, which Node's Worker refuses. The Emscripten module itself
// supports Node (worker_threads), so ltx starts that module with real file paths and registers it
// as the 'wasm' backend in place of the packaged factory. Two further details:
//  - the pthread worker's script is shipped as a string (wasmWorkerContents), so it is written once
//    to a file named by the package version (atomically: concurrent processes may race for it);
//  - the build caps its thread pool at logical cores / 2 (it assumes hyper-threads), which on a
//    2-core machine is 1; the cores it sees are reported as 2 × the requested threads instead.
// XNNPACK splits products and convolutions by output tiles, each computed by one thread in the
// same order as with one, so the thread count does not change the bits (test/backends/wasm-threads).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm, setThreadsCount, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { writeFileAtomically } from '../store/durable-fs.ts';

const BUILD = 'tfjs-backend-wasm-threaded-simd';
/** The backend's priority among tfjs backends, as the package registers it. */
const WASM_PRIORITY = 2;

/** Emscripten's module object, as far as ltx uses it. */
interface EmscriptenModule {
  cwrap(name: string, returns: string | null, args: string[]): (...args: number[]) => number;
  tfjs?: unknown;
  PThread: { runningWorkers: { unref(): void }[] };
}

type EmscriptenFactory = (config: object) => Promise<EmscriptenModule>;

// The project's TypeScript libraries carry no WebAssembly declarations; the two objects passed
// through here stay opaque.
type CompiledModule = object;
type ModuleInstance = object;
const webAssembly = (globalThis as unknown as {
  WebAssembly: { instantiate(binary: Uint8Array, imports: object): Promise<{ instance: ModuleInstance; module: CompiledModule }> };
}).WebAssembly;

interface WasmImports {
  env: Record<string, unknown>;
  [namespace: string]: unknown;
}

/** The folder with the Emscripten builds (JS glue, worker script, binaries). */
function buildDirectory(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '..', 'wasm-out');
}

/** The pthread worker script as a file, written on first use and shared by later processes. */
async function workerScript(directory: string): Promise<string> {
  const folder = join(tmpdir(), 'ltx-tfjs-wasm');
  const path = join(folder, `${BUILD}-${version_wasm}.worker.cjs`);
  if (existsSync(path)) return path;
  const require = createRequire(import.meta.url);
  const { wasmWorkerContents } = require(join(directory, `${BUILD}.worker.js`)) as { wasmWorkerContents: string };
  // The shipped string holds "\n" escapes as real newlines; tfjs re-escapes them the same way.
  // Atomic: processes starting at once may race to write it.
  await writeFileAtomically(path, wasmWorkerContents.replace(/\n/g, '\\n'), folder);
  return path;
}

/** Starts the threaded Emscripten module with `threads` XNNPACK threads. */
async function startThreadedModule(threads: number): Promise<EmscriptenModule> {
  const directory = buildDirectory();
  const glue = join(directory, `${BUILD}.js`);
  const worker = await workerScript(directory);
  const require = createRequire(import.meta.url);
  const factory = require(glue) as EmscriptenFactory;
  // Emscripten leaves its promise pending when a custom instantiation fails; this one settles it.
  let failInstantiation: (error: unknown) => void = () => {};
  const instantiationFailed = new Promise<never>((_, reject) => (failInstantiation = reject));
  const starting = factory({
    locateFile: (file: string) => (file.endsWith('.worker.js') ? worker : join(directory, file)),
    // Each pthread worker loads the glue again from this path.
    mainScriptUrlOrBlob: glue,
    instantiateWasm(imports: WasmImports, receive: (instance: ModuleInstance, module: CompiledModule) => void) {
      const env = { ...imports.env, emscripten_num_logical_cores: () => 2 * threads };
      webAssembly
        .instantiate(readFileSync(join(directory, `${BUILD}.wasm`)), { ...imports, env })
        .then(({ instance, module: compiled }) => receive(instance, compiled), failInstantiation);
      return {};
    },
  });
  const module = await Promise.race([starting, instantiationFailed]);
  // The bridge the backend expects, as tfjs's own loader builds it.
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

/** Why the threaded build could not start, when it fell back to the packaged single-threaded one. */
export let threadedWasmFailure: string | undefined;

/**
 * Makes the 'wasm' backend the threaded build with `threads` threads. Call before the backend
 * first initializes. Should the threaded build not start, the packaged single-threaded one runs
 * and `threadedWasmFailure` says why.
 */
export function registerThreadedWasm(threads: number): void {
  const packaged = tf.findBackendFactory('wasm');
  setThreadsCount(threads);
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      let module: EmscriptenModule;
      try {
        module = await startThreadedModule(threads);
      } catch (error) {
        if (packaged === null) throw error;
        threadedWasmFailure = error instanceof Error ? error.message : String(error);
        setThreadsCount(1);
        return await packaged();
      }
      // The constructor creates XNNPACK's thread pool.
      const backend = new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
      // Emscripten keeps a worker referenced while its pthread runs, and the pool's threads run
      // for good: without this a process would never exit on its own.
      for (const worker of module.PThread.runningWorkers) worker.unref();
      return backend;
    },
    WASM_PRIORITY,
  );
}
