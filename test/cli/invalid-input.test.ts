// What the command line says about bad input: an invalid program under --json, a --set value the program
// cannot use, the messages for common slips (epochs + steps, a misspelt argument, a directory or a
// missing file given as FILE), and counts in the singular.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../cli/main.ts';
import { UsageError } from '../../cli/usage.ts';
import { ltx, ROOT, workspace } from './helpers.ts';

const QUICKSTART = join(ROOT, 'examples/quickstart.ltx');

/** A model with a misspelt argument name: one error, at 2:39. */
const MISSPELT = `dataset d = digits(test: 20%, seed: 0)
model n = mlp(input: 64, classes: 10, activaton: tanh)
init w0 = kaiming_normal(n, seed: 0)
probe acc = accuracy(w0, on: d.test)
`;

type Diagnostic = { severity: string; code: string; message: string; file: string; range: { start: { line: number; column: number } } };

test('plan, run, results, graph --format json and diff --json print one JSON document with the diagnostics of an invalid program', () => {
  const { dir, file, cache } = workspace(MISSPELT);
  const single = [['plan', file, '--json'], ['run', file, '--json', '--cache', cache], ['results', file, '--json', '--cache', cache], ['graph', file, '--format', 'json']];
  for (const args of single) {
    const r = ltx(args, dir);
    assert.equal(r.status, 1, args.join(' '));
    const doc = JSON.parse(r.stdout) as { file: string; ok: boolean; diagnostics: Diagnostic[] };
    assert.deepEqual(Object.keys(doc), ['file', 'ok', 'diagnostics'], args.join(' '));
    assert.equal(doc.file, file);
    assert.equal(doc.ok, false);
    assert.deepEqual(doc.diagnostics.map((d) => [d.severity, d.message, d.range.start.line, d.range.start.column]), [
      ['error', "unknown argument 'activaton' of mlp; did you mean 'activation'?", 2, 39],
    ]);
    assert.match(r.stderr, /tiny\.ltx:2:39: error: unknown argument 'activaton'/, 'diagnostics still go to stderr');
  }
  const diff = ltx(['diff', QUICKSTART, file, '--json'], dir);
  assert.equal(diff.status, 1);
  const doc = JSON.parse(diff.stdout) as { ok: boolean; old: { file: string; ok: boolean; diagnostics: Diagnostic[] }; new: { file: string; ok: boolean; diagnostics: Diagnostic[] } };
  assert.equal(doc.ok, false);
  assert.deepEqual([doc.old.file, doc.old.ok, doc.old.diagnostics], [QUICKSTART, true, []]);
  assert.deepEqual([doc.new.file, doc.new.ok, doc.new.diagnostics.length], [file, false, 1]);
});

test('a --set value the program cannot use is a usage error naming the flag and where the param goes', async () => {
  const wrongType = ltx(['plan', QUICKSTART, '--set', 'seed="abc"']);
  assert.equal(wrongType.status, 2);
  assert.equal(wrongType.stderr, [
    `ltx: --set seed="abc": argument 'seed' of kaiming_normal must be an integer, but got a string (at ${QUICKSTART}:10:41)`,
    `ltx: --set seed="abc": argument 'order' of fit must be an integer, but got a string (at ${QUICKSTART}:13:89)`,
    '',
  ].join('\n'));
  // Only the flag that does not fit is named.
  const { file } = workspace(`param seed = 0\nparam width = 16\n${MISSPELT.replace(', activaton: tanh', ', hidden: [width]').replace('seed: 0)\nprobe', 'seed: seed)\nprobe')}`);
  await assert.rejects(main(['check', file, '--set', 'width=32', '--set', 'seed=0.5']), (error: Error) =>
    error instanceof UsageError && error.message === `--set seed=0.5: argument 'seed' of kaiming_normal must be an integer, but got a number (at ${file}:5:35)`);
});

test('a --set value that fits does not hide the errors of the file itself', () => {
  const { file } = workspace(`param seed = 0\n${MISSPELT.replace('seed: 0)\nprobe', 'seed: seed)\nprobe')}`);
  const r = ltx(['check', file, '--set', 'seed=3']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /tiny\.ltx:3:39: error: unknown argument 'activaton' of mlp/);
});

test('a misspelt argument name is one error: the bare word given to it is not also an unknown name', () => {
  const { file } = workspace(MISSPELT);
  const r = ltx(['check', file]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /tiny\.ltx:2:39: error: unknown argument 'activaton' of mlp; did you mean 'activation'\?/);
  assert.doesNotMatch(r.stderr, /unknown name/);
});

test('epochs and steps added: the message says they cannot be added and how to write a length', () => {
  const { file } = workspace(`dataset d = digits(test: 20%, seed: 0)
model net = mlp(input: 64, classes: 10)
init w0 = kaiming_normal(net, seed: 0)
optimizer opt = sgd(lr: 0.1, batch: 60)
train dense = fit(w0, data: d.train, optimizer: opt, steps: 1 epoch + 24 steps, order: 0)
`);
  const r = ltx(['check', file]);
  assert.equal(r.status, 1);
  assert.ok(r.stderr.includes(`${file}:5:61: error: '+' cannot add epochs and steps: the steps of an epoch depend on the run's data and batch; ` +
    'write the length in one unit (e.g. 500 steps, or 3 epochs)'), r.stderr);
});

test('a directory or a missing file given as FILE: every command names it and why, with exit status 1, fmt too', () => {
  const { dir } = workspace();
  const missing = join(dir, 'missing.ltx');
  for (const command of ['check', 'plan', 'fmt']) {
    const onDirectory = ltx([command, dir]);
    assert.equal(onDirectory.status, 1, command);
    assert.match(onDirectory.stderr, new RegExp(`^${dir}:1:1: error: cannot read '${dir}': it is a directory, not a (regular )?file\\n`), command);
    const onMissing = ltx([command, missing]);
    assert.equal(onMissing.status, 1, command);
    assert.match(onMissing.stderr, new RegExp(`^${missing}:1:1: error: cannot read '${missing}': no such file\\n`), command);
  }
});

test('a count of one is singular: "1 stage"', () => {
  const { file, cache } = workspace('dataset d = digits(test: 20%, seed: 0)\nmodel net = mlp(input: 64, classes: 10)\ninit w0 = kaiming_normal(net, seed: 0)\n');
  assert.equal(ltx(['check', file]).stdout, `${file}: ok (1 stage)\n`);
  assert.match(ltx(['plan', file, '--cache', cache]).stdout, /\n1 stage: 0 cached, 1 to run\n$/);
});
