// Teacher-student regression: inputs drawn from a seeded N(0, 1) with the teacher model's input shape,
// targets the teacher network's outputs on them. The network itself is built by the runtime (from the
// `model` argument and its weights) and handed in as ctx.teacherForward; the compiler passes the model's
// `inputShape` and `outputs` as parameters. Examples are independent, so the last round(n × test) form
// the test split.
import { createRng } from '../random.ts';
import { arg, LIMITS } from '../signature.ts';
import { defineDataset } from './define.ts';
import { DatasetError } from './errors.ts';
import { fractionParam, integerParam, shapeParam } from './params.ts';
import { sizesFromTestFraction } from './split.ts';
import type { DatasetContext, DatasetParams, LoadedDataset, SplitSizes, TeacherForward } from './types.ts';

const OP = 'teacher';
/** Examples per call of the teacher, so its activations stay small whatever n is. */
export const TEACHER_CHUNK = 4096;

interface TeacherParams {
  n: number;
  seed: number;
  test: number;
  inputShape: number[];
  outputs: number;
}

function readParams(params: DatasetParams): TeacherParams {
  return {
    n: integerParam(OP, params, 'n', { min: 2 }),
    seed: integerParam(OP, params, 'seed', { default: 0 }),
    test: fractionParam(OP, params, 'test', 0.2),
    inputShape: shapeParam(OP, params, 'inputShape'),
    outputs: integerParam(OP, params, 'outputs', { min: 1 }),
  };
}

// Sizes depend on n and test only: the compiler asks before the teacher's shapes are known.
function sizes(params: DatasetParams): SplitSizes {
  const n = integerParam(OP, params, 'n', { min: 2 });
  const test = fractionParam(OP, params, 'test', 0.2);
  return sizesFromTestFraction(OP, n, test);
}

async function teach(forward: TeacherForward, x: Float32Array, n: number, features: number, outputs: number): Promise<Float32Array> {
  const y = new Float32Array(n * outputs);
  for (let from = 0; from < n; from += TEACHER_CHUNK) {
    const count = Math.min(TEACHER_CHUNK, n - from);
    const out = await forward(x.slice(from * features, (from + count) * features), count);
    if (out.length !== count * outputs) {
      throw new DatasetError(
        `${OP}: the teacher network returned ${out.length} values for ${count} examples, expected ${count} × ${outputs}`,
      );
    }
    if (!out.every(Number.isFinite)) throw new DatasetError(`${OP}: the teacher network produced non-finite outputs`);
    y.set(out, from * outputs);
  }
  return y;
}

async function load(params: DatasetParams, ctx: DatasetContext): Promise<LoadedDataset> {
  const { n, seed, test, inputShape, outputs } = readParams(params);
  const { train: trainCount } = sizesFromTestFraction(OP, n, test);
  if (!ctx.teacherForward) {
    throw new DatasetError(`${OP}: no teacher network supplied (the runtime passes ctx.teacherForward, built from the model)`);
  }
  const features = inputShape.reduce((a, b) => a * b, 1);
  const x = createRng(seed, `${OP}/inputs`).fillNormal(new Float32Array(n * features));
  const y = await teach(ctx.teacherForward, x, n, features, outputs);
  const split = (from: number, to: number) => ({
    x: x.slice(from * features, to * features),
    y: y.slice(from * outputs, to * outputs),
    n: to - from,
  });
  return { name: OP, task: 'regression', inputShape: [...inputShape], classes: outputs, train: split(0, trainCount), test: split(trainCount, n) };
}

export const teacher = defineDataset({
  name: OP,
  summary: 'Regression on the outputs of a seeded random teacher network of the given architecture.',
  version: 1,
  positional: ['model', 'n'],
  parameters: {
    model: arg.ref(['model'], 'the teacher architecture'),
    n: arg.count('number of examples (train and test together)', LIMITS.examples, { minimum: 2 }),
    seed: arg.seed('seed of the teacher weights and the inputs'),
    test: arg.fraction('share held out for testing', { default: 0.2, exclusiveMinimum: 0, exclusiveMaximum: 1 }),
  },
  required: ['model', 'n'],
  sizes,
  // The teacher's shapes are its model's, which the runtime passes in when it loads.
  shape: () => undefined,
  probeSizes: async (params) => sizes(params),
  load,
});
