// fourier: the power of a token table in each frequency of Z_p, and how concentrated it is.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { blockColumnPower, blockFrequencyPower, fourierConcentration, frequencyPower, unitConcentration } from '../../stdlib/probes/fourier.ts';
import { createRng } from '../../stdlib/random.ts';
import { StageFailure } from '../../stdlib/stage-support/failure.ts';
import { initCheckpoint, mlp, runProbe, useCpuBackend, type Ref } from '../training/helpers.ts';

before(useCpuBackend);

/** A [p, d] table from a function of (token, column). */
function table(p: number, d: number, value: (a: number, j: number) => number): Float64Array {
  return Float64Array.from({ length: p * d }, (_, i) => value(Math.floor(i / d), i % d));
}

const wave = (p: number, k: number, f: (x: number) => number) => (a: number) => f((2 * Math.PI * k * a) / p);

test('a table made of two frequencies has all its power in them, equally: top share 1, two effective frequencies', () => {
  const p = 13;
  // Columns: cos 3a, sin 3a, cos 7a, and a constant offset everywhere (not a frequency).
  const w = table(p, 3, (a, j) => 4 + [wave(p, 3, Math.cos), wave(p, 3, Math.sin), wave(p, 7, Math.cos)][j]!(a) * (j === 2 ? Math.SQRT2 : 1));
  const power = frequencyPower(w, p, 3);
  assert.equal(power.length, 6);
  const result = fourierConcentration(power, 2);
  assert.ok(Math.abs(result.metrics.top_share! - 1) < 1e-12);
  assert.ok(Math.abs(result.metrics.effective_frequencies! - 2) < 1e-9, `${result.metrics.effective_frequencies}`);
  assert.deepEqual([...result.series!.key_frequencies as number[]].sort(), [3, 6]);
});

test('the orthonormal basis keeps the power: Σ_k P_k is the squared norm of the table without its constant part', () => {
  const p = 11;
  const rng = createRng(3, 'test/fourier');
  const w = table(p, 4, () => rng.normal());
  let expected = 0;
  for (let j = 0; j < 4; j++) {
    let mean = 0;
    for (let a = 0; a < p; a++) mean += w[a * 4 + j]! / p;
    for (let a = 0; a < p; a++) expected += (w[a * 4 + j]! - mean) ** 2;
  }
  const total = frequencyPower(w, p, 4).reduce((x, y) => x + y, 0);
  assert.ok(Math.abs(total - expected) < 1e-9 * expected);
});

test('a random table spreads its power: many effective frequencies, top share near top / K', () => {
  const p = 59;
  const rng = createRng(4, 'test/fourier');
  const result = fourierConcentration(frequencyPower(table(p, 64, () => rng.normal()), p, 64), 5);
  assert.equal(result.metrics.frequencies, 29);
  assert.ok(result.metrics.effective_frequencies! > 25, `${result.metrics.effective_frequencies}`);
  assert.ok(result.metrics.top_share! < 0.3, `${result.metrics.top_share}`);
});

test('through the stage: a transformer\'s embedding by default, and a clear failure for weights without it', async () => {
  const model: Ref = { op: 'transformer', version: 1, params: { vocab: 7, context: 2, width: 8, heads: 2, layers: 1, mlp_ratio: 4 } };
  const result = await runProbe('fourier', { weight: 'embed.weight', top: 2 }, { x: await initCheckpoint(model, 1) });
  assert.equal(result.metrics.frequencies, 3);
  assert.equal((result.series!.power as number[]).length, 3);
  await assert.rejects(runProbe('fourier', { weight: 'embed.weight', top: 2 }, { x: await initCheckpoint(mlp(4, [3], 2), 1) }), (error: unknown) => {
    assert.ok(error instanceof StageFailure);
    assert.match(error.message, /fourier: the weights have no parameter 'embed.weight'/);
    return true;
  });
});

test('with residues: p, a table of blocks of p rows sums the power of the blocks: an mlp\'s first layer on one-hot pairs', () => {
  const p = 13;
  // The rows of a (block 1) carry frequency 2, those of b (block 2) frequency 5.
  const a = table(p, 2, (r, j) => wave(p, 2, j === 0 ? Math.cos : Math.sin)(r));
  const b = table(p, 2, (r, j) => 3 * wave(p, 5, j === 0 ? Math.cos : Math.sin)(r));
  const both = Float64Array.from([...a, ...b]);
  const power = blockFrequencyPower(both, 2 * p, 2, p);
  const expected = frequencyPower(a, p, 2).map((pa, k) => pa + frequencyPower(b, p, 2)[k]!);
  assert.equal(power.length, 6);
  power.forEach((pk, k) => assert.ok(Math.abs(pk - expected[k]!) < 1e-9));
  assert.deepEqual(fourierConcentration(power, 2).series!.key_frequencies, [5, 2]);
});

test('through the stage: an mlp\'s layer1.weight read as blocks of residues rows, and a clear failure when they do not divide it', async () => {
  const x = await initCheckpoint(mlp(14, [6], 7), 1);
  const result = await runProbe('fourier', { weight: 'layer1.weight', top: 2, residues: 7 }, { x });
  assert.equal(result.metrics.frequencies, 3);
  await assert.rejects(runProbe('fourier', { weight: 'layer1.weight', top: 2, residues: 5 }, { x }), (error: unknown) => {
    assert.ok(error instanceof StageFailure);
    assert.equal(error.message, 'fourier: the table has 14 rows, not a multiple of residues: 5');
    return true;
  });
});

test('per unit: columns with one frequency each, all frequencies used, concentrate per unit while the table stays spread', () => {
  const p = 11;
  // Column j is cos((j mod 5 + 1)·a) in a's block and the same frequency, shifted, in b's block.
  const d = 10;
  const a = table(p, d, (r, j) => wave(p, (j % 5) + 1, Math.cos)(r));
  const b = table(p, d, (r, j) => wave(p, (j % 5) + 1, Math.sin)(r));
  const columns = blockColumnPower(Float64Array.from([...a, ...b]), 2 * p, d, p);
  const units = unitConcentration(columns, 1);
  assert.ok(Math.abs(units.metrics.top_share! - 1) < 1e-9);
  assert.ok(Math.abs(units.metrics.effective_frequencies! - 1) < 1e-9);
  assert.equal(units.metrics.units, 10);
  assert.deepEqual(units.series!.unit_frequencies, [2, 2, 2, 2, 2]);
  const whole = fourierConcentration(blockFrequencyPower(Float64Array.from([...a, ...b]), 2 * p, d, p), 1);
  assert.ok(Math.abs(whole.metrics.top_share! - 0.2) < 1e-9, 'the table: one frequency of five equal ones');
  (units.series!.power as number[]).forEach((pk, k) => assert.ok(Math.abs(pk - (whole.series!.power as number[])[k]!) < 1e-9, 'the same power in all'));
});

test('through the stage: per: "unit" on an mlp\'s layer1.weight gives the mean over its hidden units', async () => {
  const x = await initCheckpoint(mlp(14, [6], 7), 1);
  const result = await runProbe('fourier', { weight: 'layer1.weight', top: 1, residues: 7, per: 'unit' }, { x });
  assert.equal(result.metrics.units, 6);
  assert.equal(result.metrics.frequencies, 3);
  assert.equal((result.series!.unit_frequencies as number[]).reduce((s, n) => s + n, 0), 6);
});
