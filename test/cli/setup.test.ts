// The set-up the README promises: `npm ci` with the Node the machine has (older than the Node 24 ltx
// runs on) prints no warnings. A dry run, offline: it resolves the lockfile and checks engines as the
// real install does, without fetching or unpacking anything.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ROOT } from './helpers.ts';

/** A Node older than ltx runs on (Debian's 20), with the npm installed beside it. */
const olderNode = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => {
  if (!existsSync(path)) return false;
  const [major, minor] = spawnSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim().split('.').map(Number);
  return major! < 22 || (major === 22 && minor! < 18);
});
const npmCli = [join(olderNode ?? '/', '../../lib/node_modules/npm/bin/npm-cli.js')].find((path) => existsSync(path));

/** `npm ci --dry-run` in a copy of the project's package files, with the older Node. */
function npmCi(...flags: string[]): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ltx-npm-ci-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (const file of ['package.json', 'package-lock.json', '.npmrc']) if (existsSync(join(ROOT, file))) copyFileSync(join(ROOT, file), join(dir, file));
  // Settings npm passes down to the scripts it runs (`npm test`) would outrank the project's .npmrc.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  const r = spawnSync(olderNode!, [npmCli!, 'ci', '--dry-run', '--ignore-scripts', '--offline', `--cache=${join(dir, 'npm-cache')}`, ...flags], { cwd: dir, encoding: 'utf8', env });
  return { status: r.status, output: r.stdout + r.stderr };
}

const noOlderNpm = !npmCli && 'needs a Node older than 22.18 with its npm (Debian\'s nodejs and npm)';

test('npm ci with an older Node prints no warnings, no engine warnings among them', { skip: noOlderNpm }, () => {
  const r = npmCi();
  assert.equal(r.status, 0, r.output);
  assert.deepEqual(r.output.split('\n').filter((line) => /npm warn|EBADENGINE/i.test(line)), []);
});

test('the project\'s own engines admit an older Node: it starts ltx, which hands over to the project\'s Node 24', { skip: noOlderNpm }, () => {
  const r = npmCi('--loglevel=warn');
  assert.equal(r.status, 0, r.output);
  assert.deepEqual(r.output.split('\n').filter((line) => /package: 'ltx@/.test(line)), []);
});
