// The hidden units of two checkpoints' networks on the same probe inputs, for the representation probes
// (cka, unit_roles): each hidden layer the model exposes (ForwardResult.hidden: an mlp's hidden layers
// after their activation, a transformer's MLP units per block and position) as an [rows, units] matrix
// in float64. Kept apart from the probes' modules because it needs the tensor backend; they import it
// when a stage runs.
//
// Probe inputs: `samples` examples of the split drawn without replacement by createRng(seed, OP +
// '/inputs'); both networks see the same ones. Pruned weights are zero in a masked checkpoint, so the
// representation is that of the pruned network.
import * as tf from '@tensorflow/tfjs-core';
import type { Artifact, Checkpoint } from '../../core/artifacts.ts';
import type { OpCatalog, StageContext } from '../../core/op.ts';
import type { Stage } from '../../core/stage.ts';
import type { LoadedDataset } from '../datasets/index.ts';
import { forward } from '../models/forward.ts';
import { createRng } from '../random.ts';
import { probeData } from '../stage-support/data.ts';
import { StageFailure } from '../stage-support/failure.ts';
import { checkpointInput, integerParam, stringListParam } from '../stage-support/params.ts';
import type { Representation } from './representation-math.ts';
import { disposeTensors, examplesOf, networkOf, uploadBuffers, uploadParams } from './network.ts';

/**
 * Each hidden layer of `checkpoint` on inputs `rows` of the split, by layer name in forward order. Read
 * asynchronously: tfjs's webgpu backend has no synchronous read in Node.
 */
export async function hiddenRepresentations(
  checkpoint: Checkpoint, library: OpCatalog, dataset: LoadedDataset, split: 'train' | 'test', rows: Int32Array,
): Promise<Map<string, Representation>> {
  const net = networkOf(checkpoint.model, library);
  const params = uploadParams(net, checkpoint);
  const buffers = uploadBuffers(net, checkpoint);
  try {
    const hidden = tf.tidy(() => {
      const { x } = examplesOf(net, dataset, split, rows);
      const weights: Record<string, tf.Tensor> = { ...buffers };
      net.trainable.forEach((spec, i) => { weights[spec.name] = params[i]!; });
      return forward(net.layout, net.modelParams, weights, x, { training: false, hidden: true }).hidden;
    });
    if (!hidden || Object.keys(hidden).length === 0) {
      throw new StageFailure(`the ${checkpoint.model.op} model does not expose its hidden units (mlp and transformer do)`);
    }
    const out = new Map<string, Representation>();
    for (const [layer, units] of Object.entries(hidden)) {
      const [n, width] = units.shape;
      out.set(layer, { rows: n, units: width, values: Float64Array.from(await units.data()) });
    }
    disposeTensors(hidden);
    return out;
  } finally {
    disposeTensors(params);
    disposeTensors(buffers);
  }
}

/** The hidden layers of checkpoints `a` and `b` of a representation probe's stage, on its probe inputs. */
export interface RepresentationPair {
  a: Map<string, Representation>;
  b: Map<string, Representation>;
  /** The layers compared: the stage's `layer` list, or every hidden layer of `a`. */
  layers: string[];
  samples: number;
}

export async function representationPair(op: string, stage: Stage, inputs: Record<string, Artifact>, ctx: StageContext): Promise<RepresentationPair> {
  const a = checkpointInput(stage, inputs, 'a');
  const b = checkpointInput(stage, inputs, 'b');
  const { dataset, split } = await probeData(stage, ctx, [a, b]);
  const samples = integerParam(stage.params, 'samples');
  const seed = integerParam(stage.params, 'seed');
  const examples = dataset[split].n;
  const rows = createRng(seed, `${op}/inputs`).permutation(examples).slice(0, Math.min(samples, examples));
  if (rows.length < 2) throw new StageFailure(`${op} needs at least 2 probe inputs; the ${split} split of ${dataset.name} has ${rows.length}`);
  const ra = await hiddenRepresentations(a, ctx.library, dataset, split, rows);
  const rb = await hiddenRepresentations(b, ctx.library, dataset, split, rows);
  const wanted = stringListParam(stage.params, 'layer');
  const layers = wanted.length > 0 ? wanted : [...ra.keys()];
  for (const layer of layers) {
    for (const [side, reps] of [['first', ra], ['second', rb]] as const) {
      if (!reps.has(layer)) {
        throw new StageFailure(`${op}: the ${side} network has no hidden layer '${layer}'; its hidden layers are ${[...reps.keys()].join(', ')}`);
      }
    }
  }
  return { a: ra, b: rb, layers, samples: rows.length };
}
