// A worker thread of the local executor: its own tfjs backend, its own device cache, stages one at a time.
import { parentPort, workerData } from 'node:worker_threads';
import type { Artifact } from '../artifacts.ts';
import { initBackend } from '../backends/select.ts';
import { artifactBytes, DeviceCache } from '../device-cache.ts';
import { Store } from '../store/index.ts';
import { loadStageLibrary } from './stage-library.ts';
import { StageRunner } from './stage-runner.ts';
import type { FromWorker, ToWorker, WorkerSetup } from './worker-protocol.ts';

const port = parentPort!;
const setup = workerData as WorkerSetup;
const post = (message: FromWorker): void => port.postMessage(message);

async function startRunner(): Promise<StageRunner | undefined> {
  try {
    const backend = await initBackend(setup.backend);
    const library = await loadStageLibrary(setup.library);
    const resident = new DeviceCache<Artifact>(setup.deviceCacheBytes, artifactBytes);
    const runner = new StageRunner({ store: new Store(setup.storeRoot), library, resident, programDir: setup.programDir, backend: backend.name });
    post({ type: 'ready', backend });
    return runner;
  } catch (error) {
    post({ type: 'start-failed', error: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
}

const runner = await startRunner();
if (runner !== undefined) {
  const running = new Map<number, AbortController>();
  port.on('message', (message: ToWorker) => {
    if (message.type === 'abort') {
      running.get(message.id)?.abort();
      return;
    }
    const controller = new AbortController();
    running.set(message.id, controller);
    const hooks = {
      signal: controller.signal,
      progress: (progress: { step: number; total: number; loss?: number }) => post({ type: 'progress', id: message.id, progress }),
    };
    void runner.run(message.stage, message.inputKeys, hooks).then((outcome) => {
      running.delete(message.id);
      post({ type: 'outcome', id: message.id, outcome, resident: runner.residentKeys() });
    });
  });
}
