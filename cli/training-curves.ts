// The training curves of a program's runs, as the store holds them: each run is named by its
// declaration (`dense`, `ticket[3]`) and read from the record of its last segment — or, while that is
// not computed yet, of the latest segment that is (each segment's record holds the curve up to it).
// Shared by `ltx results` and `ltx report`; read-only.
import type { CompiledProgram } from '../compiler/compile.ts';
import { canonicalJson } from '../core/json.ts';
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
    const curve = await latestCurve(program, store, end);
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
  const segment = ` ${String(end.params['from'])}→${String(end.params['to'])}`;
  return end.name.endsWith(segment) ? end.name.slice(0, -segment.length) : end.name;
}

/** The curve in the record of `end`, else of the latest earlier segment of its run that has one. */
async function latestCurve(program: CompiledProgram, store: Store, end: Stage): Promise<RunCurve | undefined> {
  const recipe = recipeOf(end);
  for (let stage = program.stageByKey.get(end.key); stage?.kind === 'train' && recipeOf(stage) === recipe; stage = program.stageByKey.get(stage.inputs['start'] ?? '')) {
    const curve = recordedCurve((await store.lookup(stage.key))?.metrics);
    if (curve !== undefined) return curve;
  }
  return undefined;
}

/** A train stage's recipe: its parameters but the segment's bounds (a run starting at another run's checkpoint has another). */
function recipeOf(stage: Stage): string {
  const { from: _from, to: _to, ...recipe } = stage.params;
  return canonicalJson(recipe);
}
