// `ltx run`, `ltx results`, `ltx cache` and `ltx plan` against a real cache, through the real binary, on
// a tiny program (an mlp 64-16-10 on the bundled digits, a few dozen steps): the --json documents, exit
// statuses, failures that fail only their descendants, two runs sharing a cache, a run killed with -9.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileFile } from '../../cli/compile-file.ts';
import { commandHelp } from '../../cli/help.ts';
import { main } from '../../cli/main.ts';
import { UsageError } from '../../cli/usage.ts';
import { BIN, digitsImp, env, FAILING_BRANCH, heavyPackages, ltx, ltxLoading, ROOT, TINY, workspace } from './helpers.ts';

/** Long enough to be killed in the middle: four training runs of 150 steps. */
const LOTTERY = digitsImp(150, 3);

/** Starts `ltx ARGS`; `lines` holds stdout's lines so far, `done` its exit. */
function ltxAsync(args: string[], extraEnv: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...env, ...extraEnv } });
  const lines: string[] = [];
  let buffered = '';
  let stderr = '';
  const waiters: { match: RegExp; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters.filter((w) => w.match.test(line))) w.resolve();
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const done = new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (status, signal) => resolve({ status, signal, stdout: lines.join('\n') + buffered, stderr }));
  });
  const sees = (match: RegExp) => new Promise<void>((resolve) => {
    if (lines.some((line) => match.test(line))) resolve();
    else waiters.push({ match, resolve });
  });
  return { child, lines, done, sees };
}

type Divergence = { step: number; loss_start: number; loss_end: number };
type RunDoc = { backend: string | null; stages: { id: string; name: string; status: string; seconds: number; error?: string; diverged?: Divergence }[]; failed: number };

test('run --json prints one summary document; a second run finds everything cached and starts no backend', () => {
  const { file, cache } = workspace();
  const first = ltx(['run', file, '--json', '--cache', cache, '-j', '1']);
  assert.equal(first.status, 0, first.stderr);
  const doc: RunDoc = JSON.parse(first.stdout);
  assert.ok(['wasm', 'cpu', 'tensorflow', 'tensorflow-gpu', 'webgpu'].includes(doc.backend!), String(doc.backend));
  assert.equal(doc.stages.length, 9);
  assert.equal(doc.failed, 0);
  for (const s of doc.stages) {
    assert.match(s.id, /^[0-9a-f]{64}$/);
    assert.equal(s.status, 'done', s.name);
    assert.equal(typeof s.seconds, 'number');
  }
  assert.match(first.stderr, /backend \S+: chosen/, 'the backend line goes to stderr with --json');
  assert.match(first.stderr, /^started {2}w0$/m);

  const second = ltxLoading(['run', file, '--json', '--cache', cache]);
  assert.equal(second.status, 0, second.stderr);
  const again: RunDoc = JSON.parse(second.stdout);
  assert.equal(again.backend, null);
  assert.deepEqual(new Set(again.stages.map((s) => s.status)), new Set(['cached']));
  // No backend module: a run with nothing to compute starts none (the op modules' own imports aside:
  // see test/cli/startup.test.ts).
  assert.ok(!second.modules.some((url) => /tfjs-backend-wasm|wasm-threads/.test(url)), 'no backend was loaded');
});

