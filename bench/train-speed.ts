// Training speed of the tfjs backends ltx can run on, beside PyTorch doing the same steps.
//
//   node bench/train-speed.ts [--mlp-steps N] [--conv-steps N] [--no-torch] [--no-write]
//
// Workloads (batch 60, plain SGD lr 0.1, softmax cross-entropy, random but fixed data):
//   LeNet-300-100  784-300-100-10 MLP, ReLU                                  (every backend)
//   Conv-2         two 3×3×64 'same' convs, max-pool 2, dense 256-256-10,
//                  on 32×32×3                                                (not on cpu: minutes a step)
// Layers are stdlib/nn/ops.ts primitives with inline weights, so the numbers measure the same fast
// gradients models get. Steps/s = 1 / median step time after a warm-up (medians shrug off other
// processes on a shared machine). GFLOP/s counts the matMul/conv work a step must do: forward,
// weight gradients, and input gradients of every layer but the first (the data needs none).
// bench/torch_reference.py runs the same steps in PyTorch when /usr/bin/python3 has torch; the
// table goes to stdout and to this benchmark's section of bench/RESULTS.md.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendName, type BackendRequest } from '../runtime/backends/select.ts';
import { conv2d, linear, maxPool2d } from '../stdlib/nn/ops.ts';
import { createRng } from '../stdlib/random.ts';
import { writeResultsSection } from './results-file.ts';

const BATCH = 60;
const LEARNING_RATE = 0.1;
const CLASSES = 10;

type WorkloadName = 'lenet-300-100' | 'conv-2';

interface Workload {
  name: WorkloadName;
  title: string;
  /** matMul/conv FLOPs of one training step (see the header). */
  flopsPerStep: number;
  warmup: number;
  /** Builds weights and data on the active backend; returns one training step. */
  build(): { step: () => void; dispose: () => void };
}

interface Measurement {
  workload: WorkloadName;
  runner: string;
  stepsPerSecond: number;
  stepMsMedian: number;
  steps: number;
}

// ---- workloads ---------------------------------------------------------------------------------

const denseFlops = (fanIn: number, fanOut: number) => 2 * BATCH * fanIn * fanOut;
const convFlops = (pixels: number, k: number, cin: number, cout: number) => 2 * BATCH * pixels * k * k * cin * cout;

function heNormal(shape: number[], fanIn: number, purpose: string): tf.Variable {
  const values = createRng(0, `bench/train-speed/${purpose}`).fillNormal(
    new Float32Array(shape.reduce((a, b) => a * b, 1)),
    0,
    Math.sqrt(2 / fanIn),
  );
  return tf.variable(tf.tensor(values, shape));
}

function fixedData(shape: number[]): { x: tf.Tensor; labels: tf.Tensor2D } {
  const rng = createRng(0, 'bench/train-speed/data');
  const x = tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);
  const ids = Int32Array.from({ length: BATCH }, () => rng.int(CLASSES));
  return { x, labels: tf.cast(tf.oneHot(tf.tensor1d(ids, 'int32'), CLASSES), 'float32') as tf.Tensor2D };
}

/** One SGD step on mean softmax cross-entropy; the step's tensors are freed before it returns. */
function sgdStep(weights: tf.Variable[], logits: () => tf.Tensor2D, labels: tf.Tensor2D): () => void {
  const optimizer = tf.train.sgd(LEARNING_RATE);
  return () => {
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, logits()), false, weights);
    loss?.dispose();
  };
}

const mlpSizes = [784, 300, 100, 10];

const lenet: Workload = {
  name: 'lenet-300-100',
  title: 'LeNet-300-100',
  flopsPerStep:
    // forward + weight gradients: 2× every layer; input gradients: every layer but the first
    2 * mlpSizes.slice(1).reduce((sum, out, i) => sum + denseFlops(mlpSizes[i]!, out), 0) +
    mlpSizes.slice(2).reduce((sum, out, i) => sum + denseFlops(mlpSizes[i + 1]!, out), 0),
  warmup: 5,
  build() {
    const layers = mlpSizes.slice(1).map((out, i) => ({
      w: heNormal([mlpSizes[i]!, out], mlpSizes[i]!, `mlp/w${i}`),
      b: tf.variable(tf.zeros([out])),
    }));
    const { x, labels } = fixedData([BATCH, 784]);
    const logits = () => {
      let h = x as tf.Tensor2D;
      layers.forEach(({ w, b }, i) => {
        h = linear(h, w as tf.Tensor2D, b as tf.Tensor1D);
        if (i < layers.length - 1) h = tf.relu(h);
      });
      return h;
    };
    const weights = layers.flatMap(({ w, b }) => [w, b]);
    return { step: sgdStep(weights, logits, labels), dispose: () => tf.dispose([...weights, x, labels]) };
  },
};

