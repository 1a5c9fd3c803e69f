// `ltx run --backend webgpu` through the real binary on a small IMP program (an mlp 64-16-10 on the
// bundled digits, two levels): it exits by itself, the same stages computed twice give the same bits,
// the action records, `plan` and `results` say webgpu computed them, and the probes agree with wasm's
// within float32 rounding. In CI the adapter is mesa's lavapipe (software Vulkan); where WebGPU cannot
// start, the test is skipped with the reason.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { test, type TestContext } from 'node:test';
import { Store } from '../../runtime/store/index.ts';
import { BIN, digitsImp, env, ROOT, workspace } from './helpers.ts';

const IMP = digitsImp(30, 2);

/**
 * How far webgpu's probes may be from wasm's. Both compute in float32, summing in different orders, and
 * 30 + 2·20 SGD steps carry the differences into the probes (measured here: test accuracy equal, test
 * loss within 3e-7 relative); 1e-3 relative on the loss and one test example in 360 on the
 * accuracy leave room for rounding that happens to flip a prediction, and nothing more.
 */
const LOSS_TOLERANCE = 1e-3;
const ACCURACY_TOLERANCE = 1 / 360 + 1e-9;

/** Generous: lavapipe on two busy cores takes seconds; the limit only turns a hang into a failure. */
const HANG_LIMIT_MS = 240_000;

function run(file: string, cache: string, backend: string, jobs = 1) {
  const r = spawnSync(process.execPath, [BIN, 'run', file, '--cache', cache, '--backend', backend, '--json', '-j', String(jobs)], {
    encoding: 'utf8', cwd: ROOT, env, timeout: HANG_LIMIT_MS,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function ltxJson(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args, '--json'], { encoding: 'utf8', cwd: ROOT, env });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** Every stage's outputs as name → digest, and the backend its record names. */
async function recordsOf(file: string, cache: string) {
  const store = new Store(cache);
  const stages = ltxJson(['plan', file, '--cache', cache]).stages as { id: string; name: string }[];
  const records = new Map<string, { backend: string; outputs: Record<string, string> }>();
  for (const { id, name } of stages) {
    const outcome = await store.inspect(id);
    assert.equal(outcome.status, 'found', name);
    if (outcome.status !== 'found') continue;
    const outputs = Object.fromEntries(Object.entries(outcome.record.outputs).map(([output, ref]) => [output, ref.digest]));
    records.set(name, { backend: outcome.record.backend, outputs });
  }
  return records;
}

function skipUnlessStarted(t: TestContext, r: ReturnType<typeof run>): boolean {
  if (r.status === 1 && /no usable backend for --backend webgpu/.test(r.stderr)) {
    t.skip(`WebGPU does not start here: ${r.stderr.trim()}`);
    return true;
  }
  return false;
}

test('webgpu without a Vulkan driver: exit status 1 and one line saying why; nothing is computed', (t) => {
  const { file, dir } = workspace(IMP);
  const noDriver = { VK_ICD_FILENAMES: `${dir}/no-such-icd.json`, VK_DRIVER_FILES: `${dir}/no-such-icd.json` };
  const r = spawnSync(process.execPath, [BIN, 'run', file, '--cache', `${dir}/cache`, '--backend', 'webgpu'], {
    encoding: 'utf8', cwd: ROOT, env: { ...env, ...noDriver }, timeout: HANG_LIMIT_MS,
  });
  if (/webgpu \(not installed\)/.test(r.stderr)) return t.skip('the webgpu package is not installed');
  assert.equal(r.status, 1, r.stderr);
  // Vulkan's loader and Dawn print their own warnings first.
  assert.equal(r.stderr.trimEnd().split('\n').at(-1),
    "ltx: no usable backend for --backend webgpu: webgpu (Dawn found no adapter: no Vulkan driver (Debian's mesa-vulkan-drivers or the NVIDIA driver provide one))");
  assert.equal(existsSync(`${dir}/cache/actions`) && readdirSync(`${dir}/cache/actions`).length > 0, false);
});

test('webgpu: an IMP program runs, exits by itself, repeats to the bit, is labelled webgpu, and agrees with wasm', async (t) => {
  const { file, dir } = workspace(IMP);
  // Two workers, each with its own Dawn device; the second computation has one.
  const first = run(file, `${dir}/gpu-1`, 'webgpu', 2);
  if (skipUnlessStarted(t, first)) return;
  assert.equal(first.signal, null, `ltx run --backend webgpu did not exit within ${HANG_LIMIT_MS / 1000} s`);
  assert.equal(first.status, 0, first.stderr);
  const doc = JSON.parse(first.stdout);
  assert.equal(doc.backend, 'webgpu');
  assert.equal(doc.failed, 0);

  const second = run(file, `${dir}/gpu-2`, 'webgpu');
  assert.equal(second.status, 0, second.stderr);
  const [a, b] = [await recordsOf(file, `${dir}/gpu-1`), await recordsOf(file, `${dir}/gpu-2`)];
  assert.ok(a.size >= 8, `stages: ${[...a.keys()].join(', ')}`);
  for (const [name, record] of a) {
    assert.equal(record.backend, 'webgpu', name);
    assert.deepEqual(b.get(name)!.outputs, record.outputs, `${name}: the second computation's outputs differ`);
  }

  const plan = spawnSync(process.execPath, [BIN, 'plan', file, '--cache', `${dir}/gpu-1`], { encoding: 'utf8', cwd: ROOT, env });
  assert.match(plan.stdout, /^STAGE +KIND +OP +KEY +STATUS +BACKEND +WHY$/m);
  assert.match(plan.stdout, /^dense 0→10 +train +train +[0-9a-f]{12} +cached +webgpu +result in cache$/m);
  assert.ok(ltxJson(['plan', file, '--cache', `${dir}/gpu-1`]).stages.every((s: { backend: string }) => s.backend === 'webgpu'));
  const results = spawnSync(process.execPath, [BIN, 'results', file, '--cache', `${dir}/gpu-1`], { encoding: 'utf8', cwd: ROOT, env });
  assert.match(results.stdout, /^acc accuracy, 3 of 3 rows computed on webgpu$/m);

  const wasm = run(file, `${dir}/wasm`, 'wasm');
  assert.equal(wasm.status, 0, wasm.stderr);
  const gpuRows = ltxJson(['results', file, '--cache', `${dir}/gpu-1`]).probes.acc;
  const wasmRows = ltxJson(['results', file, '--cache', `${dir}/wasm`]).probes.acc;
  assert.equal(gpuRows.length, 3);
  gpuRows.forEach((row: { backend: string; metrics: { accuracy: number; loss: number } }, i: number) => {
    const reference = wasmRows[i].metrics;
    assert.equal(row.backend, 'webgpu');
    assert.equal(wasmRows[i].backend, 'wasm');
    assert.ok(Math.abs(row.metrics.accuracy - reference.accuracy) <= ACCURACY_TOLERANCE, `level ${i}: accuracy ${row.metrics.accuracy} on webgpu, ${reference.accuracy} on wasm`);
    assert.ok(Math.abs(row.metrics.loss - reference.loss) <= LOSS_TOLERANCE * reference.loss, `level ${i}: loss ${row.metrics.loss} on webgpu, ${reference.loss} on wasm`);
  });
});
