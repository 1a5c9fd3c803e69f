// Stages computed on the calling thread, one tfjs backend shared by all. No isolation and no
// parallelism of computation, but no worker start-up either: for tests and embedding.
import type { Stage } from '../../core/stage.ts';
import { initBackend, type BackendChoice, type BackendRequest } from '../backends/select.ts';
import { DEFAULT_DEVICE_CACHE_BYTES } from '../device-cache.ts';
import { ResidentArtifacts, type ResidentTensorStats } from '../resident-tensors.ts';
import type { CheckpointSchedule } from '../checkpoint-schedule.ts';
import type { Store } from '../store/index.ts';
import { ExecutorStartError, type Executor, type GroupMember, type StageHooks, type StageOutcome } from './executor.ts';
import type { StageLibrary } from '../../core/library.ts';
import { StageRunner } from './stage-runner.ts';

export interface InProcessExecutorOptions {
  store: Store;
  library: StageLibrary;
  programDir: string;
  /** Recorded with each result: the version of ltx that computed it (the CLI knows it; the runtime reads no package file). */
  ltxVersion: string;
  /** Which tfjs backend to start; without one, stages must not need tfjs (fake tables in tests). */
  backend?: BackendRequest;
  deviceCacheBytes?: number;
  /** When training stages commit intermediate checkpoints (default: every 5 minutes of training). */
  checkpoints?: CheckpointSchedule;
}

export class InProcessExecutor implements Executor {
  readonly #options: InProcessExecutorOptions;
  #backend: BackendChoice | undefined;
  #runner: StageRunner | undefined;
  #resident: ResidentArtifacts | undefined;

  constructor(options: InProcessExecutorOptions) {
    this.#options = options;
  }

  get backend(): BackendChoice | undefined {
    return this.#backend;
  }

  async start(): Promise<void> {
    if (this.#runner) return;
    const { backend, store, library, programDir, ltxVersion } = this.#options;
    if (backend !== undefined) {
      try {
        this.#backend = await initBackend(backend);
      } catch (error) {
        throw new ExecutorStartError(error instanceof Error ? error.message : String(error));
      }
    }
    const resident = new ResidentArtifacts(this.#options.deviceCacheBytes ?? DEFAULT_DEVICE_CACHE_BYTES);
    this.#resident = resident;
    this.#runner = new StageRunner({
      store, library, resident: resident.artifacts, tensors: resident.tensors, programDir, ltxVersion, backend: this.#backend?.name ?? 'none',
      ...(this.#options.checkpoints === undefined ? {} : { checkpoints: this.#options.checkpoints }),
    });
  }

  async run(stage: Stage, inputKeys: Readonly<Record<string, string>>, hooks: StageHooks): Promise<StageOutcome> {
    if (!this.#runner) await this.start();
    return await this.#runner!.run(stage, inputKeys, hooks);
  }

  async runGroup(members: readonly GroupMember[], signal: AbortSignal): Promise<StageOutcome[]> {
    if (!this.#runner) await this.start();
    return await this.#runner!.runGroup(members, signal);
  }

  /** Keys of the results held decoded (for tests of the device cache). */
  residentKeys(): string[] {
    return this.#runner?.residentKeys() ?? [];
  }

  /** What the executor keeps on the backend (for tests of resident tensors). */
  residentTensorStats(): ResidentTensorStats | undefined {
    return this.#resident?.tensors.stats();
  }

  /** Frees the decoded artifacts and their tensors on the backend; call it once no stage runs. */
  async close(): Promise<void> {
    this.#runner = undefined;
    this.#resident?.close();
    this.#resident = undefined;
  }
}
