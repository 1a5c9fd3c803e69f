// Replicates trained together (stdlib/training/replicates.ts) against the same runs one at a time,
// and against PyTorch running them the OpenLTH way (one masked dense model after another) and with
// functorch's vmap.
//
//   node bench/replicates.ts [--rounds N] [--lenet-steps N] [--digits-steps N] [--torch-threads 1,2] [--no-torch] [--no-write]
//                            [--backend wasm|webgpu|cpu]   (not wasm: its own section, replicates-BACKEND; bench/gpu runs it on webgpu)
//
// Workloads (SGD, momentum 0.9, lr 0.05, batch 60, softmax cross-entropy):
//   nine LeNet-300-100 runs ready at once: 3 seeds × (ticket, its reinit control, its random-mask control)
//     at one level (80% of every layer but the output pruned), on Fashion-MNIST-shaped data (784 inputs,
//     10 classes; a fixed Gaussian mixture of 4800 training examples: the cost of a step depends on the
//     shapes only);
//   a digits sweep: 32 runs of the quickstart's mlp (64-128-64-10) on the bundled digits, 32 seeds.
// ltx computes them through the train op's batched implementation (all members in one group) and
// through its implementation alone, one stage after another, on the wasm backend with one thread; both
// are the stage implementations `ltx run` calls, without the store's commits. A third runner trains
// them alone on two workers (worker threads, a wasm backend of one thread each, the runs dealt out in
// turn), as `ltx run` on two cores does: its wall time is the machine's, its CPU time both workers'. Each member's result is
// the same bytes either way (test/training/replicates.test.ts). PyTorch (bench/torch_replicates.py,
// OpenBLAS, 1 and 2 threads) trains random data of the same shapes. Rounds alternate between the
// runners; each time is the median over rounds of the training's wall time and of its process CPU
// time: on a machine shared with other work the CPU time is the steadier measure of work done.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type { Checkpoint, Mask } from '../core/artifacts.ts';
import type { Json } from '../core/json.ts';
import type { StageCall } from '../core/op.ts';
import type { Stage } from '../core/stage.ts';
import { backendRequests, describeChoice, initBackend, type BackendRequest } from '../runtime/backends/select.ts';
import { standardLibrary } from '../stdlib/library.ts';
import { writeResultsSection } from './results-file.ts';

const PYTHON = '/usr/bin/python3';
const OPENBLAS = '/usr/lib/x86_64-linux-gnu/openblas-pthread';
const OPTIMIZER: { [key: string]: Json } = { op: 'sgd', version: 1, lr: 0.05, batch: 60, momentum: 0.9, nesterov: false, weight_decay: 0, warmup: 0 };
const DENSITY = 0.2;

type Ref = { op: string; version: number; params: { [key: string]: Json } };

interface Workload {
  title: string;
  model: Ref;
  data: Ref;
  /** Layer widths for the PyTorch reference. */
  sizes: number[];
  runs: number;
  /** Density of the PyTorch reference's masks (1: dense). */
  density: number;
  /** The members' start checkpoints and data orders. */
  starts(): Promise<{ start: Checkpoint; order: number }[]>;
}

function mlp(input: number, hidden: number[], classes: number): Ref {
  return { op: 'mlp', version: 1, params: { input, hidden, classes, activation: 'relu', bias: true } };
}

function stage(op: string, params: { [key: string]: Json }, name = op): Stage {
  const at = { offset: 0, line: 1, column: 1 };
  return { key: `${name}-bench`, kind: 'train', op, version: 1, params, inputs: {}, name, names: [name], origin: { file: 'bench.ltx', range: { start: at, end: at } } };
}

function context(): StageCall['ctx'] {
  return { library: standardLibrary, programDir: process.cwd(), signal: new AbortController().signal, progress: () => undefined };
}

async function compute<T>(op: string, params: { [key: string]: Json }, inputs: StageCall['inputs'] = {}): Promise<T> {
  return (await standardLibrary.implementationFor(op)!(stage(op, params), inputs, context())) as T;
}

const init = (model: Ref, seed: number) => compute<Checkpoint>('init', { model: model as unknown as Json, scheme: 'kaiming_normal', seed });

