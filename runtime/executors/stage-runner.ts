// One stage, start to finish, in the current thread: inputs from the device cache or the store, the
// op's implementation, a check that the result is usable (no NaN), then the store's commit. Shared by
// the worker threads and the in-process executor, so both behave the same.
//
// The checkpoint of a training run at a step (core/run-point.ts) starts from the latest checkpoint of its
// run that the store has, not necessarily the run's start, and commits intermediate checkpoints of its
// run as it goes (checkpoint-schedule.ts): each under its own (run, step) key, so a rerun after Ctrl-C, a
// crash or a lost node resumes from the latest.
//
// Resident tensors: the stage's inputs are held by a lease for as long as it runs, so their tensors stay
// on the backend even if another stage's inputs push them out of the cache meanwhile; at its end the
// tensors of inputs the cache does not keep are disposed, and those of kept inputs start counting in
// the cache's budget.
import { preimageOf, stageKey, type Stage } from '../../core/stage.ts';
import type { Artifact, Checkpoint } from '../../core/artifacts.ts';
import type { StageLibrary } from '../../core/library.ts';
import type { CheckpointPolicy, StageCall, StageContext } from '../../core/op.ts';
import { atStep, RUN_START_ROLE, type RunPoint } from '../../core/run-point.ts';
import { DEFAULT_CHECKPOINT_SCHEDULE, type CheckpointSchedule } from '../checkpoint-schedule.ts';
import { decodeArtifact, encodeArtifact } from '../artifact-codec.ts';
import type { DeviceCache } from '../device-cache.ts';
import { lossMetrics } from '../divergence.ts';
import { curveMetric } from '../training-curve.ts';
import type { ResidentTensors, TensorLease } from '../resident-tensors.ts';
import { StoreCorruptError, type JsonObject, type StagePreimage, type Store } from '../store/index.ts';
import type { GroupMember, StageHooks, StageOutcome } from './executor.ts';
import { implementationOf } from './stage-library.ts';

export interface StageRunnerOptions {
  store: Store;
  library: StageLibrary;
  /** Decoded inputs and fresh outputs kept for the next stages of this thread. */
  resident: DeviceCache<Artifact>;
  /** The backend tensors of `resident`'s checkpoints and masks; without it stages upload their own. */
  tensors?: ResidentTensors;
  programDir: string;
  /** Recorded with each result: the backend it was computed on. */
  backend: string;
  /** Recorded with each result: the version of ltx that computed it (the CLI knows it; the runtime reads no package file). */
  ltxVersion: string;
  /** When a training stage commits intermediate checkpoints (default: every 5 minutes of training). */
  checkpoints?: CheckpointSchedule;
}

export class StageRunner {
  readonly #options: StageRunnerOptions;

  constructor(options: StageRunnerOptions) {
    this.#options = options;
  }

  async run(stage: Stage, inputKeys: Readonly<Record<string, string>>, hooks: StageHooks): Promise<StageOutcome> {
    const [outcome] = await this.runGroup([{ stage, inputKeys, progress: hooks.progress }], hooks.signal);
    return outcome!;
  }

  /**
   * Computes stages together where the library batches their op (core/op.ts, StageBatching), each
   * alone otherwise; every member is committed on its own, and one that fails fails alone.
   * One outcome per member, in order.
   */
  async runGroup(members: readonly GroupMember[], signal: AbortSignal): Promise<StageOutcome[]> {
    const { library, tensors } = this.#options;
    const startedAt = new Date();
    const lease = tensors?.lease();
    const outcomes: StageOutcome[] = new Array(members.length);
    try {
      const calls: { index: number; call: StageCall; runFrom: number | undefined }[] = [];
      for (const [index, member] of members.entries()) {
        const prepared = await this.#prepare(member, signal, lease);
        if ('status' in prepared) outcomes[index] = prepared;
        else calls.push({ index, ...prepared });
      }
      if (calls.length === 0) return outcomes;
      if (signal.aborted) {
        for (const { index } of calls) outcomes[index] = { status: 'aborted' };
        return outcomes;
      }
      const batching = calls.length > 1 ? library.batchingFor?.(calls[0]!.call.stage.op) : undefined;
      const together = calls.filter(({ index, call }) => {
        if (batching?.alone?.(call) !== true) return true;
        outcomes[index] = { status: 'declined' };
        return false;
      });
      const results = batching === undefined || together.length < 2
        ? await alone(library, together.map(({ call }) => call))
        : await settle(batching.implementation(together.map(({ call }) => call))).then((all) => all.status === 'fulfilled' ? all.value : together.map(() => all));
      for (const [i, { index, call, runFrom }] of together.entries()) {
        outcomes[index] = await this.#conclude(call.stage, results[i]!, runFrom, startedAt, signal);
      }
      return outcomes;
    } catch (error) {
      for (const index of members.keys()) outcomes[index] ??= failedOrAborted(error, signal);
      return outcomes;
    } finally {
      lease?.end();
      for (const member of members) for (const key of Object.values(member.inputKeys)) this.#options.resident.remeasure(key);
    }
  }

