import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelError } from '../../stdlib/models/errors.ts';
import { convPreset } from '../../stdlib/models/conv.ts';
import { MODEL_OPS, modelLayout, prunableWeightCount } from '../../stdlib/models/layout.ts';
import type { ModelLayout, ParamSpec } from '../../stdlib/models/layout.ts';
import { layoutOf, modelParams, sizeOf } from './helpers.ts';

const spec = (layout: ModelLayout, name: string): ParamSpec => {
  const found = layout.params.find((p) => p.name === name);
  assert.ok(found, `no parameter ${name}`);
  return found;
};
const convWeights = (layout: ModelLayout) =>
  layout.params.filter((p) => p.prunable && p.shape.length === 4).reduce((n, p) => n + sizeOf(p.shape), 0);

function throwsModelError(fn: () => unknown, param: string, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ModelError, `expected a ModelError, got ${String(e)}`);
    assert.equal(e.param, param);
    assert.match(e.message, pattern);
    return true;
  });
}

test('mlp LeNet-300-100 has layers layer1, layer2, output with 266,200 prunable weights', () => {
  const layout = layoutOf('mlp', { input: 784, hidden: [300, 100], classes: 10 });
  assert.deepEqual(
    layout.params.map((p) => [p.name, p.layer, p.role, p.shape, p.prunable]),
    [
      ['layer1.weight', 'layer1', 'weight', [784, 300], true],
      ['layer1.bias', 'layer1', 'bias', [300], false],
      ['layer2.weight', 'layer2', 'weight', [300, 100], true],
      ['layer2.bias', 'layer2', 'bias', [100], false],
      ['output.weight', 'output', 'weight', [100, 10], true],
      ['output.bias', 'output', 'bias', [10], false],
    ],
  );
  assert.deepEqual(layout.prunableLayers, ['layer1', 'layer2', 'output']);
  assert.equal(prunableWeightCount(layout), 266_200);
  assert.deepEqual(layout.inputShape, [784]);
  assert.equal(layout.outputs, 10);
  assert.deepEqual([spec(layout, 'layer2.weight').fanIn, spec(layout, 'layer2.weight').fanOut], [300, 100]);
});

test('mlp with bias: false has no bias parameters', () => {
  const layout = layoutOf('mlp', { input: 4, hidden: [3], classes: 2, bias: false });
  assert.deepEqual(layout.params.map((p) => p.name), ['layer1.weight', 'output.weight']);
});

test('mlp without hidden layers (the default) is a single output layer', () => {
  const layout = layoutOf('mlp', { input: 4, classes: 2 });
  assert.deepEqual(layout.prunableLayers, ['output']);
  assert.deepEqual(spec(layout, 'output.weight').shape, [4, 2]);
});

test('conv presets are the Conv-2/4/6 of Frankle & Carbin: sizes of their weight tables', () => {
  const conv2 = layoutOf('conv2', {});
  assert.deepEqual(conv2.prunableLayers, ['conv1', 'conv2', 'fc1', 'fc2', 'output']);
  assert.deepEqual(spec(conv2, 'conv1.weight').shape, [3, 3, 3, 64]);
  assert.deepEqual(spec(conv2, 'fc1.weight').shape, [16 * 16 * 64, 256]);
  assert.equal(convWeights(conv2), 38_592); // "38K" conv weights
  assert.equal(prunableWeightCount(conv2), 4_300_992); // "4.3M"

  const conv4 = layoutOf('conv4', {});
  assert.deepEqual(conv4.prunableLayers, ['conv1', 'conv2', 'conv3', 'conv4', 'fc1', 'fc2', 'output']);
  assert.deepEqual(spec(conv4, 'conv3.weight').shape, [3, 3, 64, 128]);
  assert.equal(convWeights(conv4), 259_776); // "260K"
  assert.equal(prunableWeightCount(conv4), 2_425_024); // "2.4M"

  const conv6 = layoutOf('conv6', {});
  assert.deepEqual(spec(conv6, 'conv6.weight').shape, [3, 3, 256, 256]);
  assert.deepEqual(spec(conv6, 'fc1.weight').shape, [4 * 4 * 256, 256]);
  assert.equal(convWeights(conv6), 1_144_512); // "1.1M"
});

