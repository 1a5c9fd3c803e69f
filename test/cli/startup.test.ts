// Commands load only what they need: TensorFlow.js only in a run that computes something, Vega only in
// report. Asserted on the modules a command loads (a loader hook records them), never on time; the time
// itself is measured by bench/startup.ts.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { heavyPackages, ltxLoading, ROOT, workspace } from './helpers.ts';

const QUICKSTART = join(ROOT, 'examples/quickstart.ltx');

const COMPILING = (file: string, cache: string): string[][] => [
  ['check', QUICKSTART], ['plan', file, '--cache', cache], ['graph', file],
  ['diff', file, QUICKSTART], ['results', file, '--cache', cache],
];

test('--help, fmt and cache load neither TensorFlow.js nor Vega; the commands that compile load no Vega', () => {
  const { file, cache } = workspace();
  for (const args of [['--help'], ['fmt', '--check', QUICKSTART], ['cache', 'ls', '--cache', cache]]) {
    const r = ltxLoading(args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.modules.some((url) => url.endsWith('/cli/main.ts')), 'the hook saw the modules');
    assert.deepEqual(heavyPackages(r.modules), [], `ltx ${args.join(' ')}`);
  }
  for (const args of COMPILING(file, cache)) {
    const r = ltxLoading(args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.deepEqual(heavyPackages(r.modules).filter((name) => !name.startsWith('@tensorflow/')), [], `ltx ${args.join(' ')}`);
  }
});

test('the commands that compile load no TensorFlow.js', () => {
  const { file, cache } = workspace();
  for (const args of COMPILING(file, cache)) {
    const r = ltxLoading(args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.deepEqual(heavyPackages(r.modules).filter((name) => name.startsWith('@tensorflow/')), [], `ltx ${args.join(' ')}`);
  }
});

test('report loads Vega', () => {
  const { dir, file, cache } = workspace();
  const r = ltxLoading(['report', file, '--cache', cache, '--out', join(dir, 'report')]);
  assert.equal(r.status, 0, r.stderr);
  const heavy = heavyPackages(r.modules);
  assert.ok(heavy.includes('vega') && heavy.includes('vega-lite'), heavy.join(' '));
});
