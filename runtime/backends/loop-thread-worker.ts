// A helper thread for ltx's SIMD loops (runtime/backends/loop-threads.ts): it instantiates the loop
// modules it is sent on the wasm backend's shared heap, then, each time the main thread posts calls
// in the control block, runs them and reports back. No imports beyond Node's: it must start fast.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { BLOCK } from './loop-thread-protocol.ts';

interface Data {
  memory: object;
  control: Int32Array;
}

const { memory, control } = workerData as Data;
const wasm = (globalThis as unknown as { WebAssembly: { Instance: new (module: object, imports: object) => { exports: Record<string, (...args: number[]) => void> } } }).WebAssembly;
const instances = new Map<number, Record<string, (...args: number[]) => void>>();
const functionNames = new Map<number, string[]>();

function receiveModules(): void {
  for (;;) {
    const received = receiveMessageOnPort(parentPort as never);
    if (received === undefined) return;
    const { id, module, functions } = received.message as { id: number; module: object; functions: string[] };
    instances.set(id, new wasm.Instance(module, { env: { memory } }).exports);
    functionNames.set(id, functions);
  }
}

Atomics.store(control, BLOCK.ready, 1);
Atomics.notify(control, BLOCK.ready);
let seen = 0;
for (;;) {
  Atomics.wait(control, BLOCK.sequence, seen);
  seen = Atomics.load(control, BLOCK.sequence);
  let status = 0;
  try {
    receiveModules();
    const id = control[BLOCK.module]!;
    const loop = instances.get(id)?.[functionNames.get(id)?.[control[BLOCK.function]!] ?? ''];
    if (loop === undefined) throw new Error(`loop module ${id} not received`);
    const width = control[BLOCK.width]!;
    const calls = control[BLOCK.calls]!;
    const args = new Array<number>(width);
    for (let c = 0; c < calls; c++) {
      for (let a = 0; a < width; a++) args[a] = control[BLOCK.args + c * width + a]!;
      loop(...args);
    }
  } catch {
    status = 1;
  }
  Atomics.store(control, BLOCK.status, status);
  Atomics.store(control, BLOCK.done, seen);
  Atomics.notify(control, BLOCK.done);
}