const conv2Flops = {
  conv1: convFlops(32 * 32, 3, 3, 64),
  conv2: convFlops(32 * 32, 3, 64, 64),
  dense: denseFlops(16 * 16 * 64, 256) + denseFlops(256, 256) + denseFlops(256, CLASSES),
};

const convNet: Workload = {
  name: 'conv-2',
  title: 'Conv-2 (32×32×3)',
  flopsPerStep: 3 * (conv2Flops.conv1 + conv2Flops.conv2 + conv2Flops.dense) - conv2Flops.conv1,
  warmup: 2,
  build() {
    const k1 = heNormal([3, 3, 3, 64], 27, 'conv/k1');
    const k2 = heNormal([3, 3, 64, 64], 576, 'conv/k2');
    const c1 = tf.variable(tf.zeros([64]));
    const c2 = tf.variable(tf.zeros([64]));
    const dense = [
      [16 * 16 * 64, 256],
      [256, 256],
      [256, CLASSES],
    ].map(([fanIn, out], i) => ({
      w: heNormal([fanIn!, out!], fanIn!, `conv/d${i}`),
      b: tf.variable(tf.zeros([out!])),
    }));
    const { x, labels } = fixedData([BATCH, 32, 32, 3]);
    const logits = () => {
      let h = tf.relu(conv2d(x as tf.Tensor4D, k1 as tf.Tensor4D, c1 as tf.Tensor1D, 1, 'same'));
      h = tf.relu(conv2d(h, k2 as tf.Tensor4D, c2 as tf.Tensor1D, 1, 'same'));
      let flat = tf.reshape(maxPool2d(h, 2, 2), [BATCH, 16 * 16 * 64]) as tf.Tensor2D;
      dense.forEach(({ w, b }, i) => {
        flat = linear(flat, w as tf.Tensor2D, b as tf.Tensor1D);
        if (i < dense.length - 1) flat = tf.relu(flat);
      });
      return flat;
    };
    const weights = [k1, c1, k2, c2, ...dense.flatMap(({ w, b }) => [w, b])];
    return { step: sgdStep(weights, logits, labels), dispose: () => tf.dispose([...weights, x, labels]) };
  },
};

// ---- measuring ---------------------------------------------------------------------------------

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function measure(workload: Workload, runner: string, steps: number): Measurement {
  const { step, dispose } = workload.build();
  for (let i = 0; i < workload.warmup; i++) step();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    step();
    times.push(performance.now() - start);
  }
  dispose();
  const stepMsMedian = median(times);
  return { workload: workload.name, runner, stepsPerSecond: 1000 / stepMsMedian, stepMsMedian, steps };
}

interface TorchRun {
  measurements: Measurement[];
  version?: string;
  blas?: string;
  threads?: number;
  /** Why there are no PyTorch numbers. */
  missing?: string;
}

const PYTHON = '/usr/bin/python3';
const OPENBLAS = '/usr/lib/x86_64-linux-gnu/openblas-pthread';

function runTorch(mlpSteps: number, convSteps: number, threads: number): TorchRun {
  if (!existsSync(PYTHON)) return { measurements: [], missing: `${PYTHON} not found` };
  const script = fileURLToPath(new URL('./torch_reference.py', import.meta.url));
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: String(threads) };
  if (existsSync(OPENBLAS)) env['LD_LIBRARY_PATH'] = [OPENBLAS, process.env['LD_LIBRARY_PATH']].filter(Boolean).join(':');
  const result = spawnSync(
    PYTHON,
    [script, '--threads', String(threads), '--mlp-steps', String(mlpSteps), '--conv-steps', String(convSteps)],
    { env, encoding: 'utf8', timeout: 30 * 60 * 1000 },
  );
  if (result.status !== 0) {
    const firstLine = (result.stderr || result.error?.message || 'failed').trim().split('\n').at(-1);
    return { measurements: [], missing: `PyTorch reference failed: ${firstLine}` };
  }
  const run: TorchRun = { measurements: [] };
  for (const line of result.stdout.split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as {
      workload: WorkloadName;
      steps: number;
      step_ms_median: number;
      steps_per_s: number;
      torch: string;
      threads: number;
      blas: string;
    };
    run.measurements.push({
      workload: r.workload,
      runner: 'pytorch',
      stepsPerSecond: r.steps_per_s,
      stepMsMedian: r.step_ms_median,
      steps: r.steps,
    });
    run.version = r.torch;
    run.blas = r.blas;
    run.threads = r.threads;
  }
  return run;
}