const lenet: Workload = {
  title: 'nine LeNet-300-100 runs (3 seeds × ticket, reinit, random mask)',
  model: mlp(784, [300, 100], 10),
  data: { op: 'gaussian_mixture', version: 1, params: { classes: 10, dim: 784, n: 6000, seed: 1, separation: 4, test: 0.2 } },
  sizes: [784, 300, 100, 10],
  runs: 9,
  density: DENSITY,
  async starts() {
    const out: { start: Checkpoint; order: number }[] = [];
    for (const seed of [0, 1, 2]) {
      const theta = await init(this.model, seed);
      const mask = await compute<Mask>('magnitude', { rate: 1 - DENSITY, scope: 'layerwise', skip: ['output'], rates: {} }, { weights: theta });
      const random = await compute<Mask>('random_mask', { seed: 100 + seed }, { like: mask });
      out.push({ start: await compute<Checkpoint>('rewind', {}, { weights: theta, mask }), order: seed });
      out.push({ start: await compute<Checkpoint>('reinit', { model: this.model as unknown as Json, scheme: 'kaiming_normal', seed: 100 + seed }, { mask }), order: seed });
      out.push({ start: await compute<Checkpoint>('rewind', {}, { weights: theta, mask: random }), order: seed });
    }
    return out;
  },
};

const digits: Workload = {
  title: 'a digits sweep: 32 runs of mlp 64-128-64-10 (32 seeds)',
  model: mlp(64, [128, 64], 10),
  data: { op: 'digits', version: 1, params: { test: 0.2, seed: 0 } },
  sizes: [64, 128, 64, 10],
  runs: 32,
  density: 1,
  async starts() {
    return Promise.all(Array.from({ length: this.runs }, async (_, seed) => ({ start: await init(this.model, seed), order: seed })));
  },
};

interface Timing {
  wall: number;
  cpu: number;
}

async function timed(work: () => Promise<unknown>): Promise<Timing> {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  await work();
  const used = process.cpuUsage(cpu);
  return { wall: (performance.now() - wall) / 1000, cpu: (used.user + used.system) / 1e6 };
}

function callsOf(workload: Workload, steps: number, starts: { start: Checkpoint; order: number }[]): StageCall[] {
  return starts.map(({ start, order }, i) => ({
    stage: stage('train', { model: workload.model as unknown as Json, data: { dataset: workload.data as unknown as Json, split: 'train' }, optimizer: OPTIMIZER, steps, order, to: steps }, `run${i}`),
    inputs: { start },
    ctx: context(),
  }));
}

async function ltxAlone(calls: StageCall[]): Promise<void> {
  const train = standardLibrary.implementationFor('train')!;
  for (const call of calls) await train(call.stage, call.inputs, call.ctx);
}

