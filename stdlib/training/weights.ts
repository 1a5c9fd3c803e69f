// Moving named weights between the checkpoint's plain arrays and backend tensors.
import * as tf from '@tensorflow/tfjs-core';
import type { Checkpoint, Mask, TensorValue } from '../../core/artifacts.ts';
import type { NamedTensors, TensorSource } from '../../core/op.ts';

export function uploadTensor(value: TensorValue): tf.Tensor {
  return tf.tensor(value.data, value.shape, 'float32');
}

export function uploadAll(values: Map<string, TensorValue>): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [name, value] of values) out[name] = uploadTensor(value);
  return out;
}

export async function downloadTensor(tensor: tf.Tensor): Promise<TensorValue> {
  const data = await tensor.data();
  if (!(data instanceof Float32Array)) throw new Error(`expected a float32 tensor, got ${tensor.dtype}`);
  return { shape: [...tensor.shape], data };
}

export function disposeAll(tensors: NamedTensors | undefined): void {
  if (tensors) for (const t of Object.values(tensors)) t.dispose();
}

/**
 * The tensors of a computation that runs without the runtime's resident tensors (a test, a benchmark):
 * each checkpoint's weights and each mask uploaded when first asked for, all of them disposed by end().
 */
export function ownTensors(): TensorSource & { end(): void } {
  const uploads = new Map<Checkpoint | Mask, NamedTensors>();
  const once = <T extends Checkpoint | Mask>(owner: T, upload: (owner: T) => NamedTensors): NamedTensors => {
    let tensors = uploads.get(owner);
    if (tensors === undefined) uploads.set(owner, (tensors = upload(owner)));
    return tensors;
  };
  return {
    weightsOf: (checkpoint) => once(checkpoint, (c) => uploadAll(c.weights)),
    masksOf: (mask) => once(mask, (m) => Object.fromEntries([...m.masks].map(([name, keep]) => [name, tf.tensor(Float32Array.from(keep.data), keep.shape, 'float32')]))),
    end: () => {
      for (const tensors of uploads.values()) disposeAll(tensors);
      uploads.clear();
    },
  };
}
