// WebGPU on a GPU: checks the adapter Dawn finds, runs the WebGPU gradient checks, then times
// LeNet-300-100 and Conv-2 training steps (bench/workloads.ts) and replicates trained together
// (bench/replicates.ts on webgpu), and writes a table naming the GPU.
// Started by bench/gpu/run.sh, which sets up Node, the Vulkan loader and the driver (see README.md).
//
//   node bench/gpu/bench.ts [--allow-software] [--mlp-steps N] [--conv-steps N] [--warmup N]
//                           [--replicate-steps N] [--out FILE] [--write-results]
//
// --conv-steps 0 leaves Conv-2 out (on a software adapter one step takes tens of seconds);
// --replicate-steps 0 leaves the replicates out.
// A GPU only queues work when a step returns, so steps are timed in rounds: a round is N steps and
// then one read of a weight, which waits for all of them; ms/step = round time / N, median over rounds.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { describeChoice, initBackend, releaseBackends } from '../../runtime/backends/select.ts';
import { adapterName, webGpuAdapter } from '../../runtime/backends/webgpu-node.ts';
import { writeResultsSection } from '../results-file.ts';
import { BATCH, convNet, lenet, type Workload } from '../workloads.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GRADIENT_TESTS = ['test/backends/webgpu-gradients.test.ts', 'test/backends/webgpu.test.ts'];
const ROUNDS = 4;

function fail(message: string): never {
  console.error(`bench/gpu: ${message}`);
  process.exit(1);
}

function count(text: string, flag: string, least: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < least) {
    console.error(`bench/gpu: --${flag} ${text}: expected a whole number ≥ ${least}`);
    process.exit(2);
  }
  return n;
}

/** The gradient checks are the WebGPU test files, run by Node's test runner in a child process (the same adapter). */
function gradientChecks(): { passed: number; failed: number; skipped: number; output: string } {
  const r = spawnSync(process.execPath, ['--test', ...GRADIENT_TESTS], { cwd: ROOT, encoding: 'utf8', env: process.env });
  const output = `${r.stdout}${r.stderr}`;
  const count = (what: string) => Number(new RegExp(`^ℹ ${what} (\\d+)$`, 'm').exec(output)?.[1] ?? NaN);
  return { passed: count('pass'), failed: count('fail'), skipped: count('skipped'), output };
}

