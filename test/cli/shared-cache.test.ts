// Two programs sharing one cache, through the real binary: `plan` explains a rerun against the
// program's own last run, and `cache gc` keeps what it is told to keep (programs, recent runs) and frees
// the rest, saying what and how much (or only saying so, with --dry-run).
import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { ltx, workspace } from './helpers.ts';

/** Two experiments with the same declaration names: same init, another learning rate. */
const A = `dataset d = digits(test: 20%, seed: 0)
model net = mlp(input: 64, hidden: [8], classes: 10)
init w0 = kaiming_normal(net, seed: 0)
optimizer opt = sgd(lr: 0.1, batch: 60)
train dense = fit(w0, data: d.train, optimizer: opt, steps: 6 steps, order: 0)
probe acc = accuracy(dense, on: d.test)
`;
const B = A.replace('lr: 0.1', 'lr: 0.2');

const { dir } = workspace(A);
const a = join(dir, 'a.ltx');
const b = join(dir, 'b.ltx');
/** The cache both programs ran on; each test works on its own copy. */
const filled = join(dir, 'filled');

before(() => {
  writeFileSync(a, A);
  writeFileSync(b, B);
  for (const file of [a, b]) {
    const r = ltx(['run', file, '--cache', filled, '-j', '1']);
    assert.equal(r.status, 0, r.stderr);
  }
});

let copies = 0;
/** A copy of the filled cache; `aged`: every file an hour old, past gc's grace period for fresh writes. */
function cacheCopy(aged = false): string {
  const copy = join(dir, `cache-${++copies}`);
  cpSync(filled, copy, { recursive: true });
  if (aged) {
    const hourAgo = new Date(Date.now() - 3600_000);
    for (const entry of readdirSync(copy, { recursive: true, withFileTypes: true })) utimesSync(join(entry.parentPath, entry.name), hourAgo, hourAgo);
  }
  return copy;
}

type GcDoc = { dryRun: boolean; removedRecords: { key: string; name?: string; op?: string; bytes: number; reason: string }[]; keptRecords: number; removedBlobs: number; bytesFreed: number };

