// Fault injection through the real binary, one test per kind of cache damage: a flipped byte in a
// checkpoint blob and in a probe blob, a missing blob, a blob replaced by a directory, a truncated
// action record, actions/ replaced by a file, a cache path that is a regular file, a directory that is
// not a cache, a read-only cache (a read-only bind mount in a private mount namespace: tests run as
// root, whom chmod does not stop), a cache from before the marker; and a claim left by a live but
// unrelated process. Each starts from a copy of one cache computed once for the file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { compileFile } from '../../cli/compile-file.ts';
import { main } from '../../cli/main.ts';
import { UsageError } from '../../cli/usage.ts';
import { CacheUnusableError } from '../../runtime/store/index.ts';
import { BIN, TINY, ltx, workspace } from './helpers.ts';

/** Where the tiny program's results are computed, once for the whole file. */
const template = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'ltx-faults-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return { file: join(dir, 'tiny.ltx'), cache: join(dir, 'cache') };
})();

/** A workspace whose cache holds every result of the tiny program (computed once, then copied). */
function filledWorkspace(): ReturnType<typeof workspace> {
  if (!existsSync(template.cache)) {
    writeFileSync(template.file, TINY);
    const run = ltx(['run', template.file, '--cache', template.cache, '-j', '1']);
    assert.equal(run.status, 0, run.stderr);
  }
  const copy = workspace();
  cpSync(template.cache, copy.cache, { recursive: true });
  return copy;
}

/** Stage keys of the tiny program by stage name. */
async function stageKeys(file: string): Promise<Record<string, string>> {
  return Object.fromEntries((await compileFile(file, { sets: [] })).stages.map((stage) => [stage.name, stage.key]));
}

function recordPath(cache: string, key: string): string {
  return join(cache, 'actions', `${key}.json`);
}

/** The blob of a stage's only output. */
function blobPath(cache: string, key: string): string {
  const record = JSON.parse(readFileSync(recordPath(cache, key), 'utf8'));
  const digest: string = (Object.values(record.outputs)[0] as { digest: string }).digest;
  return join(cache, 'blobs', 'sha256', digest.slice(0, 2), digest.slice(2));
}

function flipAByte(path: string): void {
  const bytes = readFileSync(path);
  bytes[bytes.length - 1]! ^= 0x01;
  writeFileSync(path, bytes);
}

const longAgo = new Date(Date.now() - 3_600_000);

test('a flipped byte in a checkpoint blob: run computes it again when a stage reads it, and says so', async () => {
  const { file, cache } = filledWorkspace();
  const keys = await stageKeys(file);
  flipAByte(blobPath(cache, keys['dense 10→40']!));
  rmSync(recordPath(cache, keys['acc']!));

  const run = ltx(['run', file, '--cache', cache, '-j', '1']);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^done {5}dense 10→40 \(.*\) recomputed: output "checkpoint": blob [0-9a-f]{12}… is damaged \(its bytes hash to [0-9a-f]{12}…\)$/m);
  assert.match(run.stdout, /^done {5}acc \(/m);
  assert.match(run.stdout, /9 stages: 7 cached, 2 computed/);
  assert.equal(ltx(['cache', 'verify', '--cache', cache]).status, 0, 'the damaged blob was replaced');
});

test('a flipped byte in a probe blob: results and report show the row as damaged with the fix, and run computes it again', async () => {
  const { dir, file, cache } = filledWorkspace();
  const keys = await stageKeys(file);
  flipAByte(blobPath(cache, keys['acc']!));
  const fix = `1 probe row is damaged in the cache: run 'ltx run ${file}' to compute it again`;

  const json = ltx(['results', file, '--json', '--cache', cache]);
  assert.equal(json.status, 0, json.stderr);
  const row = JSON.parse(json.stdout).probes.acc[0];
  assert.equal(row.status, 'damaged');
  assert.match(row.damage, /^output "probe": blob [0-9a-f]{12}… is damaged/);
  assert.deepEqual(row.metrics, {});
  assert.ok(json.stderr.includes(fix), json.stderr);
  const text = ltx(['results', file, '--cache', cache]);
  assert.equal(text.status, 0);
  assert.match(text.stdout, /^dense +damaged$/m);
  const report = ltx(['report', file, '--cache', cache, '--out', join(dir, 'report')]);
  assert.equal(report.status, 0, report.stderr);
  assert.ok(report.stderr.includes(fix), report.stderr);
  assert.match(readFileSync(join(dir, 'report', 'index.html'), 'utf8'), /<td class="damaged text"[^>]*>damaged in the cache/);

  const run = ltx(['run', file, '--cache', cache, '-j', '1']);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^done {5}acc \(.*\) recomputed: output "probe": blob .* is damaged/m);
  assert.equal(JSON.parse(ltx(['results', file, '--json', '--cache', cache]).stdout).probes.acc[0].status, 'done');
});

