// Datasets loaded once per thread: every stage that trains or evaluates on the same dataset (the same
// op, version and parameters, with a relative path resolved as every phase does: core/data-path.ts) shares one
// in-memory copy. Concurrent requests for a dataset still loading wait for the same load.
//
// Stage implementations reach the cache as this module's `datasetCache`, not through their context: its
// lifetime is the module instance's, and each worker thread (like the main thread) has its own instance
// of every module, so that is one cache per thread, as the executors want, without the runtime holding
// or passing anything it would have to treat as opaque.
import * as tf from '@tensorflow/tfjs-core';
import type { OpRef } from '../../core/artifacts.ts';
import { resolveDataPath } from '../../core/data-path.ts';
import { canonicalJson, type Json } from '../../core/json.ts';
import { loadDataset, type DatasetContext, type LoadedDataset, type TeacherForward } from '../datasets/index.ts';
import { initialize } from '../inits/index.ts';
import { forward } from '../models/forward.ts';
import { modelLayout } from '../models/layout.ts';

type Params = { [key: string]: Json };

export class DataCache {
  private readonly loads = new Map<string, Promise<LoadedDataset>>();

  /** The dataset `ref` of a program in `programDir`, loaded on first use. */
  load(ref: OpRef, programDir: string): Promise<LoadedDataset> {
    const params = resolveDataPath(ref.params, programDir);
    const key = canonicalJson({ op: ref.op, version: ref.version, params });
    let load = this.loads.get(key);
    if (!load) {
      load = loadWithContext(ref.op, params);
      this.loads.set(key, load);
      // A failed load is not remembered: the next stage may find the file in place.
      load.catch(() => this.loads.delete(key));
    }
    return load;
  }

  /** Forget every loaded dataset (their memory goes with them). */
  clear(): void {
    this.loads.clear();
  }

  get size(): number {
    return this.loads.size;
  }
}

/** The datasets of this thread's stages. */
export const datasetCache = new DataCache();

async function loadWithContext(op: string, params: Params): Promise<LoadedDataset> {
  if (op !== 'teacher') return loadDataset(op, params);
  const { params: teacherParams, ctx } = teacherSetup(params);
  return loadDataset(op, teacherParams, ctx);
}

/**
 * The teacher network: the `model` parameter's architecture with kaiming-normal weights of the dataset's
 * seed. The dataset also needs the model's input shape and output count, which the layout knows.
 */
function teacherSetup(params: Params): { params: Params; ctx: DatasetContext } {
  const model = params['model'];
  if (model === null || typeof model !== 'object' || Array.isArray(model) || typeof model['op'] !== 'string') {
    throw new Error(`teacher: the 'model' parameter must be a model, got ${JSON.stringify(model)}`);
  }
  const modelParams = (model['params'] ?? {}) as Record<string, unknown>;
  const layout = modelLayout(model['op'], modelParams);
  const seed = typeof params['seed'] === 'number' ? params['seed'] : 0;
  const values = initialize(layout, 'kaiming_normal', { seed });
  const teacherForward: TeacherForward = async (x, n) => {
    const weights: Record<string, tf.Tensor> = {};
    for (const spec of layout.params) weights[spec.name] = tf.tensor(values.get(spec.name)!, spec.shape);
    try {
      const out = tf.tidy(() => forward(layout, modelParams, weights, tf.tensor(x, [n, ...layout.inputShape]), { training: false }).output);
      const data = await out.data();
      out.dispose();
      return Float32Array.from(data);
    } finally {
      for (const t of Object.values(weights)) t.dispose();
    }
  };
  return {
    params: { inputShape: layout.inputShape, outputs: layout.outputs, ...params },
    ctx: { teacherForward },
  };
}
