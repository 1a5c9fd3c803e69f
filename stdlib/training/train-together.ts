// How a group of train stages (train-batching.ts) trains: the implementation checks what the params
// cannot tell (the start step a resumed run really has, its optimizer updates) and trains each
// compatible set as replicates (replicates.ts), anything else alone.
import type { Artifact } from '../../core/artifacts.ts';
import { canonicalJson } from '../../core/json.ts';
import type { StageCall } from '../../core/op.ts';
import { trainReplicates, whyNotTogether, type ReplicateMember, type SharedRecipe } from './replicates.ts';
import { groupKey } from './train-batching.ts';
import { asStageFailure, segmentOf } from './train-stage.ts';
import { trainSegment, type SegmentOptions } from './trainer.ts';

export async function trainTogether(calls: readonly StageCall[]): Promise<PromiseSettledResult<Artifact>[]> {
  const results: PromiseSettledResult<Artifact>[] = new Array(calls.length);
  const segments = await Promise.allSettled(calls.map((call) => segmentOf(call.stage, call.inputs, call.ctx)));
  /** Segments by what they must share to train together. */
  const sets = new Map<string, { index: number; segment: SegmentOptions }[]>();
  segments.forEach((segment, index) => {
    if (segment.status === 'rejected') {
      results[index] = segment;
      return;
    }
    const key = canonicalJson({ recipe: groupKey(calls[index]!.stage) ?? null, from: segment.value.from });
    sets.set(key, [...(sets.get(key) ?? []), { index, segment: segment.value }]);
  });
  for (const set of sets.values()) {
    const recipe = sharedRecipe(set[0]!.segment);
    const members = set.map(({ segment }) => memberOf(segment));
    if (set.length === 1 || (await whyNotTogether(recipe, members)) !== undefined) {
      for (const { index, segment } of set) results[index] = await settled(trainSegment(segment));
      continue;
    }
    const outcomes = await trainReplicates(recipe, members, set[0]!.segment.tensors);
    set.forEach(({ index }, i) => {
      const outcome = outcomes[i]!;
      results[index] = outcome.status === 'fulfilled' ? outcome : { status: 'rejected', reason: asStageFailure(outcome.reason) };
    });
  }
  return results;
}

function sharedRecipe(segment: SegmentOptions): SharedRecipe {
  const { start: _start, order: _order, signal: _signal, onProgress: _onProgress, checkpoints: _checkpoints, tensors: _tensors, ...recipe } = segment;
  return recipe;
}

function memberOf(segment: SegmentOptions): ReplicateMember {
  const { start, order, signal, onProgress, checkpoints } = segment;
  return { start, order, ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}), ...(checkpoints ? { checkpoints } : {}) };
}

async function settled(training: Promise<Artifact>): Promise<PromiseSettledResult<Artifact>> {
  try {
    return { status: 'fulfilled', value: await training };
  } catch (error) {
    return { status: 'rejected', reason: asStageFailure(error) };
  }
}

