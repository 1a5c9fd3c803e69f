// Drives the stage DAG through a p-queue: a stage is queued when its last parent has its result (Kahn),
// longest critical path first, at most `jobs` computing at once. Stages whose results are in the store
// are never queued. A failure fails only its descendants; an abort stops everything cleanly.
//
// Another `ltx run` on the same cache may be computing a stage: the gate (per-stage claims) says so, and
// then the stage waits for it outside the queue, so this run's slots keep computing other stages.
import PQueue from 'p-queue';
import { stageDependencies, type Stage } from '../core/stage.ts';
import type { ClaimContent, JsonObject, StageClaims } from './store/index.ts';

export type StageStatus =
  /** The result was in the store already (or another run committed it meanwhile). */
  | 'cached'
  /** Computed by this run. */
  | 'done'
  | 'failed'
  /** Not attempted: an ancestor failed. */
  | 'skipped'
  /** Stopped, or never started, because the run was interrupted. */
  | 'interrupted';

export interface StageReport {
  key: string;
  name: string;
  status: StageStatus;
  /** Time this run spent computing it (0 when it did not compute it). */
  seconds: number;
  /** Why it failed, or which ancestor's failure skipped it. */
  error?: string;
  /** The metrics its result's record holds (where they are known: computed, or cached). */
  metrics?: JsonObject;
  /** Why a stage the cache had a record of was computed again (its record or an output was damaged). */
  recomputed?: string;
}

export type ComputeOutcome =
  | { status: 'done'; seconds: number; metrics?: JsonObject }
  | { status: 'failed'; error: string }
  | { status: 'aborted' };

/** Who may compute a stage: per-stage claims shared with other processes, or nobody else at all. */
export interface StageGate {
  /** Take the stage's claim if it is free; 'busy' when another process holds it. */
  tryClaim(key: string, signal: AbortSignal): Promise<'claimed' | 'done' | 'busy'>;
  /**
   * Wait for another process's claim to end: its result appeared ('done'), or the claim is now ours.
   * `waiting` hears who holds it, when the wait begins and now and then while it lasts.
   */
  waitClaim(key: string, signal: AbortSignal, waiting?: (holder: ClaimContent | undefined) => void): Promise<'claimed' | 'done'>;
  release(key: string): Promise<void>;
}

/** No other process: every stage is ours to compute. */
export const soleRunGate: StageGate = {
  tryClaim: async () => 'claimed',
  waitClaim: async () => 'claimed',
  release: async () => undefined,
};

/** How long tryClaim keeps trying before it calls a claim busy (a few polls of StageClaims). */
const TRY_CLAIM_MS = 60;

export function claimsGate(claims: StageClaims): StageGate {
  return {
    async tryClaim(key, signal) {
      const attempt = AbortSignal.any([signal, AbortSignal.timeout(TRY_CLAIM_MS)]);
      try {
        return (await claims.acquire(key, attempt)) === 'done' ? 'done' : 'claimed';
      } catch (error) {
        if (!signal.aborted && attempt.aborted) return 'busy';
        throw error;
      }
    },
    async waitClaim(key, signal, waiting) {
      return (await claims.acquire(key, signal, waiting)) === 'done' ? 'done' : 'claimed';
    },
    release: (key) => claims.release(key),
  };
}

export interface ScheduleEvents {
  /** This run starts computing the stage. */
  started?(stage: Stage): void;
  /** Another process holds the stage's claim and this run waits for it (repeated while it lasts). */
  waiting?(stage: Stage, holder: ClaimContent | undefined): void;
  /** The stage's status is final. */
  settled?(stage: Stage, report: StageReport): void;
}

export interface ScheduleOptions {
  /** The stages to bring about, parents before children; every parent of one is among them. */
  stages: readonly Stage[];
  /** How many stages compute at once. */
  jobs: number;
  signal: AbortSignal;
  /** Whether the store already has the stage's result. */
  isCached(key: string): Promise<boolean>;
  compute(stage: Stage, signal: AbortSignal): Promise<ComputeOutcome>;
  gate?: StageGate;
  events?: ScheduleEvents;
  /** Relative cost for the critical path (default 1 per stage). */
  cost?(stage: Stage): number;
}

