// Checkpoints that stay on the tfjs backend between stages. Every level of an IMP loop trains from the
// same rewind checkpoint and every control from the same init; uploading their weights and masks again
// for each stage repeats the same transfer (and on a GPU backend, fills its memory with copies). The
// tensors of an artifact are made when a stage first asks for them and handed to every later stage of
// the thread that gets the same artifact object from the device cache.
//
// Lifetime: an artifact's tensors live while the artifact is a value of the device cache or held by a
// running stage's lease (a checkpoint also keeps its mask's tensors alive). The cache's eviction, the end
// of a lease and closing sweep away the rest, so an artifact the cache did not keep (larger than its
// budget) loses its tensors when its stage ends, and one the cache evicts while a stage still reads it
// keeps them until that stage ends.
//
// The tensors are shared and read-only: their users never dispose them and never write into them
// (training makes new tensors for what it changes).
import * as tf from '@tensorflow/tfjs-core';
import type { Artifact, Checkpoint, Mask } from '../core/artifacts.ts';
import type { NamedTensors, TensorSource } from '../core/op.ts';
import { artifactBytes, DeviceCache } from './device-cache.ts';

/** One stage's access to the resident tensors: what it holds stays uploaded until end(). */
export interface TensorLease extends TensorSource {
  /** Keeps `artifact`'s tensors (once made) alive until end(), even if the cache evicts it meanwhile. */
  hold(artifact: Artifact): void;
  /** Releases what the lease holds; tensors of artifacts the cache does not keep are disposed. Idempotent. */
  end(): void;
}

export interface ResidentTensorStats {
  /** Checkpoints and masks with tensors on the backend now. */
  artifacts: number;
  tensors: number;
  bytes: number;
  /** Checkpoints and masks uploaded so far: a resident one counts once however many stages read it. */
  uploads: number;
}

type Owner = Checkpoint | Mask;

interface Upload {
  tensors: NamedTensors;
  bytes: number;
}

export class ResidentTensors {
  readonly #kept: () => Iterable<Artifact>;
  readonly #uploads = new Map<Owner, Upload>();
  /** What each live lease holds. */
  readonly #leases = new Set<Set<Artifact>>();
  #uploadCount = 0;

  /** `kept`: the artifacts the device cache holds now; their tensors survive sweeps. */
  constructor(kept: () => Iterable<Artifact> = () => []) {
    this.#kept = kept;
  }

  lease(): TensorLease {
    const held = new Set<Artifact>();
    this.#leases.add(held);
    let ended = false;
    const holding = <T extends Artifact>(artifact: T): T => {
      if (ended) throw new Error('a tensor lease was used after its stage ended');
      held.add(artifact);
      return artifact;
    };
    return {
      hold: (artifact) => { holding(artifact); },
      weightsOf: (checkpoint) => this.#upload(holding(checkpoint), uploadWeights),
      masksOf: (mask) => this.#upload(holding(mask), uploadMasks),
      end: () => {
        if (ended) return;
        ended = true;
        this.#leases.delete(held);
        this.sweep();
      },
    };
  }

  /** Disposes the tensors of every artifact that neither the cache nor a live lease reaches. */
  sweep(): void {
    if (this.#uploads.size === 0) return;
    const live = new Set<Owner>();
    const reach = (artifact: Artifact): void => {
      if (artifact.kind === 'probe') return;
      live.add(artifact);
      if (artifact.kind === 'checkpoint' && artifact.mask) live.add(artifact.mask);
    };
    for (const artifact of this.#kept()) reach(artifact);
    for (const held of this.#leases) for (const artifact of held) reach(artifact);
    for (const [owner, upload] of this.#uploads) {
      if (live.has(owner)) continue;
      this.#uploads.delete(owner);
      disposeAll(upload.tensors);
    }
  }

  /** Bytes of the tensors `artifact` keeps on the backend now: a checkpoint's weights and its mask's tensors. */
  bytesOf(artifact: Artifact): number {
    if (artifact.kind === 'probe') return 0;
    let bytes = this.#uploads.get(artifact)?.bytes ?? 0;
    if (artifact.kind === 'checkpoint' && artifact.mask) bytes += this.#uploads.get(artifact.mask)?.bytes ?? 0;
    return bytes;
  }

  stats(): ResidentTensorStats {
    let tensors = 0;
    let bytes = 0;
    for (const upload of this.#uploads.values()) {
      tensors += Object.keys(upload.tensors).length;
      bytes += upload.bytes;
    }
    return { artifacts: this.#uploads.size, tensors, bytes, uploads: this.#uploadCount };
  }

  /** Disposes every tensor, held or not: for closing a thread's backend when no stage runs. */
  dispose(): void {
    for (const upload of this.#uploads.values()) disposeAll(upload.tensors);
    this.#uploads.clear();
  }

  #upload<T extends Owner>(owner: T, upload: (owner: T) => Record<string, tf.Tensor>): NamedTensors {
    const existing = this.#uploads.get(owner);
    if (existing) return existing.tensors;
    const tensors = upload(owner);
    // Every resident tensor is float32.
    const bytes = Object.values(tensors).reduce((sum, t) => sum + t.size * 4, 0);
    this.#uploads.set(owner, { tensors, bytes });
    this.#uploadCount++;
    return tensors;
  }
}

/**
 * A thread's device cache with its resident tensors wired in: an eviction disposes the tensors of what
 * left the cache, and an entry's size is its arrays plus its tensors on the backend (runtime callers
 * remeasure an entry after a stage has uploaded its tensors).
 */
export class ResidentArtifacts {
  readonly artifacts: DeviceCache<Artifact>;
  readonly tensors: ResidentTensors;

  constructor(budgetBytes: number) {
    const tensors = new ResidentTensors(() => this.artifacts.values());
    this.tensors = tensors;
    this.artifacts = new DeviceCache<Artifact>(budgetBytes, (artifact) => artifactBytes(artifact) + tensors.bytesOf(artifact), () => tensors.sweep());
  }

  /** Empties the cache and disposes every resident tensor. */
  close(): void {
    this.artifacts.clear();
    this.tensors.dispose();
  }
}

function uploadWeights(checkpoint: Checkpoint): Record<string, tf.Tensor> {
  return uploadEach(checkpoint.weights, (value) => tf.tensor(value.data, value.shape, 'float32'));
}

function uploadMasks(mask: Mask): Record<string, tf.Tensor> {
  return uploadEach(mask.masks, (value) => tf.tensor(Float32Array.from(value.data), value.shape, 'float32'));
}

/** All of `values` uploaded, or (when one fails: a shape that does not match its data) none of them. */
function uploadEach<V>(values: Map<string, V>, upload: (value: V) => tf.Tensor): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  try {
    for (const [name, value] of values) out[name] = upload(value);
  } catch (error) {
    disposeAll(out);
    throw error;
  }
  return out;
}

function disposeAll(tensors: NamedTensors): void {
  for (const tensor of Object.values(tensors)) tensor.dispose();
}