async function ltxTogether(calls: StageCall[]): Promise<void> {
  const results = await standardLibrary.batchingFor!('train')!.implementation(calls);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/** Two workers, each with its own backend, started and warmed up once. */
async function twoWorkers(): Promise<Worker[]> {
  const workers = [0, 1].map(() => new Worker(new URL('./replicates-worker.ts', import.meta.url)));
  await Promise.all(workers.map((w) => once(w, 'message')));
  return workers;
}

async function ltxOnWorkers(workers: Worker[], calls: StageCall[]): Promise<void> {
  const shares = workers.map((_, w) => calls.filter((_, i) => i % workers.length === w).map(({ stage, inputs }) => ({ stage, inputs })));
  await Promise.all(workers.map(async (worker, w) => {
    worker.postMessage(shares[w]);
    await once(worker, 'message');
  }));
}

interface TorchRun {
  wall_s: number;
  cpu_s: number;
  torch: string;
  blas: string;
}

function torch(workload: Workload, steps: number, threads: number, mode: 'sequential' | 'vmap'): TorchRun {
  const script = fileURLToPath(new URL('./torch_replicates.py', import.meta.url));
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: String(threads) };
  if (existsSync(OPENBLAS)) env['LD_LIBRARY_PATH'] = [OPENBLAS, process.env['LD_LIBRARY_PATH']].filter(Boolean).join(':');
  const args = [script, '--sizes', workload.sizes.join(','), '--runs', String(workload.runs), '--steps', String(steps), '--density', String(workload.density), '--threads', String(threads), '--mode', mode];
  const child = spawnSync(PYTHON, args, { env, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`bench/torch_replicates.py failed: ${child.stderr.trim().split('\n').at(-1)}`);
  return JSON.parse(child.stdout) as TorchRun;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      'lenet-steps': { type: 'string', default: '200' },
      'digits-steps': { type: 'string', default: '200' },
      'no-torch': { type: 'boolean', default: false },
      'torch-threads': { type: 'string', default: '1,2' },
      'no-write': { type: 'boolean', default: false },
      backend: { type: 'string', default: 'wasm' },
    },
  });
  const rounds = Number(values.rounds);
  const backend = values.backend as BackendRequest;
  if (!backendRequests.includes(backend)) {
    console.error(`bench/replicates: --backend ${values.backend}: expected one of ${backendRequests.join(', ')}`);
    process.exit(2);
  }
  const withTorch = !values['no-torch'] && existsSync(PYTHON);
  const started = new Date();
  const loadBefore = loadavg();
  const choice = await initBackend(backend, { wasmThreads: 1 });
  const workers = backend === 'wasm' ? await twoWorkers() : [];
  let torchLabel = '';
  const sections: string[] = [];
  for (const [workload, steps] of [[lenet, Number(values['lenet-steps'])], [digits, Number(values['digits-steps'])]] as const) {
    const starts = await workload.starts();
    // Warm-up: each path's kernels and the dataset load, untimed.
    await ltxTogether(callsOf(workload, 2, starts));
    await ltxAlone(callsOf(workload, 2, starts.slice(0, 1)));
    if (workers.length > 0) await ltxOnWorkers(workers, callsOf(workload, 2, starts.slice(0, 2)));
    const times = new Map<string, Timing[]>();
    const record = (runner: string, timing: Timing) => times.set(runner, [...(times.get(runner) ?? []), timing]);
    for (let round = 0; round < rounds; round++) {
      record('ltx, one group', await timed(() => ltxTogether(callsOf(workload, steps, starts))));
      record('ltx, one at a time', await timed(() => ltxAlone(callsOf(workload, steps, starts))));
      if (workers.length > 0) record('ltx, one at a time on 2 workers', await timed(() => ltxOnWorkers(workers, callsOf(workload, steps, starts))));
      if (withTorch) {
        const torchThreads = values['torch-threads'].split(',').map(Number);
        const variants = [...torchThreads.map((t) => [t, 'sequential'] as const), [torchThreads[0]!, 'vmap'] as const];
        for (const [threads, mode] of variants) {
          const run = torch(workload, steps, threads, mode);
          torchLabel = `PyTorch ${run.torch} (${run.blas})`;
          record(mode === 'vmap' ? `PyTorch, functorch vmap, ${threads} thread${threads > 1 ? 's' : ''}` : `PyTorch, one at a time, ${threads} thread${threads > 1 ? 's' : ''}`, { wall: run.wall_s, cpu: run.cpu_s });
        }
      }
      console.log(`${workload.title}: round ${round + 1} done`);
    }
    const together = times.get('ltx, one group')!;
    const base = { wall: median(together.map((t) => t.wall)), cpu: median(together.map((t) => t.cpu)) };
    const rows = [...times.entries()].map(([runner, list]) => {
      const wall = median(list.map((t) => t.wall));
      const cpu = median(list.map((t) => t.cpu));
      return `| ${runner} | ${wall.toFixed(2)} | ${cpu.toFixed(2)} | ${(wall / base.wall).toFixed(2)} | ${(cpu / base.cpu).toFixed(2)} |`;
    });
    sections.push([
      `### ${workload.title}, ${steps} steps each`,
      '',
      '| runner | wall s | CPU s | wall ÷ ltx group | CPU ÷ ltx group |',
      '|---|---|---|---|---|',
      ...rows,
    ].join('\n'));
    console.log(sections.at(-1));
  }
  await Promise.all(workers.map((w) => w.terminate()));
  const loadAfter = loadavg();
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const markdown = [
    choice.name === 'wasm' ? '## Replicates trained together' : `## Replicates trained together, on ${choice.name}`,
    '',
    `Command: \`node bench/replicates.ts\` (bench/replicates.ts, bench/torch_replicates.py; method in their headers). ` +
      `Machine: ${cpu}, ${cpus().length} cores, shared with other work; Node ${process.version}; tfjs ${tf.version_core} (${choice.name === 'wasm' ? 'wasm, 1 thread' : describeChoice(choice).join('; ')}); ` +
      `${withTorch ? torchLabel : 'PyTorch not run'}; ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC; ` +
      `load average (1/5/15 min) ${loadBefore.map((l) => l.toFixed(1)).join('/')} before, ${loadAfter.map((l) => l.toFixed(1)).join('/')} after.`,
    `Times are the medians of ${rounds} rounds that alternate between the runners, training only (set-up excluded). ` +
      'A ratio above 1 means that runner took longer than ltx training the runs as one group.' +
      (withTorch ? ` PyTorch thread counts: ${values['torch-threads']} (\`--torch-threads\`).` : ''),
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n').trimEnd();
  if (!values['no-write']) writeResultsSection(choice.name === 'wasm' ? 'replicates' : `replicates-${choice.name}`, markdown);
  else console.log(`\n${markdown}`);
}

await main();