test('conv presets take input and classes overrides and equal the conv they stand for', () => {
  const params = convPreset('conv4', modelParams('conv4', { input: [16, 16, 1], classes: 5 }));
  assert.deepEqual(params, {
    input: [16, 16, 1],
    channels: [
      [64, 64],
      [128, 128],
    ],
    kernel: 3,
    hidden: [256, 256],
    classes: 5,
    activation: 'relu',
  });
  const preset = layoutOf('conv4', { input: [16, 16, 1], classes: 5 });
  const spelledOut = layoutOf('conv', { ...params });
  assert.deepEqual(preset.params, spelledOut.params);
  assert.deepEqual(spec(preset, 'fc1.weight').shape, [4 * 4 * 128, 256]);
});

test('conv presets take an activation; conv defaults to dense [256, 256] and 10 classes', () => {
  assert.equal(convPreset('conv2', modelParams('conv2', { activation: 'tanh' })).activation, 'tanh');
  const layout = layoutOf('conv', { input: [8, 8, 1], channels: [[4]] });
  assert.deepEqual(
    layout.params.filter((p) => p.prunable).map((p) => [p.layer, p.shape]),
    [
      ['conv1', [3, 3, 1, 4]],
      ['fc1', [4 * 4 * 4, 256]],
      ['fc2', [256, 256]],
      ['output', [256, 10]],
    ],
  );
});

test('conv numbers conv layers across groups, uses the kernel size and conv fans', () => {
  const layout = layoutOf('conv', { input: [9, 9, 2], channels: [[4], [8, 8]], kernel: 5, hidden: [], classes: 3 });
  assert.deepEqual(layout.prunableLayers, ['conv1', 'conv2', 'conv3', 'output']);
  const conv2 = spec(layout, 'conv2.weight');
  assert.deepEqual(conv2.shape, [5, 5, 4, 8]);
  assert.deepEqual([conv2.fanIn, conv2.fanOut], [5 * 5 * 4, 5 * 5 * 8]);
  assert.deepEqual(spec(layout, 'conv3.bias').shape, [8]);
  // 9 -> pool 4 -> pool 2 (odd edges dropped)
  assert.deepEqual(spec(layout, 'output.weight').shape, [2 * 2 * 8, 3]);
});

test('conv rejects an input that its pools shrink to nothing', () => {
  throwsModelError(
    () => layoutOf('conv', { input: [3, 3, 1], channels: [[4], [4]], hidden: [], classes: 2 }),
    'input',
    /too small for 2 pooling stages.*at least 4x4/,
  );
  throwsModelError(() => layoutOf('conv6', { input: [7, 7, 3] }), 'input', /conv6: .*too small/);
});

test('lenet5 has conv1 6@5x5, conv2 16@5x5, fc1 120, fc2 84, output', () => {
  const layout = layoutOf('lenet5', {});
  assert.deepEqual(
    layout.params.filter((p) => p.prunable).map((p) => [p.layer, p.shape]),
    [
      ['conv1', [5, 5, 1, 6]],
      ['conv2', [5, 5, 6, 16]],
      ['fc1', [5 * 5 * 16, 120]],
      ['fc2', [120, 84]],
      ['output', [84, 10]],
    ],
  );
  assert.equal(prunableWeightCount(layout), 61_470);
  assert.deepEqual(layout.inputShape, [28, 28, 1]);
  // 32 -> same conv 32 -> pool 16 -> valid conv 12 -> pool 6
  assert.deepEqual(spec(layoutOf('lenet5', { input: [32, 32, 3] }), 'fc1.weight').shape, [6 * 6 * 16, 120]);
});

