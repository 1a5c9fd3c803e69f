// Drives the stage DAG through a p-queue: a stage is queued when its last parent has its result (Kahn),
// longest critical path first, at most `jobs` computing at once. Stages whose results are in the store
// are never queued. A failure fails only its descendants; an abort stops everything cleanly.
//
// Another `ltx run` on the same cache may be computing a stage: the gate (per-stage claims) says so, and
// then the stage waits for it outside the queue, so this run's slots keep computing other stages.
//
// Groups: stages of one group key (a rule of their recipes, core/op.ts StageBatching) that are ready at
// once are computed together in one slot, as one batched computation. When a slot takes such a stage
// it takes its ready companions with it, up to an even share among the slots free at that moment, so
// that nine ready replicates on two slots compute as five and four. Which stages share a group never
// changes a result: each member gets the bits it gets alone.
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
  | { status: 'aborted' }
  /** A group member handed back unstarted: it computes alone, in a slot of its own. */
  | { status: 'declined' };

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
  compute(stage: Stage, signal: AbortSignal, context: ComputeContext): Promise<ComputeOutcome>;
  gate?: StageGate;
  events?: ScheduleEvents;
  /** Relative cost for the critical path (default 1 per stage). */
  cost?(stage: Stage): number;
  /** Stages of one key may be computed together by computeGroup; undefined: the stage computes alone. */
  groupKey?(stage: Stage): string | undefined;
  /** Computes stages together; one outcome per stage, in order. */
  computeGroup?(stages: readonly Stage[], signal: AbortSignal): Promise<ComputeOutcome[]>;
  /** The most stages one group holds (default MAX_GROUP). */
  maxGroup?: number;
}

/** What the scheduler knows about a stage it hands to `compute`. */
export interface ComputeContext {
  /**
   * Whether nothing else computes until this stage settles: no other stage is computing or claimed, and
   * every stage still to compute depends on it. An executor may give such a stage every core. A walk
   * over the stage's descendants: ask only when the answer matters.
   */
  alone(): boolean;
}

