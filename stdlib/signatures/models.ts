import { arg, objectSchema, type Signature } from '../signature.ts';

const activation = arg.oneOf(['relu', 'tanh', 'gelu', 'linear'], 'nonlinearity between layers', 'relu');
const classes = (def?: number) => arg.int('number of outputs (classes)', { minimum: 1, ...(def ? { default: def } : {}) });
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
    input: arg.int('input size (inputs are flattened)', { minimum: 1 }),
    hidden: { type: 'array', items: { type: 'integer', minimum: 1 }, description: 'hidden layer widths', default: [] },
    classes: classes(),
    activation,
    bias: arg.bool('whether dense layers have biases', true),
  }, ['input', 'classes']),
  model('conv', 'A VGG-style convolutional network: groups of 3x3 "same" convolutions, each group followed by 2x2 max-pooling, then dense layers. Layers conv1, conv2, ..., fc1, fc2, ..., output.', ['input'], {
    input: arg.shape('input shape [height, width, channels]'),
    channels: { type: 'array', minItems: 1, items: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 1 } }, description: 'channels of each convolution, grouped by pooling stage' },
    kernel: arg.int('kernel size', { minimum: 1, default: 3 }),
    hidden: { type: 'array', items: { type: 'integer', minimum: 1 }, description: 'dense layer widths', default: [256, 256] },
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
    depth: arg.int('depth (6n + 2: 8, 14, 20, 32, 56, ...)', { minimum: 8, default: 20 }),
    width: arg.int('channels of the first stage (doubled in each later stage)', { minimum: 1, default: 16 }),
    input: arg.shape('input shape [height, width, channels]', [32, 32, 3]),
    classes: classes(10),
  }),
  model('transformer', 'A decoder-only transformer (pre-layer-norm, causal attention, learned positions, GELU MLP) for language-model tickets. Prunable: blockI.attn.query/key/value/proj, blockI.mlp.fc1/fc2, output.', ['vocab', 'context', 'width', 'heads', 'layers'], {
    vocab: arg.int('vocabulary size', { minimum: 2 }),
    context: arg.int('context length', { minimum: 1 }),
    width: arg.int('model width', { minimum: 1 }),
    heads: arg.int('attention heads (must divide width)', { minimum: 1 }),
    layers: arg.int('number of blocks', { minimum: 1 }),
    mlp_ratio: arg.int('MLP width as a multiple of the model width', { minimum: 1, default: 4 }),
  }, ['vocab', 'context', 'width', 'heads', 'layers']),
];