  /** A member's inputs (its run resumed from the latest checkpoint the store has) and context, or why it cannot start. */
  async #prepare(member: GroupMember, signal: AbortSignal, lease: TensorLease | undefined): Promise<{ call: StageCall; runFrom: number | undefined } | StageOutcome> {
    const { stage, inputKeys } = member;
    const inputs: Record<string, Artifact> = {};
    const resumed = stage.runPoint === undefined ? undefined : await this.#latestCheckpointOf(stage.runPoint);
    if (resumed !== undefined) {
      lease?.hold(resumed);
      inputs[RUN_START_ROLE] = resumed;
      member.progress({ step: 0, total: stage.runPoint!.step - resumed.step, resumedFrom: resumed.step });
    }
    for (const [role, key] of Object.entries(inputKeys)) {
      if (role in inputs) continue;
      let input: Artifact | undefined;
      try {
        input = await this.#input(key);
      } catch (error) {
        if (!(error instanceof StoreCorruptError)) throw error;
        // Damaged since the run looked at it: the next run's check finds it and computes it again.
        return { status: 'failed', error: `its input '${role}' (stage ${key.slice(0, 12)}) is damaged in the cache (${error.message}); run again to compute it anew` };
      }
      if (input === undefined) return { status: 'failed', error: `its input '${role}' (stage ${key.slice(0, 12)}) has no result in the store` };
      lease?.hold(input);
      inputs[role] = input;
    }
    const runFrom = startStepOf(inputs[RUN_START_ROLE]);
    const ctx: StageContext = {
      library: this.#options.library,
      programDir: this.#options.programDir,
      signal,
      progress: member.progress,
      ...(lease === undefined ? {} : { tensors: lease }),
      ...(stage.runPoint === undefined || runFrom === undefined ? {} : { checkpoints: this.#intermediateCommits(stage, stage.runPoint, runFrom) }),
    };
    return { call: { stage, inputs, ctx }, runFrom };
  }

  /** A member's result checked (no NaN) and committed, or its failure. */
  async #conclude(stage: Stage, result: PromiseSettledResult<Artifact>, runFrom: number | undefined, startedAt: Date, signal: AbortSignal): Promise<StageOutcome> {
    if (result.status === 'rejected') return failedOrAborted(result.reason, signal);
    const artifact = result.value;
    const unusable = whyUnusable(artifact);
    if (unusable !== undefined) return { status: 'failed', error: unusable };
    try {
      const metrics = recordedMetrics(artifact);
      const record = await this.#options.store.commit(stage.key, preimageOf(stage) as unknown as StagePreimage, {
        [artifact.kind]: { kind: artifact.kind, bytes: encodeArtifact(artifact) },
      }, {
        name: stage.name, metrics, startedAt, backend: this.#options.backend, ltxVersion: this.#options.ltxVersion,
        ...(stage.runPoint === undefined || runFrom === undefined ? {} : { run: { id: stage.runPoint.run, step: stage.runPoint.step, from: runFrom } }),
      });
      this.#options.resident.set(stage.key, artifact);
      return { status: 'done', seconds: record.seconds, metrics };
    } catch (error) {
      return failedOrAborted(error, signal);
    }
  }

  /**
   * The latest checkpoint of the run before `point`'s step that the store has (a damaged one is passed
   * over for the one before it); undefined when there is none and the run starts from its start.
   */
  async #latestCheckpointOf(point: RunPoint): Promise<Checkpoint | undefined> {
    for await (const record of this.#options.store.runCheckpoints(point.run, point.step - 1)) {
      try {
        const artifact = await this.#input(record.key);
        if (artifact?.kind === 'checkpoint' && artifact.step === record.run?.step) return artifact;
      } catch (error) {
        if (!(error instanceof StoreCorruptError)) throw error;
      }
    }
    return undefined;
  }

  /** Commits the run's checkpoints at the steps a long stage passes, each under its (run, step) key. */
  #intermediateCommits(stage: Stage, point: RunPoint, from: number): CheckpointPolicy {
    const { store, backend } = this.#options;
    let since = new Date();
    return {
      ...(this.#options.checkpoints ?? DEFAULT_CHECKPOINT_SCHEDULE),
      commit: async (checkpoint) => {
        // Never a result that the stage's own end would refuse.
        if (whyUnusable(checkpoint) !== undefined) return;
        const preimage = atStep(preimageOf(stage), checkpoint.step);
        await store.commit(stageKey(preimage), preimage as unknown as StagePreimage, {
          checkpoint: { kind: 'checkpoint', bytes: encodeArtifact(checkpoint) },
        }, {
          metrics: recordedMetrics(checkpoint), startedAt: since, backend, ltxVersion: this.#options.ltxVersion,
          run: { id: point.run, step: checkpoint.step, from },
        });
        since = new Date();
      },
    };
  }

  /** Keys of the results this thread holds decoded. */
  residentKeys(): string[] {
    return this.#options.resident.keys();
  }

  async #input(key: string): Promise<Artifact | undefined> {
    const { store, resident } = this.#options;
    const held = resident.get(key);
    if (held !== undefined) return held;
    const record = await store.lookup(key);
    if (record === undefined) return undefined;
    const [output] = Object.keys(record.outputs);
    if (output === undefined) return undefined;
    const artifact = decodeArtifact(await store.readOutput(record, output));
    resident.set(key, artifact);
    return artifact;
  }
}