test('results, plan and cache read what a run left in the cache', () => {
  const { dir, file, cache } = workspace();
  const text = ltx(['run', file, '--cache', cache, '-j', '1']);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /9 stages: 0 cached, 9 computed/);
  assert.doesNotMatch(text.stdout, /warning/, 'a healthy run has no divergence warning');
  assert.ok(text.stdout.includes(`results: ltx results ${file}`));
  assert.ok(text.stdout.includes(`cache:   ${cache}`));

  const results = JSON.parse(ltx(['results', file, '--json', '--cache', cache]).stdout);
  assert.deepEqual(Object.keys(results.probes), ['acc', 'acct', 'kept']);
  const acc = results.probes.acc[0];
  assert.deepEqual([acc.name, acc.index, acc.subject, acc.status], ['acc', {}, 'dense', 'done']);
  assert.ok(acc.metrics.accuracy > 0.1 && acc.metrics.accuracy <= 1, String(acc.metrics.accuracy));
  const kept = results.probes.kept[0];
  assert.equal(kept.metrics.remaining, 0.5);
  assert.equal(typeof kept.layers.layer1.remaining, 'number');

  const csv = ltx(['results', file, '--csv', '--cache', cache]).stdout.trim().split('\n');
  const header = csv[0]!.split(',');
  assert.deepEqual(header.slice(0, 4), ['probe', 'name', 'accuracy', 'loss']);
  assert.ok(header.includes('remaining') && header.includes('layer1.remaining'));
  assert.equal(csv.length, 4);
  assert.equal(csv[1]!.split(',')[header.indexOf('accuracy')], String(acc.metrics.accuracy));

  // The cache also comes from LTX_CACHE (else .ltx-cache in the working directory).
  const fromEnv = spawnSync(process.execPath, [BIN, 'plan', file], { encoding: 'utf8', cwd: dir, env: { ...env, LTX_CACHE: cache } });
  assert.match(fromEnv.stdout, /9 stages: 9 cached, 0 to run/);

  writeFileSync(file, TINY.replace('rate: 50%', 'rate: 40%'));
  const replanned = ltx(['plan', file, '--cache', cache]).stdout;
  assert.match(replanned, /^m +mask +magnitude +[0-9a-f]{12} +run +rate: 0\.5 → 0\.4$/m);
  assert.match(replanned, /^t +train +train +[0-9a-f]{12} +run +input changed: t\/rewind$/m);
  assert.match(replanned, /^dense 0→10 +train .* cached/m);

  const ls = JSON.parse(ltx(['cache', 'ls', '--json', '--cache', cache]).stdout);
  assert.equal(ls.entries.length, 9);
  assert.ok(ls.entries.some((e: { name: string; op: string }) => e.name === 'm' && e.op === 'magnitude'));
  assert.equal(ltx(['cache', 'verify', '--cache', cache]).status, 0);
});

test('--only runs what one declaration needs; results shows the rest as pending; verify names a damaged output', () => {
  const { file, cache } = workspace();
  const only: RunDoc = JSON.parse(ltx(['run', file, '--cache', cache, '--only', 'm', '--json', '-j', '1']).stdout);
  assert.deepEqual(only.stages.map((s) => s.name), ['w0', 'dense 0→10', 'dense 10→40', 'm']);
  const results = JSON.parse(ltx(['results', file, '--json', '--cache', cache]).stdout);
  assert.deepEqual(results.probes.acc, [{ name: 'acc', index: {}, subject: 'dense', subjects: { x: 'dense' }, metrics: {}, status: 'pending' }]);

  const mask = only.stages.find((s) => s.name === 'm')!;
  const record = JSON.parse(readFileSync(join(cache, 'actions', `${mask.id}.json`), 'utf8'));
  const digest: string = Object.values(record.outputs as Record<string, { digest: string }>)[0]!.digest;
  const blob = join(cache, 'blobs', 'sha256', digest.slice(0, 2), digest.slice(2));
  const bytes = readFileSync(blob);
  bytes[bytes.length - 1] ^= 0xff;
  rmSync(blob, { force: true });
  writeFileSync(blob, bytes);

  const verify = ltx(['cache', 'verify', '--cache', cache]);
  assert.equal(verify.status, 1);
  assert.ok(verify.stdout.includes(mask.id), verify.stdout);
  assert.ok(verify.stdout.includes(blob), verify.stdout);
  const json = JSON.parse(ltx(['cache', 'verify', '--json', '--cache', cache]).stdout);
  assert.equal(json.ok, false);
  assert.deepEqual(json.problems.map((p: { key: string; file: string }) => [p.key, p.file]), [[mask.id, blob]]);

  const gc = JSON.parse(ltx(['cache', 'gc', '--json', '--cache', cache]).stdout);
  for (const field of ['removedRecords', 'removedBlobs', 'removedTmp', 'removedClaims', 'bytesFreed']) assert.ok(field in gc, field);
});

