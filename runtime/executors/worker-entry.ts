// A worker thread of the local executor: its own tfjs backend, its own device cache (whose checkpoints
// keep their tensors on the backend between stages), stages one at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, releaseBackends } from '../backends/select.ts';
import { ResidentArtifacts } from '../resident-tensors.ts';
import { Store } from '../store/index.ts';
import { loadStageLibrary } from './stage-library.ts';
import { StageRunner } from './stage-runner.ts';
import type { StageProgress } from './executor.ts';
import type { FromWorker, ToWorker, WorkerSetup } from './worker-protocol.ts';

const port = parentPort!;
const setup = workerData as WorkerSetup;
const post = (message: FromWorker): void => port.postMessage(message);

async function startRunner(): Promise<{ runner: StageRunner; resident: ResidentArtifacts } | undefined> {
  try {
    const backend = await initBackend(setup.backend, { wasmThreads: setup.wasmThreads });
    const library = await loadStageLibrary(setup.library);
    const resident = new ResidentArtifacts(setup.deviceCacheBytes);
    const runner = new StageRunner({
      store: new Store(setup.storeRoot), library, resident: resident.artifacts, tensors: resident.tensors,
      programDir: setup.programDir, ltxVersion: setup.ltxVersion, backend: backend.name, ...(setup.checkpoints === undefined ? {} : { checkpoints: setup.checkpoints }),
    });
    post({ type: 'ready', backend });
    return { runner, resident };
  } catch (error) {
    post({ type: 'start-failed', error: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
}

const started = await startRunner();
if (started !== undefined) {
  const { runner, resident } = started;
  const running = new Map<number, AbortController>();
  port.on('message', (message: ToWorker) => {
    if (message.type === 'abort') {
      running.get(message.id)?.abort();
      return;
    }
    if (message.type === 'close') {
      // The thread ends next. A stage still running keeps its tensors (they go with the thread);
      // otherwise the backend gets everything back first, which matters for native backends.
      if (running.size === 0) {
        resident.close();
        releaseBackends();
      }
      post({ type: 'closed' });
      return;
    }
    const controller = new AbortController();
    running.set(message.id, controller);
    const members = message.members.map(({ stage, inputKeys }, member) => ({
      stage, inputKeys, progress: (progress: StageProgress) => post({ type: 'progress', id: message.id, member, progress }),
    }));
    void runner.runGroup(members, controller.signal).then((outcomes) => {
      running.delete(message.id);
      post({ type: 'outcome', id: message.id, outcomes, resident: runner.residentKeys() });
    });
  });
}
