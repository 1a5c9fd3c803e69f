// The local executor: `jobs` worker threads, each with its own tfjs backend and device cache, for
// independent stages; the cores left over go to each worker's wasm backend as threads (one worker
// on two cores computes with two). A stage goes to the idle worker that already holds most of its
// inputs decoded.
//
// On wasm with more cores than a worker's threads, a long training stage that computes alone
// (nothing else can start before it ends: a single run, or the dense run at the root of an IMP
// ladder) goes to one more worker, whose backend has every core, instead of leaving the other cores
// idle. That worker starts when the first such stage comes (starting it with the others costs a
// short run more than it gains): its threads must not compute beside the other workers, since
// XNNPACK's threads spin between products and a busy neighbour makes each product wait for its
// slowest thread. The thread count does not change the bits (test/backends/wasm-threads).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Stage } from '../../core/stage.ts';
import type { BackendChoice, BackendRequest } from '../backends/select.ts';
import type { CheckpointSchedule } from '../checkpoint-schedule.ts';
import { ExecutorStartError, type Executor, type GroupMember, type StageHooks, type StageOutcome, type StageProgress } from './executor.ts';
import type { FromWorker, ToWorker, WorkerSetup } from './worker-protocol.ts';

export interface LocalExecutorOptions {
  jobs: number;
  backend: BackendRequest;
  storeRoot: string;
  programDir: string;
  /** Recorded with each result: the version of ltx that computed it (the CLI knows it; the runtime reads no package file). */
  ltxVersion: string;
  /** Per worker. */
  deviceCacheBytes: number;
  /** URL of the module the workers load their stage library from (see stage-library.ts). */
  library: string;
  /** How long an aborted stage may take to reach a step boundary before its worker is terminated. */
  abortGraceMs?: number;
  /** Threads of each worker's wasm backend; by default the machine's cores shared out among the workers. */
  wasmThreads?: number;
  /** When training stages commit intermediate checkpoints (default: every 5 minutes of training). */
  checkpoints?: CheckpointSchedule;
}

/** The cores per worker, at least one: workers never compete for a core with each other's threads. */
export function wasmThreadsPerWorker(jobs: number, cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / jobs));
}

const WORKER_ENTRY = new URL('./worker-entry.ts', import.meta.url);
/**
 * A training this long (in steps) that computes alone goes to the worker with every core. Starting that
 * worker takes ~0.5 s of the cores (a second tfjs backend and its threads), which a run of a few
 * hundred small steps would not win back.
 */
export const WIDE_MIN_STEPS = 1000;

/** The steps a training stage computes (from its run point: the segment it covers). */
function trainingSteps(stage: Stage): number {
  return stage.runPoint === undefined ? 0 : stage.runPoint.step - stage.runPoint.from;
}
const DEFAULT_ABORT_GRACE_MS = 5_000;
/** How long closing waits for a worker to give its backend memory back before ending its thread. */
const CLOSE_GRACE_MS = 2_000;

interface InFlight {
  id: number;
  signal: AbortSignal;
  /** Progress of member `member` of the run order. */
  progress(member: number, p: StageProgress): void;
  /** One outcome per member. */
  settle(outcomes: StageOutcome[]): void;
}

class WorkerSlot {
  readonly worker: Worker;
  readonly ready: Promise<BackendChoice>;
  resident = new Set<string>();
  /** Taken by a run() from choosing the worker until its stage has settled. */
  busy = false;
  inFlight: InFlight | undefined;
  alive = true;
  /** Whether it ever started: one that could not start is not replaced (its successor would not either). */
  started = false;
  #onClosed: (() => void) | undefined;

  constructor(setup: WorkerSetup, onGone: (slot: WorkerSlot) => void) {
    this.worker = new Worker(WORKER_ENTRY, { workerData: setup });
    this.ready = new Promise<BackendChoice>((resolve, reject) => {
      const onMessage = (message: FromWorker): void => {
        if (message.type === 'ready') {
          this.started = true;
          resolve(message.backend);
        }
        else if (message.type === 'start-failed') reject(new Error(message.error));
        else if (message.type === 'closed') this.#onClosed?.();
        else this.#handle(message);
      };
      this.worker.on('message', onMessage);
      // `on`, not `once`: a second 'error' without a listener would take the whole run down.
      this.worker.on('error', (error) => {
        reject(error);
        this.#gone(`the worker thread failed: ${error.message}`, onGone);
      });
      this.worker.once('exit', (code) => {
        reject(new Error(`the worker thread exited (code ${code}) before it was ready`));
        this.#gone(`the worker thread exited unexpectedly (code ${code})`, onGone);
      });
    });
    // A slot that never becomes ready is reported through start(); don't also warn about it here.
    this.ready.catch(() => undefined);
  }