/** Enough replicates to amortize per-op overhead without making one slot hold a whole sweep's memory. */
export const MAX_GROUP = 32;

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

  /** Queue slots taken by a stage (claiming or computing) now. */
  let busySlots = 0;
  /** Ready stages not yet started, by group key, in the order they became ready. */
  const readyGroups = new Map<string, Stage[]>();
  /** Stages a group took along: their own queue task has nothing left to do. */
  const taken = new Set<string>();
  /** Stages a group handed back: they compute alone. */
  const solo = new Set<string>();
  const groupKeyOf = (stage: Stage): string | undefined => (options.computeGroup === undefined || solo.has(stage.key) ? undefined : options.groupKey?.(stage));

  /**
   * Compute stages whose claims we hold, together, in a busy slot; the slot counts as free again once
   * the computation ends (before the children it makes ready are queued); the claims are released
   * whatever happens.
   */
  const computeClaimed = async (members: Stage[], slot: BusySlot): Promise<void> => {
    const declined: Stage[] = [];
    try {
      if (signal.aborted) {
        slot.free();
        return members.forEach((stage) => conclude(stage, { status: 'interrupted', seconds: 0 }));
      }
      for (const stage of members) options.events?.started?.(stage);
      let outcomes: ComputeOutcome[];
      try {
        outcomes = members.length === 1
          ? [await options.compute(members[0]!, signal, { alone: () => busySlots === 1 && unsettledDescendants(members[0]!) === open - 1 })]
          : await options.computeGroup!(members, signal);
      } finally {
        slot.free();
      }
      members.forEach((stage, i) => {
        const outcome = outcomes[i]!;
        if (outcome.status === 'done') conclude(stage, { status: 'done', seconds: outcome.seconds, ...(outcome.metrics ? { metrics: outcome.metrics } : {}) });
        else if (outcome.status === 'failed') conclude(stage, { status: 'failed', seconds: 0, error: outcome.error });
        else if (outcome.status === 'declined') declined.push(stage);
        else conclude(stage, { status: 'interrupted', seconds: 0 });
      });
    } finally {
      slot.free();
      for (const stage of members) await gate.release(stage.key);
    }
    // Claimed again when their turn comes, like any stage.
    for (const stage of declined) {
      solo.add(stage.key);
      enqueue(stage, () => claimAndCompute([stage], busySlot()));
    }
  };

  /** How many stages not settled yet depend on `stage`, directly or not. */
  const unsettledDescendants = (stage: Stage): number => {
    const seen = new Set<string>();
    const visit = [stage];
    while (visit.length > 0) {
      for (const child of dag.children.get(visit.pop()!.key) ?? []) {
        if (seen.has(child.key) || reports.has(child.key)) continue;
        seen.add(child.key);
        visit.push(child);
      }
    }
    return seen.size;
  };

  /** Counts a queue slot as busy from now until free() (idempotent). */
  const busySlot = (): BusySlot => {
    busySlots++;
    let busy = true;
    return { free: () => { if (busy) busySlots--; busy = false; } };
  };

  /**
   * `stage` and the ready stages of its group to compute with it, taken at once (before anything is
   * awaited, so that slots starting together share them): an even share among the slots not busy.
   */
  const groupOf = (stage: Stage): Stage[] => {
    const key = groupKeyOf(stage);
    if (key === undefined) return [stage];
    const waiting = readyGroups.get(key)!.filter((s) => s !== stage);
    const freeSlots = Math.max(1, options.jobs - busySlots);
    const share = Math.min(options.maxGroup ?? MAX_GROUP, Math.ceil((waiting.length + 1) / freeSlots));
    const companions = waiting.splice(0, share - 1);
    readyGroups.set(key, waiting);
    companions.forEach((c) => taken.add(c.key));
    return [stage, ...companions];
  };

  /** Claims each stage; computes those claimed, together, and leaves the others to their holders. */
  const claimAndCompute = async (group: Stage[], slot: BusySlot): Promise<void> => {
    const claimed: Stage[] = [];
    for (const stage of group) {
      try {
        const claim = await gate.tryClaim(stage.key, signal);
        if (claim === 'done') conclude(stage, { status: 'cached', seconds: 0 });
        else if (claim === 'claimed') claimed.push(stage);
        else waitForOther(stage);
      } catch (error) {
        fail(stage, error);
      }
    }
    if (claimed.length > 0) await computeClaimed(claimed, slot);
    else slot.free();
  };

  /** Another process computes the stage: wait without holding a slot, then reuse its result or take over. */
  const waitForOther = (stage: Stage): void => {
    void gate.waitClaim(stage.key, signal, (holder) => options.events?.waiting?.(stage, holder)).then((after) => {
      if (after === 'done') conclude(stage, { status: 'cached', seconds: 0 });
      else enqueue(stage, () => computeClaimed([stage], busySlot()));
    }).catch((error: unknown) => fail(stage, error));
  };

  const enqueue = (stage: Stage, task: () => Promise<void>): void => {
    queue.add(task, { priority: priority.get(stage.key)! }).catch((error: unknown) => fail(stage, error));
  };

  /** Stages that became ready and are not queued yet. */
  const becameReady: Stage[] = [];
  const ready = (stage: Stage): void => {
    // A stage with two parents may already be skipped for one when the other succeeds.
    if (reports.has(stage.key)) return;
    const key = groupKeyOf(stage);
    if (key !== undefined) readyGroups.set(key, [...(readyGroups.get(key) ?? []), stage]);
    // Queued once the current turn has run: the queue may start a task at once, and the members of a
    // group that finish together make their children ready together.
    becameReady.push(stage);
    if (becameReady.length === 1) queueMicrotask(queueReady);
  };

  /** Queues the stages that became ready, highest priority first. */
  const queueReady = (): void => {
    const stages = becameReady.splice(0).sort((a, b) => priority.get(b.key)! - priority.get(a.key)!);
    for (const stage of stages) queueSlot(stage);
  };

  const queueSlot = (stage: Stage): void => {
    const key = groupKeyOf(stage);
    enqueue(stage, async (): Promise<void> => {
      if (taken.has(stage.key)) return;
      if (signal.aborted) {
        if (key !== undefined) readyGroups.set(key, readyGroups.get(key)!.filter((s) => s !== stage));
        return conclude(stage, { status: 'interrupted', seconds: 0 });
      }
      const group = groupOf(stage);
      await claimAndCompute(group, busySlot());
    });
  };

  const fail = (stage: Stage, error: unknown): void => {
    if (signal.aborted) conclude(stage, { status: 'interrupted', seconds: 0 });
    else conclude(stage, { status: 'failed', seconds: 0, error: error instanceof Error ? error.message : String(error) });
  };

  for (const stage of pending) if (dag.waitingOn.get(stage.key) === 0) ready(stage);
  queueReady();
  queue.start();
  await finished;
  await queue.onIdle();
  return stages.map((stage) => reports.get(stage.key)!);
}

interface BusySlot {
  free(): void;
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