/** Reports in the order of `stages`. */
export async function schedule(options: ScheduleOptions): Promise<StageReport[]> {
  const { stages, signal } = options;
  const gate = options.gate ?? soleRunGate;
  const reports = new Map<string, StageReport>();
  const settle = (stage: Stage, report: Omit<StageReport, 'key' | 'name'>): void => {
    if (reports.has(stage.key)) return;
    const full = { key: stage.key, name: stage.name, ...report };
    reports.set(stage.key, full);
    options.events?.settled?.(stage, full);
  };

  const cached = await Promise.all(stages.map((stage) => options.isCached(stage.key)));
  const pending = stages.filter((_, i) => !cached[i]);
  stages.forEach((stage, i) => { if (cached[i]) settle(stage, { status: 'cached', seconds: 0 }); });

  const dag = pendingDag(pending);
  const priority = criticalPaths(pending, dag.children, options.cost ?? (() => 1));
  // Held until every initially ready stage is queued, so the first slot goes to the highest priority.
  const queue = new PQueue({ concurrency: options.jobs, autoStart: false });
  let open = pending.length;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => { finish = resolve; });
  if (open === 0) finish();

  /** Final status of `stage`; on success its children may become ready, otherwise they can never run. */
  const conclude = (stage: Stage, report: Omit<StageReport, 'key' | 'name'>): void => {
    if (reports.has(stage.key)) return;
    settle(stage, report);
    open--;
    const succeeded = report.status === 'done' || report.status === 'cached';
    for (const child of dag.children.get(stage.key) ?? []) {
      if (succeeded) {
        const left = dag.waitingOn.get(child.key)! - 1;
        dag.waitingOn.set(child.key, left);
        if (left === 0) ready(child);
      } else if (report.status === 'interrupted') {
        conclude(child, { status: 'interrupted', seconds: 0 });
      } else {
        const culprit = report.status === 'skipped' ? report.error! : `'${stage.name}' failed`;
        conclude(child, { status: 'skipped', seconds: 0, error: culprit });
      }
    }
    if (open === 0) finish();
  };

  /** Compute a stage whose claim we hold, in a queue slot; the claim is released whatever happens. */
  const computeClaimed = async (stage: Stage): Promise<void> => {
    try {
      if (signal.aborted) return conclude(stage, { status: 'interrupted', seconds: 0 });
      options.events?.started?.(stage);
      const outcome = await options.compute(stage, signal);
      if (outcome.status === 'done') conclude(stage, { status: 'done', seconds: outcome.seconds, ...(outcome.metrics ? { metrics: outcome.metrics } : {}) });
      else if (outcome.status === 'failed') conclude(stage, { status: 'failed', seconds: 0, error: outcome.error });
      else conclude(stage, { status: 'interrupted', seconds: 0 });
    } finally {
      await gate.release(stage.key);
    }
  };

  const ready = (stage: Stage): void => {
    // A stage with two parents may already be skipped for one when the other succeeds.
    if (reports.has(stage.key)) return;
    const slot = async (): Promise<void> => {
      if (signal.aborted) return conclude(stage, { status: 'interrupted', seconds: 0 });
      const claim = await gate.tryClaim(stage.key, signal);
      if (claim === 'done') return conclude(stage, { status: 'cached', seconds: 0 });
      if (claim === 'claimed') return await computeClaimed(stage);
      // Another process computes it: wait without holding a slot, then reuse its result or take over.
      void gate.waitClaim(stage.key, signal, (holder) => options.events?.waiting?.(stage, holder)).then((after) => {
        if (after === 'done') conclude(stage, { status: 'cached', seconds: 0 });
        else enqueue(() => computeClaimed(stage));
      }).catch((error: unknown) => fail(stage, error));
    };
    enqueue(slot);
    function enqueue(task: () => Promise<void>): void {
      queue.add(task, { priority: priority.get(stage.key)! }).catch((error: unknown) => fail(stage, error));
    }
  };

  const fail = (stage: Stage, error: unknown): void => {
    if (signal.aborted) conclude(stage, { status: 'interrupted', seconds: 0 });
    else conclude(stage, { status: 'failed', seconds: 0, error: error instanceof Error ? error.message : String(error) });
  };

  for (const stage of pending) if (dag.waitingOn.get(stage.key) === 0) ready(stage);
  queue.start();
  await finished;
  await queue.onIdle();
  return stages.map((stage) => reports.get(stage.key)!);
}

interface PendingDag {
  children: Map<string, Stage[]>;
  /** How many parents of each stage have no result yet. */
  waitingOn: Map<string, number>;
}

function pendingDag(pending: readonly Stage[]): PendingDag {
  const keys = new Set(pending.map((s) => s.key));
  const children = new Map<string, Stage[]>();
  const waitingOn = new Map<string, number>();
  for (const stage of pending) {
    const parents = new Set(stageDependencies(stage).filter((key) => keys.has(key)));
    waitingOn.set(stage.key, parents.size);
    for (const parent of parents) {
      let list = children.get(parent);
      if (!list) children.set(parent, (list = []));
      list.push(stage);
    }
  }
  return { children, waitingOn };
}

/** For each stage, the cost of the longest path from it to a sink (itself included). */
export function criticalPaths(stages: readonly Stage[], children: Map<string, Stage[]>, cost: (stage: Stage) => number): Map<string, number> {
  const length = new Map<string, number>();
  for (let i = stages.length - 1; i >= 0; i--) {
    const stage = stages[i]!;
    let longest = 0;
    for (const child of children.get(stage.key) ?? []) longest = Math.max(longest, length.get(child.key) ?? 0);
    length.set(stage.key, cost(stage) + longest);
  }
  return length;
}