test('lenet5 accepts 12x12 as the smallest input and explains why smaller fails', () => {
  assert.deepEqual(spec(layoutOf('lenet5', { input: [12, 12, 1] }), 'fc1.weight').shape, [16, 120]);
  throwsModelError(() => layoutOf('lenet5', { input: [11, 28, 1] }), 'input', /11x28x1 is too small.*at least 12/);
});

test('resnet-20 has the CIFAR ResNet layout with 1x1 shortcuts where the shape changes', () => {
  const layout = layoutOf('resnet', {});
  const prunable = layout.prunableLayers;
  assert.equal(prunable.length, 1 + 18 + 2 + 1);
  assert.equal(prunable[0], 'conv0');
  assert.equal(prunable.at(-1), 'output');
  assert.deepEqual(
    prunable.filter((l) => l.endsWith('shortcut')),
    ['stage2.block1.shortcut', 'stage3.block1.shortcut'],
  );
  assert.deepEqual(spec(layout, 'stage1.block3.conv2.weight').shape, [3, 3, 16, 16]);
  assert.deepEqual(spec(layout, 'stage2.block1.conv1.weight').shape, [3, 3, 16, 32]);
  assert.deepEqual(spec(layout, 'stage3.block1.shortcut.weight').shape, [1, 1, 32, 64]);
  assert.deepEqual(spec(layout, 'output.weight').shape, [64, 10]);
  assert.equal(prunableWeightCount(layout), 270_896);
  assert.ok(!layout.params.some((p) => p.layer.includes('conv') && p.role === 'bias'), 'convs have no bias');
});

test('resnet batch norms: scale and shift trainable but not prunable, running mean and var are buffers', () => {
  const layout = layoutOf('resnet', { depth: 8, width: 2 });
  const bn = layout.params.filter((p) => p.layer === 'stage2.block1.bn1');
  assert.deepEqual(
    bn.map((p) => [p.name, p.role, p.shape, p.prunable]),
    [
      ['stage2.block1.bn1.scale', 'norm_scale', [4], false],
      ['stage2.block1.bn1.shift', 'norm_shift', [4], false],
      ['stage2.block1.bn1.mean', 'buffer', [4], false],
      ['stage2.block1.bn1.var', 'buffer', [4], false],
    ],
  );
  assert.ok(layout.params.some((p) => p.name === 'stage3.block1.shortcut_bn.var'));
  assert.ok(layout.params.some((p) => p.name === 'bn0.mean'));
});

test('resnet depth must be 6n + 2', () => {
  throwsModelError(() => layoutOf('resnet', { depth: 21 }), 'depth', /6n \+ 2.*got 21; the nearest are 20 and 26/);
  throwsModelError(() => layoutOf('resnet', { depth: 2 }), 'depth', /the smallest is 8/);
});

test('transformer names: embed, position, per-block ln/attn/mlp, ln_f, output', () => {
  const layout = layoutOf('transformer', { vocab: 7, context: 5, width: 8, heads: 2, layers: 2, mlp_ratio: 3 });
  const names = layout.params.map((p) => p.name);
  assert.deepEqual(names.slice(0, 20), [
    'embed.weight',
    'position.weight',
    'block1.ln1.scale',
    'block1.ln1.shift',
    'block1.attn.query.weight',
    'block1.attn.query.bias',
    'block1.attn.key.weight',
    'block1.attn.key.bias',
    'block1.attn.value.weight',
    'block1.attn.value.bias',
    'block1.attn.proj.weight',
    'block1.attn.proj.bias',
    'block1.ln2.scale',
    'block1.ln2.shift',
    'block1.mlp.fc1.weight',
    'block1.mlp.fc1.bias',
    'block1.mlp.fc2.weight',
    'block1.mlp.fc2.bias',
    'block2.ln1.scale',
    'block2.ln1.shift',
  ]);
  assert.deepEqual(names.slice(-4), ['ln_f.scale', 'ln_f.shift', 'output.weight', 'output.bias']);
  assert.deepEqual([spec(layout, 'embed.weight').role, spec(layout, 'embed.weight').shape], ['embedding', [7, 8]]);
  assert.deepEqual([spec(layout, 'position.weight').role, spec(layout, 'position.weight').shape], ['position', [5, 8]]);
  assert.deepEqual(spec(layout, 'block2.mlp.fc1.weight').shape, [8, 24]);
  assert.deepEqual(spec(layout, 'block2.mlp.fc2.weight').shape, [24, 8]);
  assert.deepEqual(spec(layout, 'output.weight').shape, [8, 7]);
  assert.deepEqual(layout.prunableLayers, [
    ...[1, 2].flatMap((i) => ['query', 'key', 'value', 'proj'].map((m) => `block${i}.attn.${m}`).concat(`block${i}.mlp.fc1`, `block${i}.mlp.fc2`)),
    'output',
  ]);
  assert.deepEqual(layout.inputShape, [5]);
  assert.equal(layout.outputs, 7);
  assert.equal(layout.inputDtype, 'int32');
  assert.equal(layoutOf('mlp', { input: 4, classes: 2 }).inputDtype, 'float32');
});