// ---- report ------------------------------------------------------------------------------------

function table(workloads: Workload[], measurements: Measurement[], runnerLabels: Map<string, string>): string {
  const rows = ['| work | runner | steps/s | ms/step (median) | GFLOP/s | × PyTorch |', '|---|---|---|---|---|---|'];
  for (const workload of workloads) {
    const reference = measurements.find((m) => m.workload === workload.name && m.runner === 'pytorch');
    for (const m of measurements.filter((m) => m.workload === workload.name)) {
      const ratio = reference && m.runner !== 'pytorch' ? (m.stepsPerSecond / reference.stepsPerSecond).toFixed(2) : '';
      rows.push(
        `| ${workload.title} | ${runnerLabels.get(m.runner) ?? m.runner} | ${m.stepsPerSecond.toFixed(2)} | ` +
          `${m.stepMsMedian.toFixed(1)} | ${((workload.flopsPerStep * m.stepsPerSecond) / 1e9).toFixed(2)} | ${ratio} |`,
      );
    }
  }
  return rows.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'mlp-steps': { type: 'string', default: '100' },
      'conv-steps': { type: 'string', default: '10' },
      'no-torch': { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const mlpSteps = Number(values['mlp-steps']);
  const convSteps = Number(values['conv-steps']);
  const threads = Math.min(2, cpus().length);
  const started = new Date();

  const torch: TorchRun = values['no-torch']
    ? { measurements: [], missing: 'skipped (--no-torch)' }
    : runTorch(mlpSteps, convSteps, threads);
  for (const m of torch.measurements) {
    console.log(`pytorch ${m.workload}: ${m.stepsPerSecond.toFixed(2)} steps/s`);
  }

  const measurements: Measurement[] = [...torch.measurements];
  const runnerLabels = new Map<string, string>();
  if (torch.version) runnerLabels.set('pytorch', `PyTorch ${torch.version} (${torch.blas}, ${torch.threads} threads)`);
  const skipped: string[] = [];
  const requests: BackendRequest[] = ['tensorflow', 'wasm', 'cpu'];
  const seen = new Set<BackendName>();
  for (const request of requests) {
    let name: BackendName;
    let why: string;
    try {
      const choice = await initBackend(request);
      name = choice.name;
      why = choice.tried.at(-1)!.why;
    } catch (error) {
      skipped.push(`${request}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    if (seen.has(name)) continue;
    seen.add(name);
    runnerLabels.set(name, `tfjs ${name} (${why})`);
    const workloads: [Workload, number][] = name === 'cpu' ? [[lenet, mlpSteps]] : [[lenet, mlpSteps], [convNet, convSteps]];
    for (const [workload, steps] of workloads) {
      const m = measure(workload, name, steps);
      console.log(`tfjs ${name} ${workload.name}: ${m.stepsPerSecond.toFixed(2)} steps/s`);
      measurements.push(m);
    }
  }

  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const markdown = [
    '## Training speed: tfjs backends vs PyTorch',
    '',
    `Command: \`node bench/train-speed.ts\` (bench/train-speed.ts, bench/torch_reference.py). ` +
      `Machine: ${cpu}, ${cpus().length} cores; Node ${process.version}; tfjs ${tf.version_core}; ` +
      `${started.toISOString().slice(0, 10)}.`,
    `Batch ${BATCH}, SGD lr ${LEARNING_RATE}, softmax cross-entropy, fixed random data; ${mlpSteps} MLP / ${convSteps} ` +
      'Conv-2 timed steps after a warm-up; steps/s = 1 / median step time. GFLOP/s counts forward, weight-gradient ' +
      'and input-gradient (all layers but the first) matMul/conv work. Conv-2 is not run on tfjs cpu (minutes a step).',
    '',
    table([lenet, convNet], measurements, runnerLabels),
    '',
    torch.missing ? `PyTorch: ${torch.missing}.` : '',
    skipped.length > 0 ? `Not measured: ${skipped.join('; ')}.` : '',
  ]
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd();
  console.log(`\n${markdown}`);
  if (!values['no-write']) writeResultsSection('train-speed', markdown);
}

await main();
