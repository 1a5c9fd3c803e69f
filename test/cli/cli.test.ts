// The command-line contract: exit statuses, --json documents alone on stdout, colour rules, --help.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/ltx.js');
const QUICKSTART = join(ROOT, 'examples/quickstart.ltx');

function ltx(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8', cwd: options.cwd ?? ROOT, env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...options.env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ltx-cli-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

test('check: a valid program exits 0', () => {
  const r = ltx(['check', QUICKSTART]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /quickstart\.ltx: ok \(\d+ stages\)/);
});

test('check: an invalid program exits 1 with FILE:LINE:COL: error: MESSAGE and a code frame', () => {
  const file = tempFile('bad.ltx', 'model m = mlp(input: 4, classes: 2)\ninit w = kaiming_normal(mm)\n');
  const r = ltx(['check', file]);
  assert.equal(r.status, 1);
  assert.ok(r.stderr.includes(`${file}:2:25: error: unknown name 'mm'; did you mean 'm'?`), r.stderr);
  assert.match(r.stderr, /init w = kaiming_normal\(mm\)/);
  assert.match(r.stderr, /\^/);
  assert.doesNotMatch(r.stderr, /\u001b\[/);
});

test('check: a syntax error is reported at its position', () => {
  const file = tempFile('syntax.ltx', 'model m mlp(input: 4, classes: 2)\n');
  const r = ltx(['check', file]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /syntax\.ltx:1:9: error: expected '=' after the name of model m/);
});

test("check: a representation probe's unknown layer name is reported at the name, with the model's hidden layers", () => {
  const file = tempFile('layers.ltx', [
    'dataset d = digits()',
    'model net = mlp(input: 64, hidden: [16, 8], classes: 10)',
    'init a = kaiming_normal(net, seed: 0)',
    'init b = kaiming_normal(net, seed: 1)',
    'probe roles = unit_roles(a, b, on: d.test, layer: ["layer2", "laye1"])',
    '',
  ].join('\n'));
  const r = ltx(['check', file]);
  assert.equal(r.status, 1);
  assert.ok(r.stderr.includes(`${file}:5:62: error: the mlp of 'a' has no hidden layer 'laye1'; did you mean 'layer1'? (its hidden layers: layer1, layer2)`), r.stderr);
  assert.match(r.stderr, / {61}\^~{6}\n/);
});

test('usage errors exit 2 and name the flag', () => {
  assert.equal(ltx(['frobnicate']).status, 2);
  const unknownFlag = ltx(['check', '--jsno', QUICKSTART]);
  assert.equal(unknownFlag.status, 2);
  assert.match(unknownFlag.stderr, /--jsno/);
  const badSet = ltx(['plan', QUICKSTART, '--set', 'sed=3']);
  assert.equal(badSet.status, 2);
  assert.match(badSet.stderr, /--set sed=3: the program has no param 'sed'; did you mean 'seed'\?/);
  assert.equal(ltx(['plan']).status, 2);
  const format = ltx(['graph', QUICKSTART, '--format', 'png']);
  assert.equal(format.status, 2);
  assert.match(format.stderr, /--format png/);
  assert.doesNotMatch(badSet.stderr + format.stderr, /at .*\.ts:\d+/);
});

test('plan --json prints one JSON document with the contract fields, and nothing else on stdout', () => {
  const r = ltx(['plan', QUICKSTART, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.ok(doc.stages.length > 10);
  for (const s of doc.stages) {
    for (const field of ['id', 'name', 'kind', 'op', 'deps', 'status']) assert.ok(field in s, field);
    assert.match(s.id, /^[0-9a-f]{64}$/);
    assert.ok(s.status === 'run' || s.status === 'cached');
  }
  const ids = new Set(doc.stages.map((s: { id: string }) => s.id));
  for (const s of doc.stages) for (const d of s.deps) assert.ok(ids.has(d), 'deps refer to stages of the plan');
});

test('plan --set changes the stages that depend on the param', () => {
  const a = JSON.parse(ltx(['plan', QUICKSTART, '--json']).stdout);
  const b = JSON.parse(ltx(['plan', QUICKSTART, '--json', '--set', 'seed=3']).stdout);
  const init = (doc: { stages: { name: string; id: string }[] }) => doc.stages.find((s) => s.name === 'theta0')!.id;
  assert.notEqual(init(a), init(b));
});

test('colour only on a terminal and never with NO_COLOR', () => {
  const file = tempFile('bad.ltx', 'model m = adam()\n');
  assert.doesNotMatch(ltx(['check', file]).stderr, /\u001b\[/);
  assert.match(ltx(['check', file], { env: { FORCE_COLOR: '1' } }).stderr, /\u001b\[/);
  assert.doesNotMatch(ltx(['check', file], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stderr, /\u001b\[/);
});

test('every command has --help', () => {
  for (const command of ['check', 'fmt', 'plan', 'graph', 'diff']) {
    const r = ltx([command, '--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, new RegExp(`^Usage: ltx ${command}`));
  }
  assert.match(ltx(['--help']).stdout, /Commands:/);
});

test('graph prints dot, mermaid and json', () => {
  assert.match(ltx(['graph', QUICKSTART]).stdout, /^digraph ltx \{/);
  assert.match(ltx(['graph', QUICKSTART, '--format', 'mermaid']).stdout, /^flowchart LR/);
  const json = JSON.parse(ltx(['graph', QUICKSTART, '--format', 'json']).stdout);
  assert.ok(json.nodes.length > 0 && json.edges.length > 0);
});

test('fmt --check names the files that would change and exits 1; fmt rewrites them', () => {
  const messy = tempFile('messy.ltx', 'model   m=mlp( input:4,classes:2 )   # the net\n');
  const r = ltx(['fmt', '--check', messy]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout.trim(), messy);
  assert.equal(ltx(['fmt', messy]).status, 0);
  assert.equal(readFileSync(messy, 'utf8'), 'model m = mlp(input: 4, classes: 2)  # the net\n');
  assert.equal(ltx(['fmt', '--check', messy]).status, 0);
});

test('diff names the changed parameter with old → new and counts what stays valid', () => {
  const before = tempFile('before.ltx', readFileSync(QUICKSTART, 'utf8'));
  const after = join(before, '..', 'after.ltx');
  copyFileSync(before, after);
  writeFileSync(after, readFileSync(after, 'utf8').replace('rate: 50%', 'rate: 40%'));
  const r = ltx(['diff', before, after, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const diff = JSON.parse(r.stdout);
  const mask = diff.changed.find((c: { name: string }) => c.name === 'ticket.mask[1]');
  assert.deepEqual(mask.params, [{ path: 'params.rate', old: 0.5, new: 0.4 }]);
  assert.ok(diff.unchanged.some((s: { name: string }) => s.name === 'theta0'));
  assert.ok(diff.unchanged.some((s: { name: string }) => s.name.startsWith('dense')));
  const text = ltx(['diff', before, after]).stdout;
  assert.match(text, /rate: 0\.5 → 0\.4/);
  assert.match(text, /unchanged \(their cached results stay valid\)/);
});

test('diff: adding a probe on dense @ 60 steps to the quickstart adds stages and changes or removes none', () => {
  const before = tempFile('before.ltx', readFileSync(QUICKSTART, 'utf8'));
  const after = join(before, '..', 'after.ltx');
  writeFileSync(after, `${readFileSync(before, 'utf8')}probe early = accuracy(dense @ 60 steps, on: digits8.test)\n`);
  const r = ltx(['diff', before, after, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const diff = JSON.parse(r.stdout);
  assert.deepEqual(diff.changed, []);
  assert.deepEqual(diff.removed, []);
  assert.deepEqual(diff.added.map((s: { kind: string }) => s.kind).sort(), ['probe', 'train']);
  assert.ok(diff.unchanged.some((s: { name: string }) => s.name.startsWith('dense')), 'the rest of dense stays cached');
});

test('diff reads git REV:PATH', () => {
  const r = ltx(['diff', 'HEAD:examples/quickstart.ltx', 'examples/quickstart.ltx', '--json']);
  // The file is committed: the same program at HEAD and in the work tree (unless being edited).
  assert.equal(r.status, 0, r.stderr);
  assert.ok(Array.isArray(JSON.parse(r.stdout).unchanged));
});

/** A git repository with two commits of prog.ltx: the first prunes at 50%, the second at 40%. */
function gitRepository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ltx-git-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const git = (...args: string[]) => {
    const r = spawnSync('git', ['-c', 'user.name=ltx', '-c', 'user.email=ltx@example.org', ...args], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  };
  git('init', '-q');
  const program = readFileSync(QUICKSTART, 'utf8');
  writeFileSync(join(dir, 'prog.ltx'), program);
  git('add', 'prog.ltx');
  git('commit', '-q', '-m', 'at 50%');
  writeFileSync(join(dir, 'prog.ltx'), program.replace('rate: 50%', 'rate: 40%'));
  git('commit', '-q', '-a', '-m', 'at 40%');
  return dir;
}

test('diff reads HEAD~1:PATH and HEAD:PATH of a git repository', () => {
  const repo = gitRepository();
  const r = ltx(['diff', 'HEAD~1:prog.ltx', 'HEAD:prog.ltx', '--json'], { cwd: repo });
  assert.equal(r.status, 0, r.stderr);
  const mask = JSON.parse(r.stdout).changed.find((c: { name: string }) => c.name === 'ticket.mask[1]');
  assert.deepEqual(mask.params, [{ path: 'params.rate', old: 0.5, new: 0.4 }]);
});

test('diff never passes a revision to git as an option: --output=FILE:PATH writes no file and exits 2', () => {
  const repo = gitRepository();
  const target = join(repo, 'written-by-git');
  const r = ltx(['diff', '--', `--output=${target}:prog.ltx`, 'prog.ltx'], { cwd: repo });
  assert.equal(r.status, 2, r.stdout);
  assert.equal(r.stderr, `ltx: ltx diff: '--output=${target}:prog.ltx': revision '--output=${target}': a revision cannot start with '-'\n`);
  assert.equal(existsSync(`${target}:prog.ltx`), false);
  assert.equal(existsSync(target), false);
});

test('diff: a revision git does not know as a commit is a usage error naming it', () => {
  const repo = gitRepository();
  const r = ltx(['diff', 'no-such-branch:prog.ltx', 'HEAD:prog.ltx'], { cwd: repo });
  assert.equal(r.status, 2, r.stdout);
  assert.match(r.stderr, /^ltx: ltx diff: 'no-such-branch:prog\.ltx': revision 'no-such-branch': git does not know it as a commit/);
  // A tree is not a commit either.
  const tree = ltx(['diff', 'HEAD^{tree}:prog.ltx', 'HEAD:prog.ltx'], { cwd: repo });
  assert.equal(tree.status, 2, tree.stdout);
});
