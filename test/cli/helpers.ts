// Scaffolding for tests of the real binary: a tiny program, throwaway workspaces, running `ltx`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin/ltx.js');

/** An mlp 64-16-10 on the bundled digits, a few dozen steps: nine stages, a few seconds. */
export const TINY = `dataset d = digits(test: 20%, seed: 0)
model net = mlp(input: 64, hidden: [16], classes: 10)
init w0 = kaiming_normal(net, seed: 0)
optimizer opt = sgd(lr: 0.1, momentum: 0.9, batch: 60)
train dense = fit(w0, data: d.train, optimizer: opt, steps: 40 steps, order: 0)
mask m = magnitude(dense, rate: 50%)
train t = fit(rewind(dense @ 10 steps, mask: m), like: dense)
probe acc = accuracy(dense, on: d.test)
probe acct = accuracy(t, on: d.test)
probe kept = sparsity(t)
`;

/** IMP of an mlp 64-16-10 on the bundled digits: a dense run of `steps`, then `rounds` levels of 50%, with accuracy probes. */
export function digitsImp(steps: number, rounds: number): string {
  return `dataset d = digits(test: 20%, seed: 0)
model net = mlp(input: 64, hidden: [16], classes: 10)
init w0 = kaiming_normal(net, seed: 0)
optimizer opt = sgd(lr: 0.1, momentum: 0.9, batch: 60)
train dense = fit(w0, data: d.train, optimizer: opt, steps: ${steps} steps, order: 0)
lottery imp = imp(dense, rounds: ${rounds}, rate: 50%, rewind: 10 steps)
probe acc = accuracy(imp, on: d.test)
`;
}

/** A second branch for TINY whose training fails (a learning rate that makes the loss overflow), with a probe of it. */
export const FAILING_BRANCH = `
model wide = mlp(input: 64, hidden: [4], classes: 10)
init w1 = kaiming_normal(wide, seed: 0)
optimizer wild = sgd(lr: 1e20, batch: 60)
train broken = fit(w1, data: d.train, optimizer: wild, steps: 20 steps, order: 0)
probe broken_acc = accuracy(broken, on: d.test)
`;

/** A fresh directory with `program` in tiny.ltx, removed when the test file ends; `cache` does not exist yet. */
export function workspace(program = TINY): { dir: string; file: string; cache: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ltx-run-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'tiny.ltx');
  writeFileSync(file, program);
  return { dir, file, cache: join(dir, 'cache') };
}

/** The binary's environment; its digests of data files are remembered outside the tester's home. */
export const env = { ...process.env, NO_COLOR: '', FORCE_COLOR: '', LTX_CACHE: '', XDG_CACHE_HOME: join(tmpdir(), 'ltx-tests-xdg-cache') };

export function ltx(args: string[], cwd = ROOT, extraEnv: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd, env: { ...env, ...extraEnv } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export const RECORD_MODULES = pathToFileURL(join(ROOT, 'test/cli/fixtures/record-modules.ts')).href;

/** `ltx ARGS`, and the URL of every module the process loaded (recorded by a loader hook). */
export function ltxLoading(args: string[], cwd = ROOT) {
  const dir = mkdtempSync(join(tmpdir(), 'ltx-modules-'));
  try {
    const log = join(dir, 'modules.log');
    const r = spawnSync(process.execPath, ['--import', RECORD_MODULES, BIN, ...args], { encoding: 'utf8', cwd, env: { ...env, LTX_TEST_MODULE_LOG: log } });
    const modules = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, modules };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The heavy packages a command may load only where it needs them: TensorFlow.js (run) and Vega (report). */
export function heavyPackages(modules: string[]): string[] {
  const names = modules.map((url) => /\/node_modules\/(@tensorflow\/[^/]+|vega[^/]*)\//.exec(url)?.[1]).filter((name) => name !== undefined);
  return [...new Set(names)].sort();
}