function gc(cache: string, ...args: string[]): GcDoc {
  const r = ltx(['cache', 'gc', '--json', '--cache', cache, ...args]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as GcDoc;
}

/** Every file under `dir` with its size: what a dry run must leave exactly as it was. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).map((e) => {
    const path = join(e.parentPath, e.name);
    return `${path} ${e.isFile() ? statSync(path).size : '/'}`;
  }).sort();
}

function planRow(file: string, cache: string, stage: string): string {
  const line = ltx(['plan', file, '--cache', cache]).stdout.split('\n').find((l) => l.startsWith(`${stage} `));
  assert.ok(line, `a plan row for ${stage}`);
  return line;
}

test('plan explains a rerun with the value this program had, not the one another program in the cache ran with last', () => {
  const cache = cacheCopy();
  writeFileSync(a, A.replace('lr: 0.1', 'lr: 0.3'));
  try {
    assert.match(planRow(a, cache, 'dense'), /run +optimizer\.lr: 0\.1 → 0\.3$/);
  } finally {
    writeFileSync(a, A);
  }
  writeFileSync(b, B.replace('lr: 0.2', 'lr: 0.5'));
  try {
    assert.match(planRow(b, cache, 'dense'), /run +optimizer\.lr: 0\.2 → 0\.5$/);
  } finally {
    writeFileSync(b, B);
  }
});

test('a program that never ran on the cache gets no "why" from another program\'s stages of the same name', () => {
  const cache = cacheCopy();
  const c = join(dir, 'c.ltx');
  writeFileSync(c, A.replace('lr: 0.1', 'lr: 0.7'));
  assert.match(planRow(c, cache, 'dense'), /run +new; after|run +not in cache/);
  assert.match(planRow(c, cache, 'w0'), /cached/);
});

test('gc --keep PROGRAM keeps that program\'s stages (the init it shares included) and frees the other program\'s', () => {
  const cache = cacheCopy(true);
  const report = gc(cache, '--keep', a);
  assert.deepEqual(report.removedRecords.map((r) => [r.name, r.op, r.reason]).sort(), [['acc', 'accuracy', 'unkept'], ['dense', 'train', 'unkept']]);
  assert.equal(report.keptRecords, 3);
  assert.equal(report.removedBlobs, 2);
  assert.ok(report.bytesFreed > report.removedRecords.reduce((sum, r) => sum + r.bytes, 0), 'the outputs and their records');
  assert.match(ltx(['plan', a, '--cache', cache]).stdout, /3 stages: 3 cached, 0 to run/);
  assert.match(ltx(['plan', b, '--cache', cache]).stdout, /3 stages: 1 cached, 2 to run/);
});

test('gc prints each result it frees and how much, in all', () => {
  const cache = cacheCopy(true);
  const r = ltx(['cache', 'gc', '--keep', b, '--cache', cache]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^KEY +NAME +OP +SIZE +FINISHED +WHY$/m);
  assert.match(r.stdout, /^[0-9a-f]{12} +dense +train +[\d.]+ (B|KiB) +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +not kept$/m);
  assert.match(r.stdout, /^kept 3 results: the stages of .*b\.ltx and their inputs$/m);
  assert.match(r.stdout, /^removed 2 results, 2 unreferenced blobs, 0 staging leftovers, 0 stale claims; freed [\d.]+ (B|KiB) in /m);
});

test('gc --dry-run prints what gc would free and deletes nothing', () => {
  const cache = cacheCopy(true);
  const before = tree(cache);
  const dry = gc(cache, '--keep', a, '--dry-run');
  assert.deepEqual(tree(cache), before);
  assert.equal(dry.dryRun, true);
  const text = ltx(['cache', 'gc', '--keep', a, '--dry-run', '--cache', cache]).stdout;
  assert.match(text, /^would remove 2 results, .*; would free [\d.]+ (B|KiB) in /m);
  assert.deepEqual(tree(cache), before);
  assert.deepEqual(gc(cache, '--keep', a), { ...dry, dryRun: false });
});

test('gc --keep-days N keeps what was computed or used by any run in the last N days, and frees the rest', () => {
  const cache = cacheCopy(true);
  // b ran ten days ago: its own stages' records and its run index say so.
  const tenDaysAgo = new Date(Date.now() - 10 * 24 * 3600_000).toISOString();
  const bRun = readdirSync(join(cache, 'programs')).map((f) => join(cache, 'programs', f)).find((f) => readFileSync(f, 'utf8').includes('b.ltx'))!;
  const index = JSON.parse(readFileSync(bRun, 'utf8')) as { stages: Record<string, { key: string; usedAt: string }> };
  for (const [name, entry] of Object.entries(index.stages)) {
    entry.usedAt = tenDaysAgo;
    if (name === 'w0') continue;
    const recordFile = join(cache, 'actions', `${entry.key}.json`);
    const record = JSON.parse(readFileSync(recordFile, 'utf8'));
    writeFileSync(recordFile, JSON.stringify({ ...record, startedAt: tenDaysAgo, finishedAt: tenDaysAgo }));
  }
  writeFileSync(bRun, JSON.stringify(index));
  const hourAgo = new Date(Date.now() - 3600_000);
  for (const f of readdirSync(join(cache, 'actions'))) utimesSync(join(cache, 'actions', f), hourAgo, hourAgo);

  assert.deepEqual(gc(cache, '--keep-days', '30', '--dry-run').removedRecords, []);
  const report = gc(cache, '--keep-days', '7');
  assert.deepEqual(report.removedRecords.map((r) => r.name).sort(), ['acc', 'dense']);
  assert.match(ltx(['plan', a, '--cache', cache]).stdout, /3 stages: 3 cached, 0 to run/);
});

test('gc without --keep or --keep-days frees only garbage: every valid result stays, however old', () => {
  const cache = cacheCopy(true);
  const report = gc(cache);
  assert.deepEqual(report.removedRecords, []);
  assert.equal(report.keptRecords, 5);
  assert.match(ltx(['cache', 'gc', '--cache', cache]).stdout, /^kept 5 results: every valid result \(name what to keep with --keep PROGRAM\.ltx or --keep-days N/m);
});

test('gc refuses a --keep-days that is not a number of days, and gc-only flags on ls and verify (exit status 2)', () => {
  const cache = join(dir, 'no-cache');
  const days = ltx(['cache', 'gc', '--keep-days', 'soon', '--cache', cache]);
  assert.equal(days.status, 2);
  assert.equal(days.stderr, 'ltx: ltx cache: --keep-days soon: expected a number of days (like 30)\n');
  const ls = ltx(['cache', 'ls', '--keep', a, '--cache', cache]);
  assert.equal(ls.status, 2);
  assert.equal(ls.stderr, 'ltx: ltx cache: --keep goes with gc, not ls\n');
  assert.equal(ltx(['cache', 'verify', '--dry-run', '--cache', cache]).status, 2);
});

test('gc --keep of a program with errors prints them and removes nothing (exit status 1)', () => {
  const cache = cacheCopy(true);
  const broken = join(dir, 'broken.ltx');
  writeFileSync(broken, 'train dense = fit(nothing)\n');
  const before = tree(cache);
  const r = ltx(['cache', 'gc', '--keep', broken, '--cache', cache]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /broken\.ltx:1:\d+: error: /);
  assert.match(r.stderr, /nothing was removed: a program to keep has errors/);
  assert.deepEqual(tree(cache), before);
});
