// Training speed of the tfjs backends ltx can run on, beside PyTorch doing the same steps.
//
//   node bench/train-speed.ts [--workloads lenet-300-100,conv-2,conv-4,conv-6,lenet5] [--mlp-steps N]
//     [--conv-steps N] [--steps WORKLOAD=N,...] [--wasm-threads N] [--torch-threads 1,2] [--no-torch] [--no-write]
//
// Workloads (batch 60, plain SGD, softmax cross-entropy, random but fixed data; bench/workloads.ts):
// LeNet-300-100 on every backend; Conv-2, Conv-4, Conv-6 (32×32×3) and LeNet-5 (28×28×1) not on cpu
// (seconds to minutes a step). --mlp-steps sets LeNet-300-100's timed steps, --conv-steps each Conv-N's,
// --steps any workload's (it wins over the other two).
// Layers are stdlib/nn/ops.ts primitives with inline weights (bench/workloads.ts), so the numbers
// measure the same fast gradients models get. Steps/s = 1 / median step time over the timed rounds after a warm-up.
// GFLOP/s counts the matMul/conv work a step must do: forward, weight gradients, and input
// gradients of every layer but the first (the data needs none). bench/torch_reference.py
// runs the same steps in PyTorch when /usr/bin/python3 has torch, in rounds alternating with
// tfjs's so that both see the same machine load. The table goes to stdout and to this benchmark's
// section of bench/RESULTS.md, with the load average: on a busy machine PyTorch's two threads lose
// far more than wasm's one.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendName, type BackendRequest } from '../runtime/backends/select.ts';
import { writeResultsSection } from './results-file.ts';
import { parseTrainSpeedArgs, UsageError, type TrainSpeedOptions } from './train-speed-options.ts';
import { BATCH, CONV_LEARNING_RATE, LEARNING_RATE, type Workload, type WorkloadName } from './workloads.ts';

// ---- measuring ---------------------------------------------------------------------------------

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Milliseconds each of `steps` steps took. */
function timeSteps(step: () => void, steps: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    step();
    times.push(performance.now() - start);
  }
  return times;
}

/** Splits `steps` into `rounds` near-equal positive parts. */
function roundSizes(steps: number, rounds: number): number[] {
  const n = Math.max(1, Math.min(rounds, steps));
  return Array.from({ length: n }, (_, i) => Math.floor((steps * (i + 1)) / n) - Math.floor((steps * i) / n));
}

const PYTHON = '/usr/bin/python3';
const OPENBLAS = '/usr/lib/x86_64-linux-gnu/openblas-pthread';

interface TorchAnswer {
  workload: WorkloadName;
  step_ms: number[];
  torch: string;
  threads: number;
  blas: string;
}

/**
 * bench/torch_reference.py kept running in --serve mode, so that its rounds can alternate with
 * tfjs's: both then see the same machine load, which on a shared 2-core machine moves a lot.
 */
class TorchSession {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #answers: AsyncIterator<string>;
  #stderr = '';
  version = '';
  blas = '';
  threads = 0;

  private constructor(child: ChildProcessWithoutNullStreams) {
    this.#child = child;
    child.stderr.on('data', (chunk: Buffer) => {
      this.#stderr += chunk.toString();
    });
    this.#answers = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  }

  /** Starts the reference, or says why it cannot run. */
  static open(threads: number): TorchSession | string {
    if (!existsSync(PYTHON)) return `${PYTHON} not found`;
    const script = fileURLToPath(new URL('./torch_reference.py', import.meta.url));
    const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: String(threads) };
    if (existsSync(OPENBLAS)) env['LD_LIBRARY_PATH'] = [OPENBLAS, process.env['LD_LIBRARY_PATH']].filter(Boolean).join(':');
    return new TorchSession(spawn(PYTHON, [script, '--serve', '--threads', String(threads)], { env }));
  }

  /** Step times (ms) of `steps` PyTorch steps of `workload`. */
  async run(workload: WorkloadName, steps: number): Promise<number[]> {
    this.#child.stdin.write(`${workload} ${steps}\n`);
    const answer = await this.#answers.next();
    if (answer.done) {
      const lastLine = this.#stderr.trim().split('\n').at(-1) || 'exited';
      throw new Error(`PyTorch reference failed: ${lastLine}`);
    }
    const parsed = JSON.parse(answer.value) as TorchAnswer;
    this.version = parsed.torch;
    this.blas = parsed.blas;
    this.threads = parsed.threads;
    return parsed.step_ms;
  }

  close(): void {
    this.#child.stdin.end();
  }
}

interface Measurement {
  workload: Workload;
  backend: BackendName;
  /** Step times (ms) of tfjs on `backend`, per round. */
  tfjs: number[][];
  /** Step times (ms) of PyTorch per thread count, per round; its rounds alternated with tfjs's. */
  torch: TorchRounds[];
}

