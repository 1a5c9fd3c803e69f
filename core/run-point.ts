// A checkpoint of a training run is identified by the run and the step, never by how the run happens to
// be cut into stages: resuming is bit-exact, so the weights at step s are the same whether they were
// trained in one go or across any number of segments. The compiler keys the stage of (run R, step s) by
// R's recipe preimage (op, version, recipe, R's start checkpoint) with `to: s`; the runtime computes it
// from the latest checkpoint of R at or before s that the store has, and commits intermediate
// checkpoints of a long stage under the keys of their own steps.
import { sha256Hex, type Sha256Hex } from './hash.ts';
import { canonicalJson, type Json } from './json.ts';
import type { Preimage } from './stage.ts';

export type { RunPoint } from './stage.ts';

/** The parameter of a run-point stage's preimage that holds its step. */
export const RUN_STEP_PARAM = 'to';
/** The input role of a run-point stage that holds its run's start checkpoint. */
export const RUN_START_ROLE = 'start';

/** The run a run-point preimage belongs to: its preimage without the step. */
export function runIdentity(preimage: Preimage): Sha256Hex {
  const { [RUN_STEP_PARAM]: _step, ...recipe } = preimage.params;
  return sha256Hex(canonicalJson({ ...preimage, params: recipe } as unknown as Json));
}

/** The preimage of the same run's checkpoint at another step. */
export function atStep(preimage: Preimage, step: number): Preimage {
  return { ...preimage, params: { ...preimage.params, [RUN_STEP_PARAM]: step } };
}
