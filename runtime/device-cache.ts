// Decoded artifacts kept resident between stages, least recently used first out, within a byte budget.
// Every level of an IMP loop starts from the same rewind checkpoint and every control from the same
// init; reading, verifying and decoding them from disk for each stage would be wasted work. The runtime's
// cache also keeps their tensors on the backend (runtime/resident-tensors.ts) and counts those in the
// same budget.
import type { Artifact } from '../core/artifacts.ts';

/** `--device-cache 512MB`, per worker. */
export const DEFAULT_DEVICE_CACHE_BYTES = 512_000_000;

export class DeviceCache<V> {
  readonly budgetBytes: number;
  readonly #sizeOf: (value: V) => number;
  readonly #onEvict: ((key: string, value: V) => void) | undefined;
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  readonly #entries = new Map<string, { value: V; bytes: number }>();
  #bytes = 0;

  constructor(budgetBytes: number, sizeOf: (value: V) => number, onEvict?: (key: string, value: V) => void) {
    if (!Number.isFinite(budgetBytes) || budgetBytes < 0) throw new RangeError(`a device cache budget must be a byte count ≥ 0, got ${budgetBytes}`);
    this.budgetBytes = budgetBytes;
    this.#sizeOf = sizeOf;
    this.#onEvict = onEvict;
  }

  /** The value under `key`, which becomes the most recently used. */
  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** Keep `value`, evicting the least recently used until it fits; a value larger than the budget is not kept. */
  set(key: string, value: V): void {
    this.delete(key);
    const bytes = this.#sizeOf(value);
    if (bytes > this.budgetBytes) return;
    while (this.#bytes + bytes > this.budgetBytes) {
      const oldest = this.#entries.keys().next().value as string;
      this.delete(oldest);
    }
    this.#entries.set(key, { value, bytes });
    this.#bytes += bytes;
  }

  /**
   * Measures the value under `key` again after it grew in place (its tensors were uploaded, see
   * runtime/resident-tensors.ts), evicting the least recently used others until everything fits; a value
   * that alone exceeds the budget is dropped. Recency is unchanged.
   */
  remeasure(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    const bytes = this.#sizeOf(entry.value);
    this.#bytes += bytes - entry.bytes;
    entry.bytes = bytes;
    if (bytes > this.budgetBytes) {
      this.delete(key);
      return;
    }
    while (this.#bytes > this.budgetBytes) {
      const oldest = this.keys().find((other) => other !== key)!;
      this.delete(oldest);
    }
  }

  delete(key: string): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
    this.#onEvict?.(key, entry.value);
    return true;
  }

  /** Resident keys, least recently used first. */
  keys(): string[] {
    return [...this.#entries.keys()];
  }

  /** Resident values, least recently used first (their recency is unchanged). */
  values(): V[] {
    return [...this.#entries.values()].map((entry) => entry.value);
  }

  get bytes(): number {
    return this.#bytes;
  }

  clear(): void {
    for (const key of [...this.#entries.keys()]) this.delete(key);
  }
}

/** Memory an artifact's arrays occupy (what the budget counts). */
export function artifactBytes(artifact: Artifact): number {
  switch (artifact.kind) {
    case 'checkpoint': {
      let bytes = 0;
      for (const tensor of artifact.weights.values()) bytes += tensor.data.byteLength;
      for (const slot of artifact.optimizer?.slots.values() ?? []) bytes += slot.data.byteLength;
      if (artifact.mask) bytes += artifactBytes(artifact.mask);
      return bytes;
    }
    case 'mask': {
      let bytes = 0;
      for (const mask of artifact.masks.values()) bytes += mask.data.byteLength;
      return bytes;
    }
    case 'probe':
      // Small: a few numbers and series; count them roughly so the cache never holds unbounded many.
      return 1024 + JSON.stringify(artifact.series ?? {}).length;
  }
}

const UNITS: Record<string, number> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
  k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4,
  kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4,
};

/**
 * `512MB`, `1.5GiB`, `64m`, `1000000` → bytes. KB/MB/GB are powers of 1000, KiB/MiB/GiB (and the bare
 * K/M/G of other tools) powers of 1024. Undefined for anything else.
 */
export function parseByteSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!match) return undefined;
  const unit = match[2]!.toLowerCase();
  const factor = unit === '' ? 1 : UNITS[unit];
  if (factor === undefined) return undefined;
  return Math.floor(Number(match[1]) * factor);
}

/** 536870912 → "512 MiB": for messages. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value >= 100 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
