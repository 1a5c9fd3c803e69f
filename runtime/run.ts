// One `ltx run`: which stages, which of them the store already has, an executor for the rest (started
// only when there is something to compute), the scheduler with per-stage claims, progress, a summary.
import { randomUUID } from 'node:crypto';
import type { StageProgram } from '../core/program.ts';
import { stageDependencies, type Stage } from '../core/stage.ts';
import { didYouMean } from '../core/suggest.ts';
import type { BackendChoice } from './backends/select.ts';
import type { Executor, StageOutcome, StageProgress } from './executors/executor.ts';
import { surveyForRun } from './cache-survey.ts';
import { silentProgress, waitingLine, type ProgressView } from './progress.ts';
import { claimsGate, schedule, soleRunGate, type ComputeOutcome, type StageReport } from './scheduler.ts';
import { CacheUnusableError, programIdentity, recordProgramRun, StageClaims, type Store } from './store/index.ts';

export interface RunRequest {
  program: StageProgram;
  store: Store;
  /** The stages to bring about, parents before children, ancestors included (default: all). */
  stages?: readonly Stage[];
  /** How many stages compute at once. */
  jobs: number;
  signal: AbortSignal;
  /** Builds the executor when there is something to compute; `workers` is how many are worth starting. */
  executor(workers: number): Executor;
  view?: ProgressView;
  /** Called once the executor has started (before any stage computes), with its backend. */
  executorStarted?(backend: BackendChoice | undefined): void;
  /**
   * Per-stage claims so that concurrent runs on one cache compute each stage once (default: on).
   * Off only where nothing else can use the cache.
   */
  claims?: boolean;
  /**
   * Which stages may compute together (a rule of their recipes: the library's StageBatching); without
   * it, or with an executor that cannot run groups, every stage computes alone.
   */
  groupKey?(stage: Stage): string | undefined;
  /**
   * Stages this run had computed before it came to them (batch jobs submitted ahead, Slurm's afterok
   * order): found committed, they were computed by this run, not reused from the cache.
   */
  computedAhead?: ReadonlySet<string>;
  /** The program's file: the store then remembers what each of its declarations ran (plan's why, gc --keep-days). */
  programFile?: string;
}

export interface RunSummary {
  /** The backend stages computed on; undefined when nothing was computed. */
  backend: BackendChoice | undefined;
  /** In the order of the stages requested. */
  stages: StageReport[];
  failed: number;
  interrupted: boolean;
}

export async function runStages(request: RunRequest): Promise<RunSummary> {
  const stages = request.stages ?? request.program.stages;
  const view = request.view ?? silentProgress;
  const { cached: cachedAtStart, damaged } = await surveyForRun(request.store, stages);
  const toCompute = stages.filter((stage) => !cachedAtStart.has(stage.key));
  const withWhy = (report: StageReport): StageReport => {
    const why = damaged.get(report.key);
    return why !== undefined && report.status === 'done' ? { ...report, recomputed: why } : report;
  };

  let executor: Executor | undefined;
  const claims = request.claims === false ? undefined : new StageClaims(request.store, { runId: randomUUID() });
  try {
    if (toCompute.length > 0 && !request.signal.aborted) {
      // Before any backend starts: a cache that cannot be written is one message, not one per stage.
      await request.store.prepareForWriting();
      // A damaged record must not be found by the claims' lookups (as 'done'): remove it.
      for (const key of damaged.keys()) await request.store.discardIfBroken(key, { verifyContent: true });
      executor = request.executor(Math.min(request.jobs, toCompute.length));
      await executor.start();
      request.executorStarted?.(executor.backend);
    }
    const reports = await schedule({
      stages,
      jobs: request.jobs,
      signal: request.signal,
      isCached: async (key) => cachedAtStart.has(key),
      gate: claims === undefined ? soleRunGate : claimsGate(claims),
      cost: estimatedCost,
      compute: async (stage, signal, { alone }): Promise<ComputeOutcome> => computeOutcome(await executor!.run(stage, stage.inputs, {
        signal, alone, progress: (p) => view.progress(stage, p),
        submitted: (job) => {
          view.note(`queued   ${stage.name}: job ${job}`);
          void claims?.recordJob(stage.key, job).catch(() => undefined);
        },
      })),
      ...(request.groupKey === undefined || executor?.runGroup === undefined ? {} : {
        groupKey: request.groupKey,
        computeGroup: async (group: readonly Stage[], signal: AbortSignal): Promise<ComputeOutcome[]> => {
          const members = group.map((stage) => ({ stage, inputKeys: stage.inputs, progress: (p: StageProgress) => view.progress(stage, p) }));
          return (await executor!.runGroup!(members, signal)).map(computeOutcome);
        },
      }),
      events: {
        started: (stage) => view.started(stage),
        waiting: (stage, holder) => view.note(waitingLine(stage, holder)),
        settled: (stage, report) => view.settled(stage, withWhy(report), report.status === 'cached' && !cachedAtStart.has(stage.key)),
      },
    });
    // Results that were there already say what they recorded too (a diverged run, on every rerun).
    const stagesWithMetrics = await Promise.all(reports.map(async (report) => report.status !== 'cached' ? report
      : { ...report, metrics: (await request.store.lookup(report.key))?.metrics ?? {} }));
    const ahead = request.computedAhead;
    const stagesOfRun = ahead === undefined ? stagesWithMetrics : stagesWithMetrics.map((report) =>
      report.status === 'cached' && ahead.has(report.key) && !cachedAtStart.has(report.key) ? { ...report, status: 'done' as const } : report);
    await rememberRun(request, reports);
    return {
      backend: executor?.backend,
      stages: stagesOfRun.map(withWhy),
      failed: reports.filter((r) => r.status === 'failed').length,
      interrupted: request.signal.aborted || reports.some((r) => r.status === 'interrupted'),
    };
  } finally {
    view.close();
    await executor?.close();
    await claims?.releaseAll();
  }
}