interface TorchRounds {
  threads: number;
  rounds: number[][];
}

/** Median step time (ms) over all rounds' steps. */
function medianStepMs(rounds: number[][]): number {
  return median(rounds.flat());
}

/** `steps` timed steps of `workload` on the active backend, alternating rounds with PyTorch. */
async function measure(workload: Workload, backend: BackendName, steps: number, torch: TorchSession[]): Promise<Measurement> {
  const { step, dispose } = workload.build();
  for (let i = 0; i < workload.warmup; i++) step();
  // PyTorch warms up as long (its allocator and BLAS threads settle too); those steps are not counted.
  for (const session of torch) await session.run(workload.name, workload.warmup);
  const measurement: Measurement = { workload, backend, tfjs: [], torch: torch.map((t) => ({ threads: t.threads, rounds: [] })) };
  for (const size of roundSizes(steps, workload.rounds)) {
    for (const [i, session] of torch.entries()) {
      // The wasm thread pool spins a few milliseconds after its last op before it sleeps: PyTorch
      // gets the cores to itself.
      await new Promise((resolve) => setTimeout(resolve, 100));
      measurement.torch[i]!.rounds.push(await session.run(workload.name, size));
    }
    measurement.tfjs.push(timeSteps(step, size));
  }
  dispose();
  return measurement;
}

// ---- report ------------------------------------------------------------------------------------

