// The Slurm executor on the one-node cluster (scripts/slurm-cluster.sh start): what a stage costs in
// overhead, afterok chains against the controller's own ordering, and a quickstart-sized program's wall
// time with the local and the Slurm executor. Writes the `slurm` section of bench/RESULTS.md.
//
//   eval "$(scripts/slurm-cluster.sh start)" && node bench/slurm.ts [--rounds N] [--no-quickstart]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { TINY } from '../test/cli/helpers.ts';
import { writeResultsSection } from './results-file.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(ROOT, 'bin/ltx.js');
const JOB_SCRIPT = join(ROOT, 'runtime/executors/slurm/stage-job.sh');
const SLURM_FLAGS = ['--slurm', 'cpus=1', '--slurm', 'mem=1G', '--slurm', 'poll=0.2'];

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, 'no-quickstart': { type: 'boolean' } } });
const rounds = Number(values.rounds);

const SETUP = `dataset d = digits(test: 20%, seed: 0)
model net = mlp(input: 64, hidden: [16], classes: 10)
optimizer opt = sgd(lr: 0.1, momentum: 0.9, batch: 60)
`;
/** A chain of six levels (nine stages), each stage well under a second of work: the CLI tests' program. */
const CHAIN = TINY;

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function must(r: ReturnType<typeof spawnSync>, what: string): void {
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${String(r.stderr).slice(-800)}`);
}

function ltx(args: string[], cwd: string): void {
  must(spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' }), `ltx ${args.join(' ')}`);
}

function workspace(program: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ltx-bench-slurm-'));
  const file = join(dir, 'p.ltx');
  writeFileSync(file, program);
  return { dir, file };
}

function timed(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return seconds(start);
}

/** Slurm alone: an empty job (the stage-job script running `true`) from sbatch to COMPLETED, polled every 50 ms. */
function emptyJob(): number {
  const start = process.hrtime.bigint();
  const r = spawnSync('sbatch', ['--parsable', '--output=/dev/null', JOB_SCRIPT, 'true'], { encoding: 'utf8' });
  must(r, 'sbatch');
  const id = r.stdout.trim();
  for (;;) {
    const state = spawnSync('squeue', ['-h', '-t', 'all', '-j', id, '-o', '%T'], { encoding: 'utf8' }).stdout.trim();
    if (state === 'COMPLETED') return seconds(start);
    if (/FAILED|CANCELLED/.test(state)) throw new Error(`job ${id} ${state}`);
    spawnSync('sleep', ['0.05']);
  }
}

/**
 * One trivial stage (an init) through `ltx run`, in a fresh cache, locally or as a Slurm job: the command's
 * wall time, and for Slurm the stage's own submit → done (its job record's submittedAt to its exit file's
 * finishedAt).
 */
function oneStage(executor: 'local' | 'slurm', seed: number): { wall: number; submitToDone?: number } {
  const { dir, file } = workspace(`${SETUP}init w0 = kaiming_normal(net, seed: ${seed})\n`);
  const cache = join(dir, 'c');
  try {
    const wall = timed(() => ltx(['run', file, '--cache', cache, ...(executor === 'slurm' ? ['--executor', 'slurm', ...SLURM_FLAGS] : ['-j', '1'])], dir));
    if (executor === 'local') return { wall };
    const [name] = readdirSync(join(cache, 'slurm', 'jobs'));
    const read = (sub: string) => JSON.parse(readFileSync(join(cache, 'slurm', sub, name!), 'utf8'));
    return { wall, submitToDone: (Date.parse(read('exits').finishedAt) - Date.parse(read('jobs').submittedAt)) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Jobs of `cache` that have written a successful exit file. */
function doneJobs(cache: string): number {
  const dir = join(cache, 'slurm', 'exits');
  if (!existsSync(dir)) return 0;
  // Only the exit files themselves: a job may be renaming its file into place (a .tmp beside it).
  return readdirSync(dir).filter((name) => name.endsWith('.json') && JSON.parse(readFileSync(join(dir, name), 'utf8')).code === 0).length;
}

/**
 * The chain ordered by the controller (`ltx run --executor slurm`), or by Slurm: `--slurm order=afterok`
 * (the run follows the jobs), `--detach` (timed until the last exit file).
 */
function chain(order: 'controller' | 'afterok' | 'detached'): number {
  const { dir, file } = workspace(CHAIN);
  const cache = join(dir, 'c');
  try {
    if (order !== 'detached') return timed(() => ltx(['run', file, '--cache', cache, '--executor', 'slurm', ...SLURM_FLAGS, '--slurm', `order=${order}`], dir));
    const start = process.hrtime.bigint();
    ltx(['run', file, '--cache', cache, '--executor', 'slurm', '--detach', ...SLURM_FLAGS], dir);
    while (doneJobs(cache) < 9) spawnSync('sleep', ['0.05']);
    return seconds(start);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function quickstart(executor: 'local' | 'controller' | 'afterok'): number {
  const dir = mkdtempSync(join(tmpdir(), 'ltx-bench-slurm-'));
  try {
    const file = join(ROOT, 'examples/quickstart.ltx');
    const flags = executor === 'local' ? [] : ['--executor', 'slurm', ...SLURM_FLAGS, '--slurm', `order=${executor}`];
    return timed(() => ltx(['run', file, '--cache', join(dir, 'c'), ...flags], dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const nodeCpus = spawnSync('sinfo', ['-h', '-o', '%c'], { encoding: 'utf8' }).stdout.trim();
const loadBefore = loadavg()[0]!;
const empty: number[] = [];
const local: number[] = [];
const slurm: number[] = [];
const submitToDone: number[] = [];
const controller: number[] = [];
const afterok: number[] = [];
const detached: number[] = [];
// Rounds interleave the measurements, so a change of machine load touches all of them alike.
for (let round = 0; round < rounds; round++) {
  empty.push(emptyJob());
  local.push(oneStage('local', round).wall);
  const onSlurm = oneStage('slurm', round);
  slurm.push(onSlurm.wall);
  submitToDone.push(onSlurm.submitToDone!);
  controller.push(chain('controller'));
  afterok.push(chain('afterok'));
  detached.push(chain('detached'));
  process.stderr.write(`round ${round + 1}/${rounds} done\n`);
}
const quick = values['no-quickstart'] ? undefined : { local: quickstart('local'), controller: quickstart('controller'), afterok: quickstart('afterok') };
const loadAfter = loadavg()[0]!;

const f = (x: number) => x.toFixed(2);
const row = (what: string, xs: number[]) => `| ${what} | ${f(median(xs))} | ${f(Math.min(...xs))} | ${f(Math.max(...xs))} |`;
const lines = [
  '## The Slurm executor on a one-node cluster',
  '',
  `Command: \`node bench/slurm.ts\` after \`eval "$(scripts/slurm-cluster.sh start)"\`. Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores ` +
    `(the Slurm node: ${nodeCpus} CPUs, Slurm 22.05, batch_sched_delay=0); Node ${process.version}; ${new Date().toISOString().slice(0, 10)}; ` +
    `load average (1 min) ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after. Jobs ask for 1 CPU and 1G; the controller polls every 0.2 s. ` +
    `${rounds} rounds, interleaved; seconds.`,
  '',
  '| what | median | fastest | slowest |',
  '|---|---|---|---|',
  row('Slurm alone: an empty job, sbatch → COMPLETED', empty),
  row('`ltx run`, one trivial stage (an init), local executor', local),
  row('`ltx run`, one trivial stage, `--executor slurm`', slurm),
  row('that stage alone on Slurm: sbatch → its exit file written (the overhead per stage)', submitToDone),
  row('9-stage chain of 6 levels, DAG order by the controller (`ltx run --executor slurm`)', controller),
  row('the same chain, DAG order by Slurm (`--slurm order=afterok`)', afterok),
  row('the same chain submitted with `--detach` (afterok), until the last exit file', detached),
  ...(quick === undefined ? [] : [
    `| examples/quickstart.ltx (65 stages), local executor (2 workers), once | ${f(quick.local)} | | |`,
    `| examples/quickstart.ltx, \`--executor slurm\` (controller order, arrays), once | ${f(quick.controller)} | | |`,
    `| examples/quickstart.ltx, \`--executor slurm --slurm order=afterok\`, once | ${f(quick.afterok)} | | |`,
  ]),
  '',
  `Overhead per stage: ${f(median(submitToDone))} s from sbatch to the stage's exit file (median), of which Slurm's own scheduling ` +
    `(an empty job) is ${f(median(empty))} s; the rest is the job starting Node and a tfjs backend to compute one stage of a few milliseconds. ` +
    `Per level of the chain: ${f(median(controller) / 6)} s ordered by the controller, ${f(median(afterok) / 6)} s by afterok ` +
    `(${f(median(detached) / 6)} s detached).`,
];
writeResultsSection('slurm', lines.join('\n'));
process.stdout.write(lines.join('\n') + '\n');