/**
 * A result's numbers as the store records them: a probe's metrics, and per-layer metrics under `layers`;
 * a trained checkpoint's loss history (runtime/divergence.ts) and training curve (runtime/training-curve.ts).
 */
function recordedMetrics(result: Artifact): JsonObject {
  if (result.kind === 'checkpoint') {
    if (result.loss === undefined) return {};
    return result.loss.curve === undefined ? lossMetrics(result.loss) : { ...lossMetrics(result.loss), curve: curveMetric(result.loss.curve) };
  }
  if (result.kind !== 'probe') return {};
  return result.layers === undefined ? { ...result.metrics } : { ...result.metrics, layers: result.layers };
}

/** The step a training run's stage starts from: that of its start checkpoint. */
function startStepOf(start: Artifact | undefined): number | undefined {
  return start?.kind === 'checkpoint' ? start.step : undefined;
}

/** NaN weights or metrics are a failed stage, not a result: everything downstream would be garbage. */
function whyUnusable(result: Artifact): string | undefined {
  if (result.kind === 'probe') {
    for (const [name, value] of Object.entries(result.metrics)) {
      if (!Number.isFinite(value)) return `metric '${name}' is ${value}`;
    }
    for (const [layer, metrics] of Object.entries(result.layers ?? {})) {
      for (const [name, value] of Object.entries(metrics)) {
        if (!Number.isFinite(value)) return `metric '${name}' of layer ${layer} is ${value}`;
      }
    }
  } else if (result.kind === 'checkpoint') {
    for (const [name, tensor] of result.weights) {
      if (!tensor.data.every(Number.isFinite)) return `weights '${name}' are not finite (NaN or infinity) at step ${result.step}`;
    }
  }
  return undefined;
}

/** Each call by its op's implementation, one after the other. */
async function alone(library: StageLibrary, calls: readonly StageCall[]): Promise<PromiseSettledResult<Artifact>[]> {
  const results: PromiseSettledResult<Artifact>[] = [];
  for (const { stage, inputs, ctx } of calls) results.push(await settle(implementationOf(library, stage)(stage, inputs, ctx)));
  return results;
}

async function settle<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  try {
    return { status: 'fulfilled', value: await promise };
  } catch (reason) {
    return { status: 'rejected', reason };
  }
}

function failedOrAborted(error: unknown, signal: AbortSignal): StageOutcome {
  if (signal.aborted && isAbort(error)) return { status: 'aborted' };
  return { status: 'failed', error: describeFailure(error) };
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // A stage implementation's StageFailure carries the reason meant for the user in `cause`.
  const reason = typeof error.cause === 'string' ? error.cause : error.message;
  return process.env.LTX_DEBUG && error.name !== 'StageFailure' ? `${reason}\n${error.stack ?? ''}` : reason;
}