test('a missing blob: run computes the stage again and says the blob was missing (in --json too)', async () => {
  const { file, cache } = filledWorkspace();
  rmSync(blobPath(cache, (await stageKeys(file))['m']!));
  const run = ltx(['run', file, '--cache', cache, '-j', '1', '--json']);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /^done {5}m \(.*\) recomputed: output "mask": blob [0-9a-f]{12}… is missing$/m);
  const stage = JSON.parse(run.stdout).stages.find((s: { name: string }) => s.name === 'm');
  assert.equal(stage.status, 'done');
  assert.match(stage.recomputed, /^output "mask": blob [0-9a-f]{12}… is missing$/);
});

test('a blob replaced by a directory: verify names it, run computes the stage again and puts a file back', async () => {
  const { file, cache } = filledWorkspace();
  const blob = blobPath(cache, (await stageKeys(file))['w0']!);
  rmSync(blob);
  mkdirSync(blob);
  const verify = ltx(['cache', 'verify', '--cache', cache]);
  assert.equal(verify.status, 1);
  assert.match(verify.stdout, /corrupt-blob: stage [0-9a-f]{64} output 'checkpoint': blob [0-9a-f]{12}… is not a file/);

  const run = ltx(['run', file, '--cache', cache, '-j', '1']);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^done {5}w0 \(.*\) recomputed: output "checkpoint": blob .* is not a file$/m);
  assert.equal(ltx(['cache', 'verify', '--cache', cache]).status, 0);
});

test('a truncated action record: run computes the stage again; verify --repair drops such records', async () => {
  const { file, cache } = filledWorkspace();
  const keys = await stageKeys(file);
  for (const name of ['t', 'kept']) writeFileSync(recordPath(cache, keys[name]!), readFileSync(recordPath(cache, keys[name]!), 'utf8').slice(0, 50));

  const repair = ltx(['cache', 'verify', '--repair', '--json', '--cache', cache]);
  assert.equal(repair.status, 0, repair.stderr);
  const { repaired } = JSON.parse(repair.stdout);
  assert.deepEqual([...repaired.removedRecords].sort(), [keys['t'], keys['kept']].sort());
  assert.equal(repaired.removedBlobs, 0);
  assert.equal(existsSync(recordPath(cache, keys['t']!)), false);

  writeFileSync(recordPath(cache, keys['acct']!), '{"recordVersion": 1, "key"');
  const run = ltx(['run', file, '--cache', cache, '-j', '1']);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^done {5}acct \(.*\) recomputed: the record is not valid JSON$/m);
  assert.match(run.stdout, /9 stages: 6 cached, 3 computed/);
});

test('actions/ replaced by a file: every command says the cache is damaged and where (exit status 1), and deletes nothing', async () => {
  const { file, cache } = workspace();
  mkdirSync(cache);
  writeFileSync(join(cache, 'ltx-cache.json'), '{"format":"ltx-cache","version":1}\n');
  writeFileSync(join(cache, 'actions'), 'not a directory');
  const message = `cannot use the cache ${cache}: its layout is damaged: ${join(cache, 'actions')} is a file, not a directory`;
  const gc = ltx(['cache', 'gc', '--cache', cache]);
  assert.equal(gc.status, 1);
  assert.equal(gc.stderr, `ltx: ${message} (move it away; ltx makes a new one)\n`);
  for (const argv of [['cache', 'ls'], ['cache', 'verify'], ['plan', file], ['results', file], ['run', file]]) {
    await assert.rejects(main([...argv, '--cache', cache]), (error: Error) => error instanceof CacheUnusableError && error.message.startsWith(message), argv.join(' '));
  }
  assert.equal(readFileSync(join(cache, 'actions'), 'utf8'), 'not a directory');
});

test('a cache path that is a regular file: readers and writers refuse it as not a cache (exit status 2), and leave it alone', async () => {
  const { file, cache } = workspace();
  writeFileSync(cache, 'my notes');
  const r = ltx(['cache', 'gc', '--cache', cache]);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, `ltx: ltx cache: --cache ${cache}: not an ltx cache (it is a file, not a directory); name a new or empty directory, or an existing ltx cache\n`);
  for (const argv of [['cache', 'ls'], ['cache', 'verify'], ['plan', file], ['results', file], ['report', file], ['run', file]]) {
    await assert.rejects(main([...argv, '--cache', cache]), (error: Error) => error instanceof UsageError && /not an ltx cache \(it is a file, not a directory\)/.test(error.message), argv.join(' '));
  }
  assert.equal(readFileSync(cache, 'utf8'), 'my notes');
});

