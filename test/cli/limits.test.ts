// The limits through the real binary: `--max-stages` on every command that compiles, `--set` values an
// argument refuses (exit 2, naming the flag), paths that are not regular files (never a hang), and
// hostile programs checked under a 1 GiB heap, each ending in its diagnostic rather than a crash.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/ltx.js');
const QUICKSTART = join(ROOT, 'examples/quickstart.ltx');
const DIR = mkdtempSync(join(tmpdir(), 'ltx-limits-'));
after(() => rmSync(DIR, { recursive: true, force: true }));

/** Runs `node [nodeFlags] bin/ltx.js args` in a fresh cache. */
function ltx(args: string[], nodeFlags: string[] = []) {
  const r = spawnSync(process.execPath, [...nodeFlags, BIN, ...args], {
    encoding: 'utf8', cwd: DIR, env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', LTX_CACHE: join(DIR, 'cache') },
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function program(name: string, text: string): string {
  const file = join(DIR, name);
  writeFileSync(file, text);
  return file;
}

const PRELUDE = `dataset d = digits()
model net = mlp(input: 64, hidden: [32], classes: 10)
init theta0 = kaiming_normal(net, seed: 0)
optimizer opt = sgd(lr: 0.1, batch: 60)
train dense = fit(theta0, data: d.train, optimizer: opt, steps: 240 steps)
`;

test('--max-stages sets the stage limit of every command that compiles a program', () => {
  const limit = /the program makes more than 10 stages; raise the limit with --max-stages N/;
  for (const args of [['check'], ['plan'], ['graph'], ['results'], ['report'], ['run'], ['diff', QUICKSTART]]) {
    const r = ltx([...args, QUICKSTART, '--max-stages', '10']);
    assert.equal(r.status, 1, `${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, limit, args[0]);
  }
  const raised = ltx(['check', QUICKSTART, '--max-stages', '100']);
  assert.equal(raised.status, 0, raised.stderr);
});

test('--max-stages must be a whole number of at least 1, and fmt does not take it', () => {
  for (const bad of ['0', '-3', '1.5', 'many', '']) {
    const r = ltx(['check', QUICKSTART, `--max-stages=${bad}`]);
    assert.equal(r.status, 2, bad);
    assert.match(r.stderr, new RegExp(`^ltx: --max-stages ${bad}: expected a whole number of stages of at least 1 \\(the default is 100,000\\)`));
  }
  assert.equal(ltx(['fmt', QUICKSTART, '--max-stages', '5']).status, 2);
});

test('--set of a seed out of range is a usage error naming the flag and the argument (exit 2)', () => {
  const r = ltx(['plan', QUICKSTART, '--set', 'seed=99999999999999999999']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^ltx: --set seed=99999999999999999999: argument 'seed' of kaiming_normal must be at most 4,294,967,295, but it is 100000000000000000000 \(.*quickstart\.ltx:\d+:\d+\)/);
  assert.doesNotMatch(r.stderr, /internal error/);
});

test('a program path that is a device, a FIFO or a directory is refused without reading it', () => {
  const fifo = join(DIR, 'pipe.ltx');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
  const directory = join(DIR, 'dir.ltx');
  mkdirSync(directory);
  const r = ltx(['check', '/dev/zero', fifo, directory]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^\/dev\/zero:1:1: error: cannot read '\/dev\/zero': it is a character device, not a regular file$/m);
  assert.match(r.stderr, /pipe\.ltx:1:1: error: cannot read '.*pipe\.ltx': it is a FIFO \(named pipe\), not a regular file$/m);
  assert.match(r.stderr, /dir\.ltx:1:1: error: cannot read '.*dir\.ltx': it is a directory, not a regular file$/m);
  // fmt as every command: an error naming the file, exit status 1.
  const fmt = ltx(['fmt', fifo]);
  assert.equal(fmt.status, 1);
  assert.match(fmt.stderr, /pipe\.ltx:1:1: error: cannot read '.*pipe\.ltx': it is a FIFO \(named pipe\), not a regular file$/m);
});

test('a data file path that is a device, a FIFO or a directory is refused at the path: argument', () => {
  const fifo = join(DIR, 'corpus-pipe');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
  for (const [path, kind] of [['/dev/zero', 'a character device'], [fifo, 'a FIFO \\(named pipe\\)'], [DIR, 'a directory']] as const) {
    const file = program('text.ltx', `dataset t = text(path: "${path}", context: 8)\n`);
    const r = ltx(['check', file]);
    assert.equal(r.status, 1, path);
    assert.match(r.stderr, new RegExp(`text\\.ltx:1:24: error: text file ${path} is ${kind}, not a regular file`));
  }
});

test('check of hostile programs stays within a 1 GiB heap and ends in each one\'s diagnostic', () => {
  const hostile: [string, string, RegExp][] = [
    ['rounds.ltx', `${PRELUDE}lottery l = imp(dense, rounds: 1e12, rate: 20%)\n`, /rounds\.ltx:6:32: error: argument 'rounds' of imp must be at most 10,000/],
    ['loops.ltx', `${PRELUDE}for i in 1..1000 { for j in 1..1000 { init w[i][j] = kaiming_normal(net, seed: i * 1000 + j) } }\n`,
      /loops\.ltx:6:29: error: the for loops unroll to more than 100,000 iterations/],
    ['lotteries.ltx', `${PRELUDE}for s in 1..1000 { train t[s] = fit(theta0, like: dense, order: s)\n lottery l[s] = imp(t[s], rounds: 1000, rate: 20%) }\n`,
      /lotteries\.ltx:7:17: error: the program makes more than 100,000 stages/],
    ['zero.ltx', 'dataset t = text(path: "/dev/zero", context: 8)\n', /zero\.ltx:1:24: error: text file \/dev\/zero is a character device/],
    ['string.ltx', `param s = "${'a'.repeat(10_000_000)}"\n`, /string\.ltx:1:1048577: error: the file goes on past 1,048,576 characters/],
    ['unary.ltx', `param x = ${'-'.repeat(5000)}1\n`, /unary\.ltx:1:111: error: nested more than 100 levels deep/],
    ['tokens.ltx', `param x = [${'1,'.repeat(300_000)}]\n`, /tokens\.ltx:1:\d+: error: the file holds more than 200,000 tokens/],
    ['names.ltx', `param ${'a'.repeat(300_000)} = 1\nparam y = ${'b'.repeat(300_000)}\n`, /names\.ltx:1:7: error: a name may be at most 256 characters long/],
  ];
  const files = hostile.map(([name, text]) => program(name, text));
  const r = ltx(['check', ...files], ['--max-old-space-size=1024']);
  assert.equal(r.signal, null, r.stderr.slice(-2000));
  assert.equal(r.status, 1, r.stderr.slice(-2000));
  for (const [, , diagnostic] of hostile) assert.match(r.stderr, diagnostic);
  assert.doesNotMatch(r.stderr, /internal error|heap|Maximum call stack/);
});
