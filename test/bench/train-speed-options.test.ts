// The flags of bench/train-speed.ts: which workloads run and how many timed steps each takes; a bad value
// is one line naming its flag, with exit status 2.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { parseTrainSpeedArgs, UsageError } from '../../bench/train-speed-options.ts';
import { ROOT } from '../cli/helpers.ts';

const parse = (...args: string[]) => parseTrainSpeedArgs(args, 2);
const names = (...args: string[]) => parse(...args).workloads.map((w) => w.name);

function rejects(args: string[], message: RegExp): void {
  assert.throws(() => parse(...args), (e: unknown) => e instanceof UsageError && message.test(e.message));
}

test('without flags every workload runs, with its own default steps', () => {
  const options = parse();
  assert.deepEqual(names(), ['lenet-300-100', 'conv-2', 'conv-4', 'conv-6', 'lenet5']);
  assert.deepEqual(options.steps, { 'lenet-300-100': 400, 'conv-2': 10, 'conv-4': 10, 'conv-6': 10, lenet5: 400 });
  assert.deepEqual(options.torchThreads, [1, 2]);
  assert.equal(options.wasmThreads, 2);
  assert.equal(options.torch, true);
  assert.equal(options.write, true);
});

test('--workloads picks workloads, which run in the benchmark’s order', () => {
  assert.deepEqual(names('--workloads', 'lenet5,conv-4'), ['conv-4', 'lenet5']);
});

test('--conv-steps sets the steps of every Conv-N net, --mlp-steps those of LeNet-300-100', () => {
  const { steps } = parse('--conv-steps', '3', '--mlp-steps', '50');
  assert.deepEqual(steps, { 'lenet-300-100': 50, 'conv-2': 3, 'conv-4': 3, 'conv-6': 3, lenet5: 400 });
});

test('--steps sets any workload’s steps and wins over --conv-steps', () => {
  const { steps } = parse('--conv-steps', '3', '--steps', 'conv-6=1, lenet5=20');
  assert.deepEqual(steps, { 'lenet-300-100': 400, 'conv-2': 3, 'conv-4': 3, 'conv-6': 1, lenet5: 20 });
});

test('--no-torch, --no-write and the thread counts', () => {
  const options = parse('--no-torch', '--no-write', '--wasm-threads', '1', '--torch-threads', '2');
  assert.deepEqual([options.torch, options.write, options.wasmThreads, options.torchThreads], [false, false, 1, [2]]);
});

test('bad values name their flag', () => {
  rejects(['--workloads', 'conv-5'], /^--workloads conv-5: unknown workload 'conv-5'; expected some of lenet-300-100, conv-2/);
  rejects(['--workloads', ''], /^--workloads : unknown workload ''/);
  rejects(['--conv-steps', '0'], /^--conv-steps 0: expected a whole number ≥ 1$/);
  rejects(['--mlp-steps', 'many'], /^--mlp-steps many: expected a whole number ≥ 1$/);
  rejects(['--steps', 'conv-4'], /^--steps conv-4: expected WORKLOAD=N/);
  rejects(['--steps', 'conv-4=2.5'], /^--steps conv-4=2\.5: conv-4=2\.5: expected a whole number ≥ 1$/);
  rejects(['--steps', 'conv-8=2'], /^--steps conv-8=2: unknown workload 'conv-8'/);
  rejects(['--workloads', 'conv-2', '--steps', 'conv-6=2'], /^--steps conv-6=2: conv-6 is not among the workloads run/);
  rejects(['--wasm-threads', '0'], /^--wasm-threads 0: expected a whole number ≥ 1$/);
  rejects(['--torch-threads', '1,x'], /^--torch-threads 1,x: expected whole numbers ≥ 1, comma-separated$/);
  rejects(['--frobnicate'], /^Unknown option '--frobnicate'$/);
});

test('the benchmark answers a bad flag with one line on stderr and exit status 2, before measuring anything', () => {
  const r = spawnSync(process.execPath, ['bench/train-speed.ts', '--workloads', 'conv-5'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^bench\/train-speed: --workloads conv-5: unknown workload 'conv-5'[^\n]*\n$/);
});
