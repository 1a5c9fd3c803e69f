import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withDefaults } from '../../core/defaults.ts';
import { initialize, TABLE_STD, weightDistribution, type InitScheme } from '../../stdlib/inits/index.ts';
import { normal } from '../../stdlib/inits/normal.ts';
import { layoutOf } from './helpers.ts';

const LENET_300_100 = layoutOf('mlp', { input: 784, hidden: [300, 100], classes: 10 });

function moments(values: Float32Array): { mean: number; std: number; min: number; max: number } {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return { mean, std: Math.sqrt(squares / values.length), min, max };
}

/** layer1.weight of LeNet-300-100: 235,200 draws, so the sample std is within ~0.5% of the true one. */
function firstLayer(scheme: InitScheme, opts: { std?: number; gain?: number } = {}) {
  return moments(initialize(LENET_300_100, scheme, { seed: 7, ...opts }).get('layer1.weight')!);
}

function assertClose(actual: number, expected: number, relative: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= relative * Math.abs(expected), `${what}: ${actual} vs ${expected}`);
}

test('kaiming_normal draws N(0, 2/fan_in) as PyTorch with nonlinearity relu', () => {
  const { mean, std } = firstLayer('kaiming_normal');
  assertClose(std, Math.sqrt(2 / 784), 0.01, 'std');
  assert.ok(Math.abs(mean) < 0.01 * std, `mean ${mean}`);
});

test('kaiming_uniform draws U(±√(6/fan_in))', () => {
  const bound = Math.sqrt(6 / 784);
  const { std, min, max } = firstLayer('kaiming_uniform');
  assert.ok(min >= -bound && max <= bound, 'within the bound');
  assert.ok(min < -0.999 * bound && max > 0.999 * bound, 'reaches the bound');
  assertClose(std, bound / Math.sqrt(3), 0.01, 'std');
});

test('xavier_normal draws N(0, 2/(fan_in + fan_out))', () => {
  assertClose(firstLayer('xavier_normal').std, Math.sqrt(2 / (784 + 300)), 0.01, 'std');
});

test('xavier_uniform draws U(±√(6/(fan_in + fan_out)))', () => {
  const bound = Math.sqrt(6 / (784 + 300));
  const { std, min, max } = firstLayer('xavier_uniform');
  assert.ok(min >= -bound && max <= bound && min < -0.999 * bound && max > 0.999 * bound);
  assertClose(std, bound / Math.sqrt(3), 0.01, 'std');
});

test('normal draws N(0, std²), with std 0.01 unless given', () => {
  assertClose(firstLayer('normal', { std: 0.05 }).std, 0.05, 0.01, 'std');
  const { std } = withDefaults(normal, { model: 'net' });
  assert.equal(std, 0.01, 'the schema default, which the compiler fills');
  assertClose(firstLayer('normal', { std }).std, 0.01, 0.01, 'default std');
  assert.throws(() => initialize(LENET_300_100, 'normal', { seed: 0 }), /needs a non-negative std, got undefined/);
  assert.throws(() => initialize(LENET_300_100, 'normal', { seed: 0, std: -1 }), /needs a non-negative std, got -1/);
});

test('gain overrides the scheme default', () => {
  assertClose(firstLayer('kaiming_normal', { gain: 1 }).std, 1 / Math.sqrt(784), 0.01, 'kaiming with gain 1');
  assertClose(firstLayer('xavier_normal', { gain: 3 }).std, 3 * Math.sqrt(2 / 1084), 0.01, 'xavier with gain 3');
});

test('conv kernels count the receptive field in their fans', () => {
  const conv4 = layoutOf('conv4', {});
  const spec = conv4.params.find((p) => p.name === 'conv3.weight')!;
  assert.deepEqual(spec.shape, [3, 3, 64, 128]);
  const expectedStd = Math.sqrt(2 / (3 * 3 * 64));
  const kaiming = weightDistribution('kaiming_normal', spec, { seed: 0 });
  assert.ok(kaiming.kind === 'normal');
  assertClose(kaiming.std, expectedStd, 1e-12, 'kaiming std');
  const values = initialize(conv4, 'kaiming_normal', { seed: 1 }).get('conv3.weight')!;
  assertClose(moments(values).std, expectedStd, 0.01, 'conv3 std');
  const xavier = weightDistribution('xavier_uniform', spec, { seed: 0 });
  assert.ok(xavier.kind === 'uniform');
  assertClose(xavier.bound, Math.sqrt(6 / (9 * 64 + 9 * 128)), 1e-12, 'xavier bound');
});