/** Three significant digits, without exponents: 577, 14.5, 1.15. */
function significant(x: number): string {
  return x >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

function row(title: string, runner: string, rounds: number[][], flopsPerStep: number, ratio: string): string {
  const stepMs = medianStepMs(rounds);
  const stepsPerSecond = 1000 / stepMs;
  const gflops = (flopsPerStep * stepsPerSecond) / 1e9;
  return `| ${title} | ${runner} | ${significant(stepsPerSecond)} | ${significant(stepMs)} | ${significant(gflops)} | ${ratio} |`;
}

/**
 * PyTorch's rounds of a workload ran beside each backend's, with each thread count; its pace differs
 * between those (it was slower beside wasm's; on a shared machine 2 BLAS threads are often slower
 * than 1), so tfjs is compared with the fastest: the hardest yardstick.
 */
function fastestTorchRounds(ofWorkload: Measurement[]): TorchRounds | undefined {
  const phases = ofWorkload.flatMap((m) => m.torch).filter((t) => t.rounds.length > 0);
  return phases.reduce<TorchRounds | undefined>((best, t) => (best === undefined || medianStepMs(t.rounds) < medianStepMs(best.rounds) ? t : best), undefined);
}

function table(
  workloads: Workload[],
  measurements: Measurement[],
  backendLabels: Map<BackendName, string>,
  torchLabel: (threads: number) => string,
): string {
  const rows = ['| work | runner | steps/s | ms/step (median) | GFLOP/s | × PyTorch |', '|---|---|---|---|---|---|'];
  for (const workload of workloads) {
    const ofWorkload = measurements.filter((m) => m.workload === workload);
    const fastest = fastestTorchRounds(ofWorkload);
    if (fastest) rows.push(row(workload.title, torchLabel(fastest.threads), fastest.rounds, workload.flopsPerStep, ''));
    for (const m of ofWorkload) {
      const ratio = fastest ? (medianStepMs(fastest.rounds) / medianStepMs(m.tfjs)).toFixed(2) : '';
      rows.push(row(workload.title, backendLabels.get(m.backend) ?? m.backend, m.tfjs, workload.flopsPerStep, ratio));
    }
  }
  return rows.join('\n');
}

/** "LeNet-300-100: 630 beside wasm, 839 beside cpu" — PyTorch's steps/s in each phase. */
function torchPhases(workloads: Workload[], measurements: Measurement[]): string {
  return workloads
    .map((workload) => {
      const phases = measurements.filter((m) => m.workload === workload).flatMap((m) => m.torch.filter((t) => t.rounds.length > 0).map((t) => ({ backend: m.backend, ...t })));
      if (phases.length === 0) return '';
      return `${workload.title}: ${phases.map((t) => `${significant(1000 / medianStepMs(t.rounds))} with ${t.threads} thread${t.threads === 1 ? '' : 's'} beside ${t.backend}`).join(', ')}`;
    })
    .filter(Boolean)
    .join('; ');
}

/** "Conv-2" of "Conv-2 (32×32×3)". */
function network(workload: Workload): string {
  return workload.title.replace(/ \(.*\)$/, '');
}

/** "400 LeNet-300-100 / 10 Conv-2 timed steps after a warm-up, in 4 / 2 rounds" */
function stepsSummary(options: TrainSpeedOptions): string {
  const { workloads, steps } = options;
  return (
    `${workloads.map((w) => `${steps[w.name]} ${network(w)}`).join(' / ')} timed steps after a warm-up, ` +
    `in ${workloads.map((w) => w.rounds).join(' / ')} rounds`
  );
}

/** The options, or exit status 2 with a one-line message naming the bad flag. */
function readOptions(): TrainSpeedOptions {
  try {
    return parseTrainSpeedArgs(process.argv.slice(2), Math.min(2, cpus().length));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`bench/train-speed: ${error.message}`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const options = readOptions();
  const { steps, torchThreads, wasmThreads } = options;
  const started = new Date();
  const loadBefore = loadavg()[0]!;
  if (loadBefore > 0.5) {
    console.error(
      `note: load average ${loadBefore.toFixed(2)}: other processes are running; PyTorch's 2 threads suffer ` +
        'most from sharing the cores, so the ratios will flatter tfjs',
    );
  }

  const opened = options.torch ? torchThreads.map((t) => TorchSession.open(t)) : ['skipped (--no-torch)'];
  let torch = opened.filter((o): o is TorchSession => typeof o !== 'string');
  let torchMissing = opened.find((o): o is string => typeof o === 'string') ?? '';
  if (torchMissing) torch = [];

  const measurements: Measurement[] = [];
  const backendLabels = new Map<BackendName, string>();
  const skipped: string[] = [];
  const seen = new Set<BackendName>();
  for (const request of ['tensorflow', 'wasm', 'cpu'] satisfies BackendRequest[]) {
    let name: BackendName;
    try {
      const choice = await initBackend(request, { wasmThreads });
      name = choice.name;
      backendLabels.set(name, `tfjs ${name} (${choice.tried.at(-1)!.why})`);
    } catch (error) {
      skipped.push(`${request}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    if (seen.has(name)) continue;
    seen.add(name);
    for (const workload of options.workloads.filter((w) => name !== 'cpu' || w.onCpu)) {
      let m: Measurement;
      try {
        m = await measure(workload, name, steps[workload.name], torch);
      } catch (error) {
        if (torch.length === 0) throw error;
        torchMissing = error instanceof Error ? error.message : String(error);
        for (const session of torch) session.close();
        torch = [];
        m = await measure(workload, name, steps[workload.name], []);
      }
      const best = fastestTorchRounds([m]);
      const vsTorch = best ? ` (PyTorch in between: ${(1000 / medianStepMs(best.rounds)).toFixed(1)}, ${best.threads} thread${best.threads === 1 ? '' : 's'})` : '';
      console.log(`tfjs ${name} ${workload.name}: ${(1000 / medianStepMs(m.tfjs)).toFixed(1)} steps/s${vsTorch}`);
      measurements.push(m);
    }
  }
  for (const session of torch) session.close();

  const reference = torch[0];
  const torchLabel = (threads: number) =>
    reference ? `PyTorch ${reference.version} (${reference.blas}, ${threads} thread${threads === 1 ? '' : 's'})` : 'PyTorch';
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const notOnCpu = options.workloads.filter((w) => !w.onCpu).map(network);
  const markdown = [
    '## Training speed: tfjs backends vs PyTorch',
    '',
    `Command: \`node bench/train-speed.ts\` (bench/train-speed.ts, bench/torch_reference.py; method in bench/README.md). ` +
      `Machine: ${cpu}, ${cpus().length} cores; Node ${process.version}; tfjs ${tf.version_core}; ` +
      `${started.toISOString().slice(0, 10)}; load average (1 min) ${loadBefore.toFixed(2)} before, ` +
      `${loadavg()[0]!.toFixed(2)} after.`,
    `Batch ${BATCH}, SGD lr ${LEARNING_RATE} (Conv-N nets ${CONV_LEARNING_RATE}), softmax cross-entropy, fixed random data. ` +
      `${stepsSummary(options)} alternating with PyTorch's with ${torchThreads.join(' and ')} thread${torchThreads.length === 1 && torchThreads[0] === 1 ? '' : 's'} ` +
      '(each takes 3 untimed steps before each round); ' +
      'steps/s = 1 / median step time over all rounds; both sides warm up as many steps first. PyTorch\'s steps/s is ' +
      `that of its fastest phase and thread count (${torchPhases(options.workloads, measurements) || 'not run'}). GFLOP/s counts forward, ` +
      'weight-gradient and input-gradient (all layers but the first) matMul/conv work.' +
      (notOnCpu.length > 0 ? ` ${notOnCpu.join(', ')} ${notOnCpu.length === 1 ? 'is' : 'are'} not run on tfjs cpu (seconds to minutes a step).` : ''),
    '',
    table(options.workloads, measurements, backendLabels, torchLabel),
    '',
    torchMissing ? `PyTorch: ${torchMissing}.` : '',
    skipped.length > 0 ? `Not measured: ${skipped.join('; ')}.` : '',
  ]
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd();
  console.log(`\n${markdown}`);
  if (options.write) writeResultsSection('train-speed', markdown);
}

await main();