/**
 * Tell the store which stage each declaration of the program had in this run (those computed or found
 * cached), for `plan`'s "why" next time and `cache gc --keep-days`. A read-only cache still serves a run
 * whose stages are all cached: it only does not learn about it.
 */
async function rememberRun(request: RunRequest, reports: readonly StageReport[]): Promise<void> {
  if (request.programFile === undefined) return;
  const used = reports.filter((report) => report.status === 'done' || report.status === 'cached').flatMap((report) => {
    const stage = request.program.stageByKey.get(report.key);
    return stage === undefined ? [] : [{ key: stage.key, op: stage.op, names: stage.names }];
  });
  try {
    await recordProgramRun(request.store, await programIdentity(request.programFile), used, new Date());
  } catch (error) {
    if (!(error instanceof CacheUnusableError)) throw error;
  }
}

function computeOutcome(outcome: StageOutcome): ComputeOutcome {
  return outcome.status === 'done' ? { status: 'done', seconds: outcome.seconds, metrics: outcome.metrics } : outcome;
}

/** Training dominates: a run's stage costs its steps, everything else one step's worth (for the critical path). */
function estimatedCost(stage: Stage): number {
  return stage.runPoint === undefined ? 1 : Math.max(1, stage.runPoint.step - stage.runPoint.from);
}

/** `--only NAME` named nothing in the program. */
export class UnknownTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownTargetError';
  }
}

/**
 * The stages `--only NAME` needs: those of the declaration NAME (all members of an indexed or family
 * declaration), of NAME[i] for one member, or of a stage named NAME (`dense 0→24`), and their ancestors
 * (a run's earlier stages included, so they are computed and cached first); in execution order.
 */
export function selectStages(program: StageProgram, only: string): Stage[] {
  const target = only.replace(/\s+/g, '');
  const roots = new Set<string>();
  for (const d of program.declarations) {
    if (d.name === target || d.label.replace(/\s+/g, '') === target) for (const key of d.stages) roots.add(key);
  }
  for (const stage of program.stages) {
    if (stage.names.some((name) => name.replace(/\s+/g, '') === target)) roots.add(stage.key);
  }
  if (roots.size === 0) {
    const known = new Set([...program.declarations.flatMap((d) => [d.name, d.label]), ...program.stages.flatMap((s) => s.names)]);
    const withStages = program.declarations.some((d) => d.name === target);
    throw new UnknownTargetError(withStages
      ? `--only ${only}: '${only}' has no stages (params, datasets, models and optimizers are not computed)`
      : `--only ${only}: the program declares no '${only}'${didYouMean(only, known)}`);
  }
  const needed = new Set<string>();
  const visit = (key: string): void => {
    if (needed.has(key)) return;
    needed.add(key);
    const stage = program.stageByKey.get(key);
    for (const dependency of stage === undefined ? [] : stageDependencies(stage)) visit(dependency);
  };
  for (const key of roots) visit(key);
  return program.stages.filter((stage) => needed.has(stage.key));
}