  post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  #handle(message: FromWorker): void {
    const current = this.inFlight;
    if (current === undefined) return;
    if (message.type === 'progress' && message.id === current.id) current.progress(message.member, message.progress);
    if (message.type === 'outcome' && message.id === current.id) {
      this.resident = new Set(message.resident);
      this.inFlight = undefined;
      current.settle(message.outcomes);
    }
  }

  #gone(why: string, onGone: (slot: WorkerSlot) => void): void {
    if (!this.alive) return;
    this.alive = false;
    this.#onClosed?.();
    const current = this.inFlight;
    this.inFlight = undefined;
    current?.settle([current.signal.aborted ? { status: 'aborted' } : { status: 'failed', error: why }]);
    if (this.started) onGone(this);
  }

  /** Lets a started worker free its resident tensors (briefly waiting for its answer), then ends it. */
  async close(): Promise<void> {
    if (this.alive && this.started) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.#onClosed = resolve;
        timer = setTimeout(resolve, CLOSE_GRACE_MS);
        this.post({ type: 'close' });
      });
      clearTimeout(timer);
    }
    await this.terminate();
  }

  async terminate(): Promise<void> {
    this.alive = false;
    await this.worker.terminate();
  }
}

export class LocalExecutor implements Executor {
  readonly #options: LocalExecutorOptions;
  readonly #setup: WorkerSetup;
  #slots: WorkerSlot[] = [];
  #backend: BackendChoice | undefined;
  #nextId = 1;
  /** Whether a worker with every core would have more threads than the others (wasm, cores to spare). */
  #canWiden = false;
  /** The worker with every core, for long training stages that compute alone; started by the first. */
  #wide: WorkerSlot | undefined;
  /** run() calls waiting for a worker to become idle. */
  #waiting: (() => void)[] = [];
  #closed = false;