test('a failing stage fails only its descendants: the rest completes and the run exits 1 naming the cause', () => {
  // A learning rate that makes the loss overflow: `check` cannot see it; the run fails the stage (NaN).
  const { file, cache } = workspace(TINY + FAILING_BRANCH);
  const r = ltx(['run', file, '--json', '--cache', cache, '-j', '1']);
  assert.equal(r.status, 1, r.stderr);
  const doc: RunDoc = JSON.parse(r.stdout);
  const status = Object.fromEntries(doc.stages.map((s) => [s.name, s]));
  assert.equal(status['broken']!.status, 'failed');
  assert.ok(status['broken']!.error!.length > 0);
  assert.deepEqual([status['broken_acc']!.status, status['broken_acc']!.error], ['skipped', "'broken' failed"]);
  assert.equal(status['w1']!.status, 'done');
  for (const name of ['w0', 'dense 0→10', 'm', 't', 'acc', 'kept']) assert.equal(status[name]!.status, 'done', name);
  assert.equal(doc.failed, 1);
  const text = ltx(['run', file, '--cache', cache, '-j', '1']);
  assert.equal(text.status, 1);
  assert.match(text.stdout, /^failed {3}broken: /m);
  assert.match(text.stdout, /failed broken: .*\n +skipped because of it: broken_acc/);
});

/** sgd at lr 1000 on digits: the loss jumps to hundreds at once and stays there, finite (no NaN). */
const EXPLODING = `dataset d = digits(test: 20%, seed: 0)
model net = mlp(input: 64, hidden: [16], classes: 10)
init w0 = kaiming_normal(net, seed: 0)
optimizer opt = sgd(lr: 1e3, batch: 60)
train dense = fit(w0, data: d.train, optimizer: opt, steps: 30 steps, order: 0)
probe acc = accuracy(dense, on: d.test)
probe early = accuracy(dense @ 10 steps, on: d.test)
probe before = accuracy(w0, on: d.test)
`;

test('training whose loss explodes finishes with a warning naming the run, the step and the losses, and results mark its rows', () => {
  const { file, cache } = workspace(EXPLODING);
  const run = ltx(['run', file, '--cache', cache, '-j', '1']);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^done {5}dense 0→10 .*\nwarning {2}dense 0→10: training diverged at step \d+ \(loss [\d.]+ at the start, [\d.]+ at the end\)$/m);
  // The summary names each diverged run once, by its last segment.
  const summary = run.stdout.slice(run.stdout.indexOf('6 stages: 0 cached, 6 computed'));
  assert.ok(summary.length > 1, run.stdout);
  const warnings = [...summary.matchAll(/^ {2}warning {2}(.+): training diverged at step (\d+) \(loss ([\d.]+) at the start, ([\d.]+) at the end\)$/gm)];
  assert.deepEqual(warnings.map((w) => w[1]), ['dense 10→30'], summary);
  const [, , step, start, end] = warnings[0]!;
  assert.ok(Number(step) >= 1 && Number(step) < 10, step);
  assert.ok(Number(end) > 10 * Number(start), `${start} → ${end}`);

  const again: RunDoc = JSON.parse(ltx(['run', file, '--json', '--cache', cache]).stdout);
  const dense = again.stages.find((s) => s.name === 'dense 10→30')!;
  assert.equal(dense.status, 'cached');
  const diverged = dense.diverged!;
  assert.deepEqual(Object.keys(diverged), ['step', 'loss_start', 'loss_end']);
  assert.equal(diverged.step, Number(step));
  assert.equal(diverged.loss_start.toPrecision(4), Number(start).toPrecision(4));
  assert.ok(diverged.loss_end > 10 * diverged.loss_start);
  assert.equal(again.stages.find((s) => s.name === 'w0')!.diverged, undefined);

  const text = ltx(['results', file, '--cache', cache]).stdout;
  assert.match(text, /^dense +0\.\d+ +[\d.]+ +1 +diverged$/m);
  assert.match(text, /^dense @ 10 steps +0\.\d+ +[\d.]+ +1 +diverged$/m);
  assert.match(text, /^before accuracy.*\nSUBJECT +ACCURACY +LOSS +REMAINING\nw0 +[\d.]+ +[\d.]+ +1\n/m);
  assert.match(text, /warning: rows marked 'diverged' measure training that diverged:\n {2}dense 10→30: training diverged at step \d+ .*\n {2}dense 0→10: training diverged at step \d+ /);
  const json = JSON.parse(ltx(['results', file, '--json', '--cache', cache]).stdout);
  assert.deepEqual(json.probes.acc[0].diverged, [{ stage: 'dense 10→30', ...diverged }]);
  assert.equal(json.probes.early[0].diverged[0].stage, 'dense 0→10');
  assert.equal(json.probes.before[0].diverged, undefined);
});