/** Three significant digits: steps/s range from hundredths (Conv-2 on a software adapter) to thousands. */
function significant(x: number): string {
  return String(Number(x.toPrecision(3)));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** bench/replicates.ts on webgpu (its own process and device), without PyTorch: its tables, one heading level down. */
function replicates(steps: number): string {
  const args = ['bench/replicates.ts', '--backend', 'webgpu', '--no-torch', '--no-write', '--lenet-steps', String(steps), '--digits-steps', String(steps)];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: process.env });
  if (r.status !== 0) fail(`bench/replicates.ts failed:\n${r.stderr}`);
  const start = r.stdout.indexOf('## Replicates trained together');
  if (start < 0) fail(`bench/replicates.ts printed no table:\n${r.stdout}`);
  return r.stdout.slice(start).trim().replace(/^(#+) /gm, '#$1 ');
}

/** Median milliseconds per step over ROUNDS rounds of `steps` steps each, after `warmup` steps. */
async function msPerStep(workload: Workload, steps: number, warmup: number): Promise<number> {
  const built = workload.build();
  try {
    for (let i = 0; i < warmup; i++) built.step();
    await built.settle();
    const rounds: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const start = performance.now();
      for (let i = 0; i < steps; i++) built.step();
      await built.settle();
      rounds.push((performance.now() - start) / steps);
    }
    return median(rounds);
  } finally {
    built.dispose();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'allow-software': { type: 'boolean', default: false },
      'mlp-steps': { type: 'string', default: '200' },
      'conv-steps': { type: 'string', default: '20' },
      // Default: each workload's own (bench/workloads.ts), which suits wasm's threads more than a GPU.
      warmup: { type: 'string' },
      'replicate-steps': { type: 'string', default: '200' },
      out: { type: 'string', default: fileURLToPath(new URL('./results.md', import.meta.url)) },
      'write-results': { type: 'boolean', default: false },
    },
  });
  const steps = { mlp: count(values['mlp-steps'], 'mlp-steps', 1), conv: count(values['conv-steps'], 'conv-steps', 0) };
  const warmup = values.warmup === undefined ? undefined : count(values.warmup, 'warmup', 0);
  const replicateSteps = count(values['replicate-steps'], 'replicate-steps', 0);

  let line: string;
  try {
    line = describeChoice(await initBackend('webgpu')).join('; ');
  } catch (error) {
    fail(`WebGPU did not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  console.log(line);
  const adapter = webGpuAdapter()!;
  if (adapter.software && !values['allow-software']) {
    fail(`Dawn found only ${adapterName(adapter)}: the GPU's Vulkan driver was not found (bench/gpu/run.sh says where it looked); --allow-software measures the software adapter anyway`);
  }

  console.log(`gradient checks (${GRADIENT_TESTS.join(', ')}) ...`);
  const checks = gradientChecks();
  if (!(checks.failed === 0 && checks.passed > 0)) {
    process.stderr.write(checks.output);
    fail(`the gradient checks did not pass: ${checks.passed} passed, ${checks.failed} failed`);
  }
  console.log(`gradient checks: ${checks.passed} passed, ${checks.skipped} skipped`);

  const measured: { workload: Workload; ms: number; steps: number }[] = [];
  const workloads = ([[lenet, steps.mlp], [convNet, steps.conv]] as const).filter(([, n]) => n > 0);
  for (const [workload, n] of workloads) {
    const ms = await msPerStep(workload, n, warmup ?? workload.warmup);
    console.log(`${workload.title}: ${significant(1000 / ms)} steps/s`);
    measured.push({ workload, ms, steps: n });
  }

  let replicateTables = '';
  if (replicateSteps > 0) {
    console.log(`replicates trained together (bench/replicates.ts --backend webgpu, ${replicateSteps} steps) ...`);
    replicateTables = replicates(replicateSteps);
  }

  const gpu = adapterName(adapter);
  const markdown = [
    `## WebGPU training speed on ${gpu}`,
    '',
    `Command: \`bench/gpu/run.sh\` (bench/gpu/bench.ts; workloads in bench/workloads.ts). Host ${hostname()}, ` +
      `${cpus()[0]?.model.trim() ?? 'unknown CPU'}; Node ${process.version}; tfjs ${tf.version_core}; ` +
      `${new Date().toISOString().slice(0, 10)}.`,
    `Backend: ${line}.`,
    `WebGPU checks (${GRADIENT_TESTS.join(', ')}: every model's gradients against the cpu backend's, the adapter, ` +
      `resident checkpoints): ${checks.passed} passed, ${checks.failed} failed.`,
    `Batch ${BATCH}, SGD, softmax cross-entropy, fixed random data; after ${warmup === undefined ? 'the warm-up' : `${warmup} warm-up step${warmup === 1 ? '' : 's'}`}, ${ROUNDS} rounds of N steps ` +
      'each ended by reading a weight back (which waits for the GPU); ms/step = median round time / N.',
    '',
    '| work | GPU | steps per round | steps/s | ms/step | GFLOP/s |',
    '|---|---|---|---|---|---|',
    ...measured.map(({ workload, ms, steps: n }) =>
      `| ${workload.title} | ${gpu} | ${n} | ${significant(1000 / ms)} | ${significant(ms)} | ${significant(workload.flopsPerStep / ms / 1e6)} |`),
    ...(steps.conv === 0 ? ['', 'Conv-2 was not measured (--conv-steps 0).'] : []),
    '',
    replicateTables || 'Replicates were not measured (--replicate-steps 0).',
  ].join('\n');
  console.log(`\n${markdown}`);
  writeFileSync(values.out, `${markdown}\n`);
  console.log(`\nwritten to ${values.out}`);
  if (values['write-results']) writeResultsSection('gpu-webgpu', markdown);
  releaseBackends();
}

await main();
