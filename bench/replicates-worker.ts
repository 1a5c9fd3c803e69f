// One of bench/replicates.ts's two workers: trains the stage calls it is sent one after another on
// its own wasm backend (one thread), the way a worker of `ltx run` computes the stages it is given.
import { parentPort } from 'node:worker_threads';
import type { StageCall } from '../core/op.ts';
import { initBackend } from '../runtime/backends/select.ts';
import { standardLibrary } from '../stdlib/library.ts';

await initBackend('wasm', { wasmThreads: 1 });
const train = standardLibrary.implementationFor('train')!;
const context = (): StageCall['ctx'] => ({ library: standardLibrary, programDir: process.cwd(), signal: new AbortController().signal, progress: () => undefined });

parentPort!.on('message', async (calls: Omit<StageCall, 'ctx'>[]) => {
  for (const call of calls) await train(call.stage, call.inputs, context());
  parentPort!.postMessage('done');
});
parentPort!.postMessage('ready');