test('two runs on one cache at the same time compute each stage once', async () => {
  const { file, cache } = workspace();
  const one = ltxAsync(['run', file, '--cache', cache, '--json', '-j', '1']);
  const two = ltxAsync(['run', file, '--cache', cache, '--json', '-j', '1']);
  const [a, b] = await Promise.all([one.done, two.done]);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(b.status, 0, b.stderr);
  const docs: RunDoc[] = [JSON.parse(a.stdout), JSON.parse(b.stdout)];
  for (let i = 0; i < docs[0]!.stages.length; i++) {
    const statuses = docs.map((d) => d.stages[i]!.status);
    assert.equal(statuses.filter((s) => s === 'done').length, 1, `${docs[0]!.stages[i]!.name}: ${statuses}`);
  }
  const started = (a.stderr + b.stderr).split('\n').filter((line) => line.startsWith('started ')).length;
  assert.equal(started, 9);
  assert.equal(readdirSync(join(cache, 'actions')).length, 9);
});

test('a run killed with -9 leaves a consistent cache; the rerun completes with the same results as a clean run', async () => {
  // The clean run, for the results to compare with, goes side by side with the run that is killed.
  const clean = workspace(LOTTERY);
  const cleanRun = ltxAsync(['run', clean.file, '--cache', clean.cache, '-j', '1']);
  const { file, cache } = workspace(LOTTERY);
  const victim = ltxAsync(['run', file, '--cache', cache, '-j', '2']);
  await victim.sees(/^started {2}imp\[1\]$/);
  victim.child.kill('SIGKILL');
  const killed = await victim.done;
  assert.equal(killed.signal, 'SIGKILL');
  assert.ok(!killed.stdout.includes('stages:'), 'killed before the end');
  assert.equal((await cleanRun.done).status, 0);
  const expected = JSON.parse(ltx(['results', clean.file, '--json', '--cache', clean.cache]).stdout).probes;

  const rerun = ltx(['run', file, '--cache', cache, '--json', '-j', '1']);
  assert.equal(rerun.status, 0, rerun.stderr);
  const doc: RunDoc = JSON.parse(rerun.stdout);
  assert.ok(doc.stages.some((s) => s.status === 'cached'), 'the rerun continued from what was committed');
  assert.ok(doc.stages.some((s) => s.status === 'done'));
  assert.equal(ltx(['cache', 'verify', '--cache', cache]).status, 0);
  assert.deepEqual(JSON.parse(ltx(['results', file, '--json', '--cache', cache]).stdout).probes, expected);
});

/** One training run long enough to be killed in the middle of its only train stage. */
const LONG_RUN = `dataset d = digits(test: 20%, seed: 0)
model net = mlp(input: 64, hidden: [16], classes: 10)
init w0 = kaiming_normal(net, seed: 0)
optimizer opt = sgd(lr: 0.05, momentum: 0.9, batch: 60)
train dense = fit(w0, data: d.train, optimizer: opt, steps: 800 steps, order: 0)
`;

