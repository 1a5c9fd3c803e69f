// ltx on programs kept outside the clone, the normal case: a user's own experiment folder, with ltx on
// PATH through a link to bin/ltx.js (what `npm link` makes), started by whichever Node comes first on PATH.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { BIN, env, ROOT, workspace } from './helpers.ts';

const ONE_STAGE = 'dataset d = digits(test: 20%, seed: 0)\nmodel net = mlp(input: 64, classes: 10)\ninit w0 = kaiming_normal(net, seed: 0)\nprobe acc = accuracy(w0, on: d.test)\n';

/** An experiment folder with tiny.ltx, and `ltx` in a bin/ of its own, linked to the clone's bin/ltx.js. */
function experiment(): { dir: string; ltxLink: string } {
  const { dir } = workspace(ONE_STAGE);
  mkdirSync(join(dir, 'bin'));
  const ltxLink = join(dir, 'bin', 'ltx');
  symlinkSync(BIN, ltxLink);
  return { dir, ltxLink };
}

/** `ltx ARGS` as a shell would start it: through the link, its `#!/usr/bin/env node` finding `node` on PATH. */
function ltxOnPath(ltxLink: string, nodeDir: string, args: string[], cwd: string) {
  const r = spawnSync(ltxLink, args, { cwd, encoding: 'utf8', env: { ...env, PATH: `${nodeDir}:/usr/bin:/bin` } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A Node on this machine too old to run ltx itself (Debian's is 20), if there is one. */
const olderNode = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => {
  if (!existsSync(path)) return false;
  const version = spawnSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim().split('.').map(Number);
  return version[0]! < 22 || (version[0] === 22 && version[1]! < 18);
});

test('from another directory: check, run and results of a program there, with the cache beside it', () => {
  const { dir, ltxLink } = experiment();
  const nodeDir = dirname(process.execPath);
  const check = ltxOnPath(ltxLink, nodeDir, ['check', 'tiny.ltx'], dir);
  assert.equal(check.stdout, 'tiny.ltx: ok (2 stages)\n', check.stderr);
  const run = ltxOnPath(ltxLink, nodeDir, ['run', 'tiny.ltx', '-j', '1'], dir);
  assert.equal(run.status, 0, run.stderr);
  assert.ok(run.stdout.includes(`cache:   ${join(dir, '.ltx-cache')}`), run.stdout);
  const results = ltxOnPath(ltxLink, nodeDir, ['results', 'tiny.ltx', '--json'], dir);
  assert.equal(JSON.parse(results.stdout).probes.acc[0].status, 'done');
});

test('started by an older Node, ltx hands the command over to the project\'s Node 24 and exits as it does', { skip: !olderNode && 'no Node older than 22.18 on this machine' }, () => {
  const { dir, ltxLink } = experiment();
  const nodeDir = dirname(olderNode!);
  assert.deepEqual(ltxOnPath(ltxLink, nodeDir, ['--version'], dir), { status: 0, stdout: 'ltx 0.1.0\n', stderr: '' });
  const check = ltxOnPath(ltxLink, nodeDir, ['check', 'tiny.ltx'], dir);
  assert.deepEqual([check.status, check.stdout], [0, 'tiny.ltx: ok (2 stages)\n'], check.stderr);
  const usage = ltxOnPath(ltxLink, nodeDir, ['check', '--frobnicate'], dir);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /^ltx: ltx check: Unknown option '--frobnicate'/);
});

test('a relative data path is the program\'s directory\'s, whichever directory ltx runs in: epochs of a text become steps', () => {
  const { dir, ltxLink } = experiment();
  copyFileSync(join(ROOT, 'data/gpl-3.txt'), join(dir, 'corpus.txt'));
  writeFileSync(join(dir, 'lm.ltx'), `dataset corpus = text("corpus.txt", context: 32, test: 10%)
model lm = transformer(vocab: 96, context: 32, width: 16, heads: 2, layers: 1)
init w0 = xavier_uniform(lm, seed: 0)
optimizer opt = adamw(lr: 3e-3, batch: 32)
train dense = fit(w0, data: corpus.train, optimizer: opt, steps: 1 epoch, order: 0)
`);
  const check = ltxOnPath(ltxLink, dirname(process.execPath), ['check', join(dir, 'lm.ltx')], join(dir, 'bin'));
  assert.deepEqual([check.status, check.stdout], [0, `${join(dir, 'lm.ltx')}: ok (2 stages)\n`], check.stderr);
});
