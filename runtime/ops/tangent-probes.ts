// The probes of a network's local geometry as stages: linearization (the tangent model at θ0),
// kernel_distance (the empirical NTK at two sets of weights) and llc (SGLD around the weights).
// The math is in stdlib/probes; this module reads the stage's params and inputs and turns every
// problem into a StageFailure that names the probe.
import type { Stage } from '../../core/stage.ts';
import type { LoadedDataset } from '../../stdlib/datasets/index.ts';
import { kernelDistanceProbe } from '../../stdlib/probes/kernel-distance.ts';
import { linearizationProbe } from '../../stdlib/probes/linearization.ts';
import { llcProbe, type LlcSettings } from '../../stdlib/probes/llc.ts';
import type { Checkpoint } from '../../core/artifacts.ts';
import { failing, StageFailure, throwIfAborted, type ExecContext } from './context.ts';
import { checkFits, checkSameModel, datasetFor, layoutOf } from './models.ts';
import { checkpointInput, dataParam, integerParam, numberParam } from './params.ts';
import type { StageImplementation } from './registry.ts';

/** The `on` split, loaded, with every checkpoint checked to fit it. */
async function probeData(stage: Stage, ctx: ExecContext, checkpoints: Checkpoint[]): Promise<{ dataset: LoadedDataset; split: 'train' | 'test' }> {
  const on = dataParam(stage.params, 'on');
  const layouts = checkpoints.map((c) => layoutOf(c.model));
  const dataset = await datasetFor(on.dataset, ctx);
  for (const layout of layouts) checkFits(layout, dataset);
  throwIfAborted(ctx.signal);
  return { dataset, split: on.split };
}

export const linearizationStage: StageImplementation = async (stage, inputs, ctx) => {
  const init = checkpointInput(stage, inputs, 'init');
  const x = checkpointInput(stage, inputs, 'x');
  checkSameModel(init.model, x.model, (a, b) => `linearization: the linearization point is a ${a} but the trained weights are a ${b}`);
  const { dataset, split } = await probeData(stage, ctx, [init]);
  const samples = integerParam(stage.params, 'samples', 512);
  return failing('linearization', () => linearizationProbe({ init, x, dataset, split, samples }));
};

export const kernelDistanceStage: StageImplementation = async (stage, inputs, ctx) => {
  const a = checkpointInput(stage, inputs, 'a');
  const b = checkpointInput(stage, inputs, 'b');
  const { dataset, split } = await probeData(stage, ctx, [a, b]);
  const samples = integerParam(stage.params, 'samples', 64);
  const seed = integerParam(stage.params, 'seed', 0);
  return failing('kernel_distance', () => kernelDistanceProbe({ a, b, dataset, split, samples, seed }));
};

export const llcStage: StageImplementation = async (stage, inputs, ctx) => {
  const checkpoint = checkpointInput(stage, inputs, 'x');
  const { dataset, split } = await probeData(stage, ctx, [checkpoint]);
  const settings = llcSettings(stage);
  return failing('llc', () => llcProbe({ checkpoint, dataset, split }, settings, {
    signal: ctx.signal,
    onProgress: (step, total, loss) => ctx.progress({ step, total, loss }),
  }));
};

/** The SGLD settings; defaults as in the llc schema, for stages written without them. */
function llcSettings(stage: Stage): LlcSettings {
  const p = stage.params;
  const settings: LlcSettings = {
    epsilon: positive(numberParam(p, 'epsilon', 1e-3), 'epsilon'),
    gamma: numberParam(p, 'gamma', 100),
    chains: integerParam(p, 'chains', 4),
    draws: integerParam(p, 'draws', 200),
    burnin: integerParam(p, 'burnin', 50),
    batch: integerParam(p, 'batch', 64),
    seed: integerParam(p, 'seed', 0),
  };
  // Absent (or null) means devinterp's default, B / ln B, which depends on the data: llcProbe fills it.
  if (p['nbeta'] !== undefined && p['nbeta'] !== null) settings.nbeta = positive(numberParam(p, 'nbeta'), 'nbeta');
  if (settings.gamma < 0) throw new StageFailure(`parameter 'gamma' must be at least 0, got ${settings.gamma}`);
  for (const key of ['chains', 'draws', 'batch'] as const) {
    if (settings[key] < 1) throw new StageFailure(`parameter '${key}' must be at least 1, got ${settings[key]}`);
  }
  return settings;
}

function positive(value: number, key: string): number {
  if (!(value > 0)) throw new StageFailure(`parameter '${key}' must be positive, got ${value}`);
  return value;
}
