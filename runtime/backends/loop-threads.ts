// Helper threads for ltx's SIMD loops (core/loop-threads.ts) on Node: worker threads that share the
// wasm backend's heap (a shared WebAssembly.Memory, as the threaded wasm build has) and wait on a
// control block of their own (loop-thread-protocol.ts). A batch of calls costs one wake-up, ~10–50 µs;
// a loop worth splitting runs for a millisecond or more.
//
// Started with the wasm backend when it has more than one thread: one helper per thread beyond the
// first, so that together with the main thread they use the cores XNNPACK uses. A wasm backend of one
// thread (what ltx's workers get when several share the cores) has none.
import { Worker } from 'node:worker_threads';
import { instanceOn, webAssembly, type Memory } from '../../core/wasm-bytes.ts';
import { setLoopHelpers, type LoopHelpers, type LoopModule } from '../../core/loop-threads.ts';
import { BLOCK, BLOCK_SLOTS } from './loop-thread-protocol.ts';

/** How long the main thread waits for a helper before giving up (a helper that died). */
const WAIT_LIMIT_MS = 120_000;

interface SentModule {
  id: number;
  compiled: object;
  functions: string[];
}

class Helper {
  readonly control = new Int32Array(new SharedArrayBuffer(BLOCK_SLOTS * 4));
  readonly worker: Worker;
  private readonly sent = new Set<number>();
  private sequence = 0;
  private pending = false;

  constructor(memory: Memory) {
    this.worker = new Worker(new URL('./loop-thread-worker.ts', import.meta.url), { workerData: { memory, control: this.control } });
    this.worker.unref();
    // A failed start leaves the helper not ready: the loops run on the main thread.
    this.worker.on('error', () => Atomics.store(this.control, BLOCK.ready, 0));
  }

  ready(): boolean {
    return Atomics.load(this.control, BLOCK.ready) === 1;
  }

  post(module: SentModule, fn: number, calls: readonly (readonly number[])[]): boolean {
    const width = calls[0]?.length ?? 0;
    if (BLOCK.args + width * calls.length > BLOCK_SLOTS) return false;
    if (!this.sent.has(module.id)) {
      this.worker.postMessage({ id: module.id, module: module.compiled, functions: module.functions });
      this.sent.add(module.id);
    }
    const c = this.control;
    c[BLOCK.module] = module.id;
    c[BLOCK.function] = fn;
    c[BLOCK.width] = width;
    c[BLOCK.calls] = calls.length;
    calls.forEach((args, i) => c.set(args, BLOCK.args + i * width));
    this.sequence++;
    Atomics.store(c, BLOCK.sequence, this.sequence);
    Atomics.notify(c, BLOCK.sequence);
    this.pending = true;
    return true;
  }

  /** Whether the posted calls ran (false: one failed). */
  wait(): boolean {
    if (!this.pending) return true;
    this.pending = false;
    const started = Date.now();
    for (;;) {
      const done = Atomics.load(this.control, BLOCK.done);
      if (done === this.sequence) return Atomics.load(this.control, BLOCK.status) === 0;
      if (Date.now() - started > WAIT_LIMIT_MS) {
        Atomics.store(this.control, BLOCK.ready, 0);
        throw new Error(`a helper thread of the wasm backend did not answer within ${WAIT_LIMIT_MS / 1000} s`);
      }
      Atomics.wait(this.control, BLOCK.done, done, 1000);
    }
  }
}

class NodeLoopHelpers implements LoopHelpers {
  readonly memory: Memory;
  private readonly helpers: Helper[];
  private readonly modules = new Map<string, SentModule>();

  constructor(memory: Memory, count: number) {
    this.memory = memory;
    this.helpers = Array.from({ length: count }, () => new Helper(memory));
  }

  ready(): number {
    let n = 0;
    while (n < this.helpers.length && this.helpers[n]!.ready()) n++;
    return n;
  }

  post(h: number, module: LoopModule, fn: string, calls: readonly (readonly number[])[]): boolean {
    const sent = this.moduleFor(module);
    const index = sent.functions.indexOf(fn);
    if (index < 0) throw new Error(`loop module '${module.key}' has no '${fn}'`);
    return this.helpers[h]!.post(sent, index, calls);
  }

  wait(): void {
    const failed = this.helpers.map((helper) => helper.wait()).some((ok) => !ok);
    if (failed) throw new Error('a SIMD loop failed on a helper thread of the wasm backend');
  }

  private moduleFor(module: LoopModule): SentModule {
    let sent = this.modules.get(module.key);
    if (sent === undefined) {
      const exports = instanceOn<Record<string, unknown>>(this.memory, module.key, module.build);
      const compiled = new webAssembly.Module(module.build(true));
      sent = { id: this.modules.size + 1, compiled, functions: Object.keys(exports) };
      this.modules.set(module.key, sent);
    }
    return sent;
  }

  terminate(): Promise<unknown> {
    return Promise.all(this.helpers.map((helper) => helper.worker.terminate()));
  }
}

let started: NodeLoopHelpers | undefined;

/**
 * Starts `count` helper threads on `memory` (a shared memory; otherwise none) and registers them
 * for the loops. Once per process: the wasm backend starts once.
 */
export function startLoopHelpers(memory: Memory | undefined, count: number): void {
  if (started !== undefined || memory === undefined || count < 1) return;
  if (typeof SharedArrayBuffer === 'undefined' || !(memory.buffer instanceof SharedArrayBuffer)) return;
  started = new NodeLoopHelpers(memory, count);
  setLoopHelpers(started);
}

/** Stops the helpers (tests); the loops then run on the main thread. */
export async function stopLoopHelpers(): Promise<void> {
  const stopping = started;
  started = undefined;
  setLoopHelpers(undefined);
  await stopping?.terminate();
}
