// Moving named weights between the checkpoint's plain arrays and backend tensors.
import * as tf from '@tensorflow/tfjs-core';
import type { TensorValue } from '../../core/artifacts.ts';

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

export function disposeAll(tensors: Record<string, tf.Tensor> | undefined): void {
  if (tensors) for (const t of Object.values(tensors)) t.dispose();
}