test('biases and shifts start at 0, norm scales at 1, running mean 0 and variance 1', () => {
  const resnet = layoutOf('resnet', { depth: 8, width: 4 });
  const values = initialize(resnet, 'kaiming_uniform', { seed: 3 });
  for (const spec of resnet.params) {
    const v = values.get(spec.name)!;
    const expected = spec.role === 'norm_scale' || spec.name.endsWith('.var') ? 1 : spec.role === 'weight' ? undefined : 0;
    if (expected !== undefined) assert.ok(v.every((x) => x === expected), `${spec.name} is all ${expected}`);
  }
  assert.ok(values.get('output.bias')!.every((x) => x === 0));
});

test('embeddings and positions are N(0, 0.02²) under every scheme', () => {
  const transformer = layoutOf('transformer', { vocab: 500, context: 64, width: 64, heads: 4, layers: 1 });
  for (const scheme of ['kaiming_normal', 'xavier_uniform', 'normal'] as const) {
    const values = initialize(transformer, scheme, { seed: 0, std: 1 });
    assertClose(moments(values.get('embed.weight')!).std, TABLE_STD, 0.02, `${scheme} embed`);
    assertClose(moments(values.get('position.weight')!).std, TABLE_STD, 0.03, `${scheme} position`);
    assert.ok(values.get('block1.ln1.scale')!.every((x) => x === 1));
  }
});

test('the map holds every parameter, in layout order, with its size', () => {
  const layout = layoutOf('lenet5', {});
  const values = initialize(layout, 'xavier_normal', { seed: 0 });
  assert.deepEqual([...values.keys()], layout.params.map((p) => p.name));
  for (const spec of layout.params) assert.equal(values.get(spec.name)!.length, spec.shape.reduce((a, b) => a * b, 1));
});

test('the same seed gives the same bits; another seed other values', () => {
  const a = initialize(LENET_300_100, 'kaiming_normal', { seed: 11 });
  const b = initialize(LENET_300_100, 'kaiming_normal', { seed: 11 });
  const c = initialize(LENET_300_100, 'kaiming_normal', { seed: 12 });
  for (const name of a.keys()) assert.deepEqual(a.get(name), b.get(name), name);
  const first = (m: Map<string, Float32Array>) => Array.from(m.get('layer1.weight')!.subarray(0, 50));
  assert.notDeepEqual(first(a), first(c));
});

test('each parameter has its own stream: changing another layer leaves it unchanged', () => {
  const narrow = initialize(layoutOf('mlp', { input: 784, hidden: [300, 50], classes: 10 }), 'kaiming_normal', { seed: 5 });
  const deeper = initialize(layoutOf('mlp', { input: 784, hidden: [300, 100, 100], classes: 10 }), 'kaiming_normal', { seed: 5 });
  const base = initialize(LENET_300_100, 'kaiming_normal', { seed: 5 });
  assert.deepEqual(narrow.get('layer1.weight'), base.get('layer1.weight'));
  assert.deepEqual(deeper.get('layer1.weight'), base.get('layer1.weight'));
  assert.deepEqual(deeper.get('layer2.weight'), base.get('layer2.weight'));
});

test('streams of different parameters are uncorrelated', () => {
  const layout = layoutOf('mlp', { input: 200, hidden: [200, 200], classes: 200 });
  const values = initialize(layout, 'kaiming_normal', { seed: 0 });
  const a = values.get('layer2.weight')!;
  const b = values.get('output.weight')!;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  // 40,000 pairs: an independent pair's correlation has std 1/200 = 0.005.
  assert.ok(Math.abs(dot / Math.sqrt(na * nb)) < 0.025);
});

test('the initializers import no tensor library: they draw the same bits on every backend', () => {
  // Follow the relative value imports from the entry point (type-only imports load nothing).
  const entry = resolve(dirname(fileURLToPath(import.meta.url)), '../../stdlib/inits/index.ts');
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const [, target] of source.matchAll(/^(?:import|export)(?! type )[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
      assert.ok(!target!.startsWith('@tensorflow'), `${file} imports ${target}`);
      if (target!.startsWith('.')) pending.push(resolve(dirname(file), target!));
    }
  }
  assert.ok(seen.size >= 8, `followed ${seen.size} modules`);
});