test('kill -9 in the middle of a long training stage: the rerun resumes from its last committed checkpoint and ends bit-identical to an uninterrupted run', async () => {
  const { file, cache } = workspace(LONG_RUN);
  const victim = ltxAsync(['run', file, '--cache', cache, '-j', '1'], { LTX_CHECKPOINT_EVERY_STEPS: '100' });
  await victim.sees(/^saved {4}dense: its run's checkpoint at step 100$/);
  victim.child.kill('SIGKILL');
  const killed = await victim.done;
  assert.equal(killed.signal, 'SIGKILL');
  assert.ok(!killed.stdout.includes('done     dense'), 'killed before the stage ended');
  const [run] = readdirSync(join(cache, 'runs'));
  const committed = readdirSync(join(cache, 'runs', run!)).map((f) => Number(f.replace('.json', '')));
  const last = Math.max(...committed);
  assert.ok(last >= 100 && last < 800, `committed steps ${committed}`);

  const rerun = ltx(['run', file, '--cache', cache, '-j', '1']);
  assert.equal(rerun.status, 0, rerun.stderr);
  assert.match(rerun.stdout, new RegExp(`^resumed  dense from step ${last} \\(a checkpoint of its run in the cache\\)$`, 'm'));
  const dense = (await compileFile(file, { sets: [] })).stages.find((s) => s.kind === 'train')!;
  const record = (root: string) => JSON.parse(readFileSync(join(root, 'actions', `${dense.key}.json`), 'utf8'));
  assert.deepEqual(record(cache).run, { id: run, step: 800, from: last });

  const clean = workspace(LONG_RUN);
  assert.equal(ltx(['run', clean.file, '--cache', clean.cache, '-j', '1']).status, 0);
  assert.equal(record(clean.cache).run.from, 0);
  assert.deepEqual(record(cache).outputs, record(clean.cache).outputs, 'the same checkpoint bytes');
});

test('run: a malformed LTX_CHECKPOINT_EVERY_STEPS or _SECONDS is a usage error naming it', () => {
  const { file, cache } = workspace();
  const steps = ltx(['run', file, '--cache', cache], ROOT, { LTX_CHECKPOINT_EVERY_STEPS: '0' });
  assert.equal(steps.status, 2);
  assert.match(steps.stderr, /LTX_CHECKPOINT_EVERY_STEPS=0: expected a whole number of steps ≥ 1/);
  const seconds = ltx(['run', file, '--cache', cache], ROOT, { LTX_CHECKPOINT_EVERY_SECONDS: 'soon' });
  assert.equal(seconds.status, 2);
  assert.match(seconds.stderr, /LTX_CHECKPOINT_EVERY_SECONDS=soon: expected a number of seconds > 0/);
});

test('run: usage errors name the flag (exit status 2)', async () => {
  const { file } = workspace();
  const cases: [string[], RegExp][] = [
    [['run', file, '--detach'], /--detach goes with --executor slurm/],
    [['run', file, '--slurm', 'cpus=2'], /--slurm goes with --executor slurm/],
    [['run', file, '--executor', 'slurm', '--slurm', 'cpus'], /--slurm cpus: expected KEY=VALUE/],
    [['run', file, '--executor', 'slurm', '--slurm', 'cpus=two'], /--slurm cpus: expected a whole number ≥ 1, got "two"/],
    [['run', file, '--executor', 'slurm', '--slurm', 'trian.time=1:00:00'], /--slurm trian.time: 'trian' is not a stage kind/],
    [['run', file, '--executor', 'slurm', '--slurm', 'partiton=gpu'], /--slurm partiton: unknown setting 'partiton'/],
    [['run', file, '--executor', 'ssh'], /--executor ssh/],
    [['run', file, '--jobs', '0'], /--jobs 0/],
    [['run', file, '--jobs', 'many'], /--jobs many/],
    [['run', file, '--backend', 'gpu'], /--backend gpu: expected one of auto, tensorflow, webgpu, wasm, cpu/],
    [['run', file, '--device-cache', 'lots'], /--device-cache lots/],
    [['run', file, '--only', 'accc'], /--only accc: .*did you mean 'acc'\?/],
    [['run', file, '--csv'], /unknown option '--csv'/],
    [['results', file, '--json', '--csv'], /--json and --csv exclude each other/],
    [['cache'], /missing action/],
    [['cache', 'frob'], /unknown action 'frob'/],
  ];
  for (const [argv, message] of cases) {
    await assert.rejects(main(argv), (error: Error) => error instanceof UsageError && message.test(error.message), argv.join(' '));
  }
});

const nativeTensorflow = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'].some((name) => existsSync(join(ROOT, 'node_modules', name)));

test('a backend that cannot start ends the run with exit status 1, saying why', { skip: nativeTensorflow && 'native TensorFlow is installed here' }, () => {
  const { file, cache } = workspace();
  const r = ltx(['run', file, '--backend', 'tensorflow', '--cache', cache]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no usable backend for --backend tensorflow: tensorflow-gpu \(not installed\); tensorflow \(not installed\)/);
});

test('run, results and cache have --help', () => {
  const r = ltx(['run', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^Usage: ltx run FILE/);
  assert.match(commandHelp['results']!, /^Usage: ltx results FILE/);
  assert.match(commandHelp['cache']!, /^Usage: ltx cache ls\|verify\|gc/);
});

test('results --json carries the series a probe stored (instability\'s error path over α)', () => {
  const { dir, file, cache } = workspace(`dataset d = digits(test: 20%, seed: 0)
model net = mlp(input: 64, hidden: [8], classes: 10)
init w0 = kaiming_normal(net, seed: 0)
optimizer opt = sgd(lr: 0.1, batch: 60)
train dense = fit(w0, data: d.train, optimizer: opt, steps: 20 steps, order: 0)
probe lmc = instability(dense @ 5 steps, copies: 2, points: 3, on: d.test)
`);
  assert.equal(ltx(['run', file, '--cache', cache, '--jobs', '1'], dir).status, 0);
  const r = ltx(['results', file, '--cache', cache, '--json'], dir);
  assert.equal(r.status, 0, r.stderr);
  const row = JSON.parse(r.stdout).probes.lmc[0];
  assert.deepEqual(row.series.alpha, [0, 0.5, 1]);
  assert.equal(row.series.error.length, 3);
  assert.equal(typeof row.metrics.barrier, 'number');
});

/** sgd at lr 1e20: the loss is infinite at the first step, and an infinite loss fails the training stage. */
const FAILING = EXPLODING.replace('sgd(lr: 1e3,', 'sgd(lr: 1e20,');

test('a row whose stage failed (or a stage it needs) shows as failed with the cause in results and report, not as pending', () => {
  const { dir, file, cache } = workspace(FAILING);
  const run = ltx(['run', file, '--cache', cache, '-j', '1'], dir);
  assert.equal(run.status, 1, run.stderr);
  const cause = /failed dense 0→10: (loss became \w+ at step \d+)/.exec(run.stdout)?.[1];
  assert.ok(cause, run.stdout);

  const text = ltx(['results', file, '--cache', cache], dir).stdout;
  assert.match(text, /^acc accuracy, 0 of 1 row computed\nSUBJECT +STATUS\ndense +failed: dense 0→10$/m);
  assert.match(text, /^before accuracy, 1 of 1 row computed on (wasm|cpu|tensorflow)$/m);
  assert.ok(text.endsWith(`failed: rows marked 'failed' have no result because a stage failed in the last run ('ltx run' tries it again):\n  dense 0→10: ${cause}\n`), text);
  const json = JSON.parse(ltx(['results', file, '--json', '--cache', cache], dir).stdout);
  assert.deepEqual([json.probes.acc[0].status, json.probes.acc[0].failure], ['failed', { stage: 'dense 0→10', error: cause }]);
  assert.equal(json.probes.before[0].status, 'done');

  const report = ltx(['report', file, '--cache', cache, '--out', join(dir, 'report')], dir);
  assert.match(report.stdout, /\(2 of 3 rows failed: 'ltx results .*' says why\)/);
  assert.ok(readFileSync(join(dir, 'report', 'index.html'), 'utf8').includes(`<td class="failed text" colspan="1">failed: dense 0→10: ${cause}</td>`));
});
