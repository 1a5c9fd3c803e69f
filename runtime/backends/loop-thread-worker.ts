// A helper thread for ltx's SIMD loops (runtime/backends/loop-threads.ts): it instantiates the loop
// modules it is sent on the wasm backend's shared heap, then, each time the main thread posts a batch
// of calls in the control block, takes calls from it (as the main thread does) until none is left.
// Imports nothing beyond Node's and the protocol: it must start fast.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { BLOCK, claimCall } from './loop-thread-protocol.ts';

interface Data {
  memory: object;
  control: Int32Array;
}

type Loop = (...args: number[]) => void;
const { memory, control } = workerData as Data;
const wasm = (globalThis as unknown as { WebAssembly: { Instance: new (module: object, imports: object) => { exports: Record<string, Loop> } } }).WebAssembly;
const loops = new Map<number, Loop[]>();

function receiveModules(): void {
  for (;;) {
    const received = receiveMessageOnPort(parentPort as never);
    if (received === undefined) return;
    const { id, module, functions } = received.message as { id: number; module: object; functions: string[] };
    const exports = new wasm.Instance(module, { env: { memory } }).exports;
    loops.set(id, functions.map((name) => exports[name]!));
  }
}

Atomics.add(control, BLOCK.ready, 1);
let seen = 0;
for (;;) {
  Atomics.wait(control, BLOCK.sequence, seen);
  seen = Atomics.load(control, BLOCK.sequence);
  try {
    receiveModules();
  } catch {
    // A module that does not instantiate here leaves its loop undefined: its calls fail below, and
    // the main thread reports the failure.
  }
  const loop = loops.get(control[BLOCK.module]!)?.[control[BLOCK.function]!];
  const width = control[BLOCK.width]!;
  const calls = control[BLOCK.calls]!;
  const args = new Array<number>(width);
  for (let index = claimCall(control, seen, calls); index >= 0; index = claimCall(control, seen, calls)) {
    try {
      if (loop === undefined) throw new Error('loop module not received');
      for (let a = 0; a < width; a++) args[a] = control[BLOCK.args + index * width + a]!;
      loop(...args);
    } catch {
      Atomics.store(control, BLOCK.status, 1);
    }
    Atomics.add(control, BLOCK.finished, 1);
    Atomics.notify(control, BLOCK.finished);
  }
}