test('a directory that is not a cache (say, /): gc, run and the readers refuse it, naming --cache or LTX_CACHE, and nothing in it is touched', async () => {
  const { dir, file } = workspace();
  const root = join(dir, 'like-slash');
  const precious = [join(root, 'tmp', 'x11-socket'), join(root, 'tmp', `${'a'.repeat(64)}.not-a-nonce`), join(root, 'etc', 'passwd')];
  for (const path of precious) {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, 'precious');
    utimesSync(path, longAgo, longAgo);
  }
  const fromEnvironment = ltx(['cache', 'gc'], dir, { LTX_CACHE: root });
  assert.equal(fromEnvironment.status, 2);
  assert.match(fromEnvironment.stderr, new RegExp(`^ltx: ltx cache: LTX_CACHE=${root}: not an ltx cache \\(it holds 'etc', which ltx did not create\\)`));
  for (const argv of [['cache', 'gc'], ['cache', 'ls'], ['plan', file], ['results', file], ['run', file]]) {
    await assert.rejects(main([...argv, '--cache', root]), (error: Error) => error instanceof UsageError && error.message.includes(`--cache ${root}: not an ltx cache`), argv.join(' '));
  }
  for (const path of precious) assert.equal(readFileSync(path, 'utf8'), 'precious', path);
  assert.deepEqual(readdirSync(root).sort(), ['etc', 'tmp']);
});

/** `command` with `dir` mounted read-only in a private mount namespace (so for it alone). */
function onReadOnly(dir: string, command: string[]) {
  const script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"';
  const r = spawnSync('unshare', ['--mount', 'sh', '-c', script, 'sh', dir, ...command], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '', LTX_CACHE: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const readOnlyMounts = (() => {
  const probe = mkdtempSync(join(tmpdir(), 'ltx-ro-probe-'));
  after(() => rmSync(probe, { recursive: true, force: true }));
  return onReadOnly(probe, ['sh', '-c', `! touch "${probe}/x"`]).status === 0;
})();

test('a read-only cache: run says so once and computes nothing, gc says so; what is cached stays usable', { skip: (!readOnlyMounts && 'needs unshare and mount (a read-only bind mount)') }, async () => {
  const { file, cache } = filledWorkspace();
  const keys = await stageKeys(file);
  rmSync(recordPath(cache, keys['t']!));
  const ltxOnReadOnly = (args: string[]) => onReadOnly(cache, [process.execPath, BIN, ...args, '--cache', cache]);

  const run = ltxOnReadOnly(['run', file, '-j', '1']);
  assert.equal(run.status, 1);
  assert.equal(run.stderr, `ltx: cannot write to the cache ${cache}: it is on a read-only file system; nothing was computed, and the results it holds are untouched\n`);
  assert.doesNotMatch(run.stdout, /started|failed/);
  const gc = ltxOnReadOnly(['cache', 'gc']);
  assert.equal(gc.status, 1);
  assert.equal(gc.stderr, `ltx: cannot write to the cache ${cache}: it is on a read-only file system\n`);

  const cachedPart = ltxOnReadOnly(['run', file, '--only', 'acc', '-j', '1']);
  assert.equal(cachedPart.status, 0, cachedPart.stderr);
  assert.match(cachedPart.stdout, /4 stages: 4 cached, 0 computed/);
  assert.equal(ltx(['cache', 'verify', '--cache', cache]).status, 0);
});

test('a cache from before the marker (only ltx\'s layout) is read as it is and adopted by the first command that writes' , () => {
  const { file, cache } = filledWorkspace();
  rmSync(join(cache, 'ltx-cache.json'));
  assert.match(ltx(['plan', file, '--cache', cache]).stdout, /9 stages: 9 cached, 0 to run/);
  assert.equal(existsSync(join(cache, 'ltx-cache.json')), false, 'reading does not adopt');
  assert.equal(ltx(['cache', 'gc', '--cache', cache]).status, 0);
  assert.deepEqual(JSON.parse(readFileSync(join(cache, 'ltx-cache.json'), 'utf8')), { format: 'ltx-cache', version: 1 });
  assert.deepEqual(readdirSync(join(cache, 'actions')).length, 9, 'its results stay');
});

test('a claim naming a live but unrelated process with an old heartbeat does not block run: it is taken over', async () => {
  const { file, cache } = workspace();
  const key = (await stageKeys(file))['w0']!;
  mkdirSync(join(cache, 'claims'), { recursive: true });
  const claim = join(cache, 'claims', `${key}.claim`);
  // pid 1 always exists; this claim has not been heard from for an hour (a pid reused after a reboot).
  writeFileSync(claim, JSON.stringify({ key, pid: 1, host: hostname(), runId: 'before-reboot', startedAt: longAgo.toISOString(), heartbeatAt: longAgo.toISOString() }));
  utimesSync(claim, longAgo, longAgo);
  const run = ltx(['run', file, '--only', 'w0', '--cache', cache]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^done {5}w0 /m);
  assert.deepEqual(readdirSync(join(cache, 'claims')), []);
});