  constructor(options: LocalExecutorOptions) {
    if (!Number.isInteger(options.jobs) || options.jobs < 1) throw new RangeError(`jobs must be a positive integer, got ${options.jobs}`);
    this.#options = options;
    this.#setup = {
      storeRoot: options.storeRoot,
      library: options.library,
      programDir: options.programDir,
      ltxVersion: options.ltxVersion,
      backend: options.backend,
      wasmThreads: options.wasmThreads ?? wasmThreadsPerWorker(options.jobs),
      deviceCacheBytes: options.deviceCacheBytes,
      ...(options.checkpoints === undefined ? {} : { checkpoints: options.checkpoints }),
    };
  }

  get backend(): BackendChoice | undefined {
    return this.#backend;
  }

  /** Starts every worker and waits until each has its backend; the first one's report is the run's. */
  async start(): Promise<void> {
    if (this.#slots.length > 0) return;
    this.#slots = Array.from({ length: this.#options.jobs }, () => this.#spawn());
    try {
      const choices = await Promise.all(this.#slots.map((slot) => slot.ready));
      this.#backend = choices[0];
      this.#canWiden = this.#backend?.name === 'wasm' && this.#options.wasmThreads === undefined && availableParallelism() > this.#setup.wasmThreads;
    } catch (error) {
      await this.close();
      throw new ExecutorStartError(error instanceof Error ? error.message : String(error));
    }
  }

  async run(stage: Stage, inputKeys: Readonly<Record<string, string>>, hooks: StageHooks): Promise<StageOutcome> {
    if (this.#slots.length === 0 && !this.#closed) await this.start();
    const wide = this.#canWiden && stage.kind === 'train' && trainingSteps(stage) >= WIDE_MIN_STEPS && hooks.alone?.() === true;
    const [outcome] = await this.runGroup([{ stage, inputKeys, progress: hooks.progress }], hooks.signal, wide);
    return outcome!;
  }

  /**
   * Computes the stages in one worker, together where their op batches them; one outcome per member.
   * `wide`: on the worker with every core, if there is one.
   */
  async runGroup(members: readonly GroupMember[], signal: AbortSignal, wide = false): Promise<StageOutcome[]> {
    if (this.#closed) throw new Error('the local executor is closed');
    if (this.#slots.length === 0) await this.start();
    const every = (outcome: StageOutcome): StageOutcome[] => members.map(() => outcome);
    if (signal.aborted) return every({ status: 'aborted' });
    const slot = (wide ? await this.#wideSlot() : undefined) ?? await this.#idleSlot(members.flatMap((m) => Object.values(m.inputKeys)));
    if (slot === undefined) return every({ status: 'failed', error: 'no worker thread is left to run it (they could not start again after failing)' });
    try {
      await slot.ready;
    } catch (error) {
      slot.busy = false;
      this.#wakeOne();
      return every({ status: 'failed', error: `no worker could start: ${(error as Error).message}` });
    }
    const id = this.#nextId++;
    const outcomes = new Promise<StageOutcome[]>((resolve) => {
      // A worker that fails settles one outcome for the whole order: every member shares it.
      const settle = (settled: StageOutcome[]): void => resolve(settled.length === members.length ? settled : every(settled[0]!));
      slot.inFlight = { id, signal, progress: (member, p) => members[member]?.progress(p), settle };
    });
    if (!slot.alive) slot.inFlight!.settle([{ status: 'failed', error: 'the worker thread stopped before the stage could start' }]);
    const onAbort = (): void => {
      if (slot.inFlight?.id !== id) return;
      slot.post({ type: 'abort', id });
      // A stage that does not reach a step boundary in time is stopped by ending its thread; the
      // store's commit protocol guarantees that nothing half-written remains.
      setTimeout(() => {
        if (slot.inFlight?.id === id) {
          slot.inFlight.settle([{ status: 'aborted' }]);
          slot.inFlight = undefined;
          void slot.terminate().then(() => this.#replace(slot));
        }
      }, this.#options.abortGraceMs ?? DEFAULT_ABORT_GRACE_MS).unref();
    };
    slot.post({ type: 'run', id, members: members.map((m) => ({ stage: m.stage, inputKeys: { ...m.inputKeys } })) });
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    try {
      return await outcomes;
    } finally {
      signal.removeEventListener('abort', onAbort);
      slot.busy = false;
      this.#wakeOne();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const slots = this.#wide === undefined ? this.#slots : [...this.#slots, this.#wide];
    this.#slots = [];
    this.#wide = undefined;
    await Promise.all(slots.map((slot) => slot.close()));
  }

  #spawn(): WorkerSlot {
    return new WorkerSlot(this.#setup, (slot) => this.#replace(slot));
  }

  /** A worker that died (or was ended after an abort) is replaced by a fresh one right away. */
  #replace(dead: WorkerSlot): void {
    if (this.#closed) return;
    const index = this.#slots.indexOf(dead);
    if (index < 0) return;
    this.#slots[index] = this.#spawn();
    this.#wakeOne();
  }

  /** The worker with every core, taken (started first if need be); undefined where there is none, or it could not start. */
  async #wideSlot(): Promise<WorkerSlot | undefined> {
    if (!this.#canWiden || this.#closed) return undefined;
    if (this.#wide === undefined || !this.#wide.alive) {
      this.#wide = new WorkerSlot({ ...this.#setup, wasmThreads: availableParallelism() }, (slot) => { if (this.#wide === slot) this.#wide = undefined; });
    }
    const wide = this.#wide;
    if (wide.busy) return undefined;
    wide.busy = true;
    try {
      await wide.ready;
      return wide;
    } catch {
      // It could not start: the run goes on with the others, and tries no other.
      this.#canWiden = false;
      if (this.#wide === wide) this.#wide = undefined;
      wide.busy = false;
      return undefined;
    }
  }

  /** The idle worker holding most of `inputs`; waits for one when all are busy; undefined when none is alive. */
  async #idleSlot(inputs: string[]): Promise<WorkerSlot | undefined> {
    for (;;) {
      if (!this.#slots.some((slot) => slot.alive)) return undefined;
      let best: WorkerSlot | undefined;
      let bestScore = -1;
      for (const slot of this.#slots) {
        if (slot.busy || !slot.alive) continue;
        const score = inputs.filter((key) => slot.resident.has(key)).length;
        if (score > bestScore) {
          best = slot;
          bestScore = score;
        }
      }
      if (best !== undefined) {
        best.busy = true;
        return best;
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }

  #wakeOne(): void {
    this.#waiting.shift()?.();
  }
}
