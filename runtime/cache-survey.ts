// Which stages the store already has a usable result for. A record counts when it parses and its blobs
// are files of the recorded sizes: a stat each, cheap enough for `plan` on any cache. A run looks
// deeper where it matters: it re-hashes the outputs it is about to read (the cached inputs of the
// stages it computes) and the probes' tables (small; `results` and `report` read them), so a flipped
// byte means "compute it again" rather than a stage that fails on every rerun. Other blobs are not
// read — hashing the whole cache on every run would cost more than the stages that need it; `ltx cache
// verify` reads everything.
import PQueue from 'p-queue';
import type { Stage } from '../core/stage.ts';
import type { InspectOptions, LookupOutcome, Store } from './store/index.ts';

export interface CacheSurvey {
  /** Stages with a usable result. */
  readonly cached: ReadonlySet<string>;
  /** Stages whose record exists but cannot be used, and why: a run computes them again. */
  readonly damaged: ReadonlyMap<string, string>;
}

/** Keys of `stages` with a usable result (cheap checks only). */
export async function cachedKeys(store: Store, stages: readonly Stage[]): Promise<Set<string>> {
  return new Set((await cachedBackends(store, stages)).keys());
}

/** Keys of `stages` with a usable result, each with the backend its record says computed it (cheap checks only). */
export async function cachedBackends(store: Store, stages: readonly Stage[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const [key, outcome] of await inspectAll(store, stages.map((s) => s.key))) if (outcome.status === 'found') found.set(key, outcome.record.backend);
  return found;
}

/** What a run can reuse: cheap checks for every stage, re-hashing for the results it will read. */
export async function surveyForRun(store: Store, stages: readonly Stage[]): Promise<CacheSurvey> {
  const cached = new Set<string>();
  const damaged = new Map<string, string>();
  for (const [key, outcome] of await inspectAll(store, stages.map((s) => s.key))) {
    if (outcome.status === 'found') cached.add(key);
    else if (outcome.status === 'broken') damaged.set(key, outcome.reason);
  }
  // A damaged input is computed again, so the inputs it reads must be checked in turn: until none is new.
  const verified = new Set<string>();
  for (;;) {
    const toVerify = new Set<string>();
    for (const stage of stages) {
      if (cached.has(stage.key)) {
        if (stage.kind === 'probe' && !verified.has(stage.key)) toVerify.add(stage.key);
        continue;
      }
      for (const input of Object.values(stage.inputs)) if (cached.has(input) && !verified.has(input)) toVerify.add(input);
    }
    if (toVerify.size === 0) break;
    for (const [key, outcome] of await inspectAll(store, [...toVerify], { verifyContent: true })) {
      verified.add(key);
      if (outcome.status === 'found') continue;
      cached.delete(key);
      if (outcome.status === 'broken') damaged.set(key, outcome.reason);
    }
  }
  return { cached, damaged };
}

/** Each key's lookup outcome, a few dozen at once. */
async function inspectAll(store: Store, keys: readonly string[], options: InspectOptions = {}): Promise<Map<string, LookupOutcome>> {
  const outcomes = new Map<string, LookupOutcome>();
  const lookups = new PQueue({ concurrency: 32 });
  await Promise.all(keys.map((key) => lookups.add(async () => {
    outcomes.set(key, await store.inspect(key, options));
  })));
  return outcomes;
}
