// The training curves of a program's runs, as the store holds them: each run is named by its
// declaration (`dense`, `ticket[3]`) and read from the record of its final checkpoint — or, while that is
// not computed yet, of the latest cached checkpoint of the run (each holds the curve up to its step).
// Shared by `ltx results` and `ltx report`; read-only.
import type { CompiledProgram } from '../compiler/compile.ts';
import type { Stage } from '../core/stage.ts';
import type { Store } from '../runtime/store/index.ts';
import { recordedCurve, type RunCurve } from '../runtime/training-curve.ts';

export interface ProgramRunCurve extends RunCurve {
  /** The recipe's length: the curve is complete when its last point is at this step. */
  steps: number;
}

/** Each run's curve, by run name, in program order; runs with nothing computed yet are left out. */
export async function readCurves(program: CompiledProgram, store: Store): Promise<Record<string, ProgramRunCurve>> {
  const curves: Record<string, ProgramRunCurve> = {};
  for (const end of program.stages.filter(isRunEnd)) {
    const name = runName(end);
    if (name in curves) continue;
    const curve = await latestCurve(store, end);
    if (curve !== undefined) curves[name] = { ...curve, steps: end.params['steps'] as number };
  }
  return curves;
}

/** The segment that ends a recipe (every run has exactly one). */
function isRunEnd(stage: Stage): boolean {
  return stage.kind === 'train' && typeof stage.params['steps'] === 'number' && stage.params['to'] === stage.params['steps'];
}

/** `dense 24→480` is the run `dense`; an unsplit run's stage has the run's name. */
function runName(end: Stage): string {
  return end.name.replace(/ \d+→\d+$/, '');
}

/**
 * The curve in the record of `end`, else in the latest cached checkpoint of its run before it (a
 * referenced step or an intermediate commit: each carries the curve up to its step).
 */
async function latestCurve(store: Store, end: Stage): Promise<RunCurve | undefined> {
  const own = recordedCurve((await store.lookup(end.key))?.metrics);
  if (own !== undefined || end.runPoint === undefined) return own;
  for await (const record of store.runCheckpoints(end.runPoint.run, end.runPoint.step)) {
    const curve = recordedCurve(record.metrics);
    if (curve !== undefined) return curve;
  }
  return undefined;
}