test('transformer mlp_ratio defaults to 4 and width must divide into heads', () => {
  const layout = layoutOf('transformer', { vocab: 5, context: 4, width: 8, heads: 2, layers: 1 });
  assert.deepEqual(spec(layout, 'block1.mlp.fc1.weight').shape, [8, 32]);
  throwsModelError(
    () => layoutOf('transformer', { vocab: 5, context: 4, width: 10, heads: 3, layers: 1 }),
    'heads',
    /width 10 is not divisible by heads 3/,
  );
});

test('prunable is true exactly for kernels, in every model', () => {
  const layouts = [
    layoutOf('mlp', { input: 4, hidden: [3], classes: 2 }),
    layoutOf('conv2', {}),
    layoutOf('lenet5', {}),
    layoutOf('resnet', { depth: 8 }),
    layoutOf('transformer', { vocab: 5, context: 4, width: 8, heads: 2, layers: 1 }),
  ];
  for (const layout of layouts) {
    for (const p of layout.params) assert.equal(p.prunable, p.role === 'weight', `${layout.op} ${p.name}`);
    const names = layout.params.map((p) => p.name);
    assert.equal(new Set(names).size, names.length, `${layout.op} has unique names`);
  }
});

test('bad arguments and unknown models are ModelErrors naming the argument', () => {
  throwsModelError(() => modelLayout('mlp', { input: 4, hidden: [3, 0], classes: 2 }), 'hidden', /list of positive integers/);
  throwsModelError(() => modelLayout('mlp', { hidden: [3], classes: 2 }), 'input', /'input' is required/);
  throwsModelError(() => modelLayout('mlp', { input: 4, hidden: [], classes: 2, activation: 'swish' }), 'activation', /relu, tanh, gelu, linear/);
  throwsModelError(() => modelLayout('conv', { input: [8, 8], channels: [[4]], hidden: [], classes: 2 }), 'input', /\[height, width, channels\]/);
  assert.throws(() => modelLayout('vgg16', {}), (e: unknown) => e instanceof ModelError && /unknown model 'vgg16'.*mlp, conv/.test(e.message));
  assert.ok(MODEL_OPS.includes('transformer'));
});

test('a layout reads every parameter it is given: defaults are the schema\'s, which the compiler fills', () => {
  throwsModelError(() => modelLayout('mlp', { input: 4, classes: 2 }), 'hidden', /mlp: argument 'hidden' is required/);
  throwsModelError(() => modelLayout('resnet', { depth: 8 }), 'width', /resnet: argument 'width' is required/);
  assert.deepEqual(modelParams('resnet', { depth: 8 }), { depth: 8, width: 16, input: [32, 32, 3], classes: 10 });
  assert.deepEqual(layoutOf('resnet', { depth: 8 }), modelLayout('resnet', { depth: 8, width: 16, input: [32, 32, 3], classes: 10 }));
});

