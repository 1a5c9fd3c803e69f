// Benchmark 1: the LeNet-300-100 IMP ladder on Fashion-MNIST (bench/imp-ladder.ltx: twelve levels of
// 20%, the random-reinit control at each level, accuracy probes), whole wall time of `ltx run` on an
// empty cache against PyTorch running the same recipe the OpenLTH way (bench/torch_imp_ladder.py)
// with 1 and with 2 threads, in alternating rounds so that all three see the same machine load.
//
//   node bench/imp-ladder.ts [--steps N] [--rounds N] [--torch-threads 1,2] [--no-write]
//
// Each side runs as a whole process (start-up, data decoding, training, evaluation); seconds are the
// median over the rounds; PyTorch's yardstick is its faster thread count. The section of
// bench/RESULTS.md records the machine and the load average before and after every run.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeResultsSection } from './results-file.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const PYTHON = '/usr/bin/python3';
const OPENBLAS = '/usr/lib/x86_64-linux-gnu/openblas-pthread';

interface Timed {
  seconds: number;
  /** User + system CPU seconds of the process and its threads (GNU time), when /usr/bin/time exists. */
  cpuSeconds?: number;
  loadBefore: number;
  loadAfter: number;
  output: string;
}

const GNU_TIME = '/usr/bin/time';
const CPU_MARK = 'bench-cpu-seconds';

/**
 * Runs a command to its end; its wall time, its CPU time (on a shared machine the steadier figure)
 * and the load average around it.
 */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Timed> {
  const loadBefore = loadavg()[0]!;
  const started = performance.now();
  const withTime = existsSync(GNU_TIME);
  return new Promise((resolve, reject) => {
    const child = withTime
      ? spawn(GNU_TIME, ['-f', `${CPU_MARK} %U %S`, command, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => { errors += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${errors.trim().split('\n').at(-1)}`));
      const seconds = (performance.now() - started) / 1000;
      const cpu = errors.split('\n').find((line) => line.startsWith(CPU_MARK))?.split(' ').slice(1).map(Number);
      const result: Timed = { seconds, loadBefore, loadAfter: loadavg()[0]!, output };
      if (cpu !== undefined) result.cpuSeconds = cpu[0]! + cpu[1]!;
      resolve(result);
    });
  });
}

function ltxLadder(steps: number): Promise<Timed> {
  const cache = mkdtempSync(join(tmpdir(), 'ltx-bench-ladder-'));
  const run = timed(process.execPath, ['bin/ltx.js', 'run', 'bench/imp-ladder.ltx', '--set', `steps=${steps}`, '--cache', cache]);
  return run.finally(() => rmSync(cache, { recursive: true, force: true }));
}

function torchLadder(steps: number, threads: number): Promise<Timed> {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: String(threads) };
  if (existsSync(OPENBLAS)) env['LD_LIBRARY_PATH'] = [OPENBLAS, process.env['LD_LIBRARY_PATH']].filter(Boolean).join(':');
  return timed(PYTHON, ['bench/torch_imp_ladder.py', '--threads', String(threads), '--steps', String(steps)], env);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '3000' },
      rounds: { type: 'string', default: '3' },
      'torch-threads': { type: 'string', default: '1,2' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const steps = Number(values.steps);
  const rounds = Number(values.rounds);
  const torchThreads = values['torch-threads'].split(',').map(Number);
  const whole = (n: number) => Number.isInteger(n) && n >= 1;
  if (!whole(steps) || !whole(rounds) || !torchThreads.every(whole)) {
    console.error('bench/imp-ladder: --steps, --rounds and --torch-threads take whole numbers ≥ 1');
    process.exit(2);
  }
  const torchAvailable = existsSync(PYTHON);
  const runners: { label: string; run: () => Promise<Timed> }[] = [
    { label: 'ltx run (wasm, default --jobs)', run: () => ltxLadder(steps) },
    ...(torchAvailable ? torchThreads.map((threads) => ({ label: `PyTorch, ${threads} thread${threads === 1 ? '' : 's'} (OpenBLAS)`, run: () => torchLadder(steps, threads) })) : []),
  ];
  const results = new Map<string, Timed[]>(runners.map((r) => [r.label, []]));
  const started = new Date();
  for (let round = 0; round < rounds; round++) {
    // Alternate the order too, so that no side always follows the same one.
    const order = round % 2 === 0 ? runners : [...runners].reverse();
    for (const runner of order) {
      const result = await runner.run();
      results.get(runner.label)!.push(result);
      console.log(`round ${round + 1}: ${runner.label}: ${result.seconds.toFixed(1)} s, ${result.cpuSeconds?.toFixed(1) ?? '?'} s CPU (load ${result.loadBefore.toFixed(1)} → ${result.loadAfter.toFixed(1)})`);
    }
  }
  const medians = new Map([...results].map(([label, runs]) => [label, median(runs.map((r) => r.seconds))]));
  const ltxSeconds = medians.get(runners[0]!.label)!;
  const torchBest = Math.min(...runners.slice(1).map((r) => medians.get(r.label)!));
  const cpuMedian = (label: string) => {
    const cpu = results.get(label)!.map((r) => r.cpuSeconds).filter((c) => c !== undefined);
    return cpu.length > 0 ? median(cpu).toFixed(1) : '';
  };
  const rows = ['| runner | median s | rounds (s) | CPU s (median) | load average before → after, per round | PyTorch ÷ ltx |', '|---|---|---|---|---|---|'];
  for (const { label } of runners) {
    const runs = results.get(label)!;
    const ratio = torchAvailable ? (torchBest / medians.get(label)!).toFixed(2) : '';
    rows.push(`| ${label} | ${medians.get(label)!.toFixed(1)} | ${runs.map((r) => r.seconds.toFixed(1)).join(', ')} | ${cpuMedian(label)} | ${runs.map((r) => `${r.loadBefore.toFixed(1)} → ${r.loadAfter.toFixed(1)}`).join('; ')} | ${label === runners[0]!.label ? ratio : ''} |`);
  }
  const markdown = [
    '## Benchmark 1: LeNet-300-100 IMP ladder on Fashion-MNIST, ltx vs PyTorch',
    '',
    `Command: \`node bench/imp-ladder.ts --steps ${steps} --rounds ${rounds} --torch-threads ${torchThreads.join(',')}\` (bench/imp-ladder.ts, bench/imp-ladder.ltx, ` +
      `bench/torch_imp_ladder.py). Machine: ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores; Node ${process.version}; ` +
      `${started.toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    `Twelve levels of 20% global magnitude pruning (output layer kept), rewinding to the init, with the random-reinit ` +
      `control at each level: 25 runs of ${steps} Adam steps (lr 1.2e-3, batch 60) and 25 test-set accuracies. ` +
      'Whole processes, wall time, an empty ltx cache each round; rounds alternate the runners (and their order). ' +
      '"PyTorch ÷ ltx" divides PyTorch\'s faster thread count\'s median by ltx\'s: above 1, ltx is faster.',
    '',
    ...rows,
    '',
    torchAvailable ? '' : `PyTorch: ${PYTHON} not found.`,
  ].join('\n').replace(/\n{3,}/g, '\n\n').trimEnd();
  console.log(`\n${markdown}`);
  if (!values['no-write']) writeResultsSection('imp-ladder', markdown);
}

await main();
