import { arg, LIMITS, objectSchema, type Signature } from '../signature.ts';

const activation = arg.oneOf(['relu', 'tanh', 'gelu', 'linear'], 'nonlinearity between layers', 'relu');
const classes = (def?: number) => arg.count('number of outputs (classes)', LIMITS.width, def ? { default: def } : {});
const model = (name: string, summary: string, positional: string[], props: Record<string, Record<string, unknown>>, required: string[] = []): Signature => ({
  name, category: 'model', returns: 'model', version: 1, positional, summary, schema: objectSchema(props, required),
});
const preset = (name: string, summary: string): Signature => model(name, summary, [], {
  input: arg.shape('input shape [height, width, channels]', [32, 32, 3]),
  classes: classes(10),
  activation,
});

export const modelSignatures: Signature[] = [
  model('mlp', 'A fully connected network. Weight layers are named layer1, layer2, ... from the input side; the last is output.', ['input', 'hidden', 'classes'], {
    input: arg.count('input size (inputs are flattened)', LIMITS.width),
    hidden: arg.counts('hidden layer widths', LIMITS.width, { default: [] }),
    classes: classes(),
    activation,
    bias: arg.bool('whether dense layers have biases', true),
  }, ['input', 'classes']),
  model('conv', 'A VGG-style convolutional network: groups of 3x3 "same" convolutions, each group followed by 2x2 max-pooling, then dense layers. Layers conv1, conv2, ..., fc1, fc2, ..., output.', ['input'], {
    input: arg.shape('input shape [height, width, channels]'),
    channels: {
      type: 'array', minItems: 1, maxItems: LIMITS.layers, items: arg.counts('channels of one stage', LIMITS.width, { minItems: 1 }),
      description: 'channels of each convolution, grouped by pooling stage',
    },
    kernel: arg.count('kernel size', LIMITS.positions, { default: 3 }),
    hidden: arg.counts('dense layer widths', LIMITS.width, { default: [256, 256] }),
    classes: classes(10),
    activation,
  }, ['input', 'channels']),
  preset('conv2', 'Conv-2 of Frankle & Carbin (2019): [[64, 64]] convolutions, dense [256, 256].'),
  preset('conv4', 'Conv-4 of Frankle & Carbin (2019): [[64, 64], [128, 128]] convolutions, dense [256, 256].'),
  preset('conv6', 'Conv-6 of Frankle & Carbin (2019): [[64, 64], [128, 128], [256, 256]] convolutions, dense [256, 256].'),
  model('lenet5', 'LeNet-5: conv1 (6@5x5), pool, conv2 (16@5x5), pool, fc1 (120), fc2 (84), output.', [], {
    input: arg.shape('input shape [height, width, channels]', [28, 28, 1]),
    classes: classes(10),
  }),
  model('resnet', 'The CIFAR ResNet of He et al. (2016), depth 6n+2, with batch norm; convs stageS.blockB.conv1/conv2, stem conv0, output.', ['depth'], {
    depth: arg.count('depth (6n + 2: 8, 14, 20, 32, 56, ...)', LIMITS.layers, { minimum: 8, default: 20 }),
    width: arg.count('channels of the first stage (doubled in each later stage)', LIMITS.width, { default: 16 }),
    input: arg.shape('input shape [height, width, channels]', [32, 32, 3]),
    classes: classes(10),
  }),
  model('transformer', 'A decoder-only transformer (pre-layer-norm, causal attention, learned positions, GELU MLP) for language-model tickets. Prunable: blockI.attn.query/key/value/proj, blockI.mlp.fc1/fc2, output.', ['vocab', 'context', 'width', 'heads', 'layers'], {
    vocab: arg.count('vocabulary size', LIMITS.width, { minimum: 2 }),
    context: arg.count('context length', LIMITS.positions),
    width: arg.count('model width', LIMITS.width),
    heads: arg.count('attention heads (must divide width)', LIMITS.width),
    layers: arg.count('number of blocks', LIMITS.layers),
    mlp_ratio: arg.count('MLP width as a multiple of the model width', LIMITS.width, { default: 4 }),
  }, ['vocab', 'context', 'width', 'heads', 'layers']),
];
