// What each job asks Slurm for: per-kind defaults, slurm.json, --slurm flags.
import assert from 'node:assert/strict';
import test from 'node:test';
import { applyConfigFile, applyFlags, defaultSettings, sbatchOptions } from '../../runtime/executors/slurm/resources.ts';

test('by default probes ask for little and training for more', () => {
  const settings = defaultSettings();
  assert.deepEqual(sbatchOptions(settings.resources.probe), ['--time=0:30:00', '--cpus-per-task=1', '--mem=2G']);
  assert.deepEqual(sbatchOptions(settings.resources.train), ['--time=4:00:00', '--cpus-per-task=4', '--mem=8G']);
  assert.equal(settings.requeue, 2);
  assert.equal(settings.requeueCancelled, false);
  assert.equal(settings.order, 'controller');
});

test('slurm.json sets every kind, an object per kind overrides it, and flags come last', () => {
  const settings = defaultSettings();
  applyConfigFile(settings, { partition: 'gpu', account: 'lab', qos: 'high', mem: '4G', train: { gpus: 1, time: '8:00:00' }, extra: ['--constraint=a100'], requeue: 3, poll: 2 }, 'slurm.json');
  applyFlags(settings, ['probe.cpus=2', 'requeue-cancelled=yes']);
  assert.deepEqual(sbatchOptions(settings.resources.train), ['--partition=gpu', '--account=lab', '--qos=high', '--time=8:00:00', '--cpus-per-task=4', '--mem=4G', '--gres=gpu:1', '--constraint=a100']);
  assert.deepEqual(sbatchOptions(settings.resources.probe), ['--partition=gpu', '--account=lab', '--qos=high', '--time=0:30:00', '--cpus-per-task=2', '--mem=4G', '--constraint=a100']);
  assert.deepEqual([settings.requeue, settings.requeueCancelled, settings.pollMs], [3, true, 2000]);
});

test('a value stays one argument whatever it holds: nothing is split or quoted for a shell', () => {
  const settings = defaultSettings();
  applyFlags(settings, ['partition=a b;$(touch x)']);
  assert.ok(sbatchOptions(settings.resources.mask).includes('--partition=a b;$(touch x)'));
});

test('each --slurm extra=OPTION adds one sbatch argument, after those of slurm.json', () => {
  const settings = defaultSettings();
  applyConfigFile(settings, { extra: ['--constraint=a100'] }, 'slurm.json');
  applyFlags(settings, ['extra=--comment=a b', 'train.extra=--exclusive']);
  assert.deepEqual(settings.resources.probe.extra, ['--constraint=a100', '--comment=a b']);
  assert.deepEqual(settings.resources.train.extra, ['--constraint=a100', '--comment=a b', '--exclusive']);
});

test('a bad setting names the file and the key', () => {
  assert.throws(() => applyConfigFile(defaultSettings(), { train: { cpus: 0 } }, '/p/slurm.json'), /^SlurmSettingsError: \/p\/slurm.json: train.cpus: expected a whole number ≥ 1, got 0$/);
  assert.throws(() => applyConfigFile(defaultSettings(), { memory: '2G' }, '/p/slurm.json'), /\/p\/slurm.json: memory: unknown setting 'memory'/);
  assert.throws(() => applyConfigFile(defaultSettings(), [], '/p/slurm.json'), /\/p\/slurm.json: expected an object of settings/);
  assert.throws(() => applyFlags(defaultSettings(), ['time=1:00\n#SBATCH --x']), /--slurm time: expected a one-line text/);
  assert.throws(() => applyFlags(defaultSettings(), ['order=fifo']), /--slurm order: expected controller or afterok, got "fifo"/);
});
