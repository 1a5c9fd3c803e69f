// Seeded randomness for every random choice ltx makes (init, data order, random masks, SGLD noise,
// synthetic data). Streams are derived from (seed, purpose) so that two uses of one seed for
// different purposes never share draws, and the same stage on any backend draws the same numbers.
import { createHash } from 'node:crypto';
import seedrandom from 'seedrandom';

export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** A seeded Fisher-Yates permutation of 0..n-1. */
  permutation(n: number): Int32Array;
  /** Fill with N(mean, std²) draws. */
  fillNormal(out: Float32Array, mean?: number, std?: number): Float32Array;
  /** Fill with U(low, high) draws. */
  fillUniform(out: Float32Array, low?: number, high?: number): Float32Array;
}

/** Derive the stream for `purpose` (e.g. "init", "order/epoch=3") from a user seed. */
export function createRng(seed: number, purpose: string): Rng {
  const streamSeed = createHash('sha256').update(`${seed}\u0000${purpose}`).digest('hex');
  const next = seedrandom.alea(streamSeed);
  let spare: number | null = null;
  const rng: Rng = {
    uniform: () => next(),
    normal() {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    int: (n) => Math.floor(next() * n),
    permutation(n) {
      const p = new Int32Array(n);
      for (let i = 0; i < n; i++) p[i] = i;
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const t = p[i]!;
        p[i] = p[j]!;
        p[j] = t;
      }
      return p;
    },
    fillNormal(out, mean = 0, std = 1) {
      for (let i = 0; i < out.length; i++) out[i] = mean + std * rng.normal();
      return out;
    },
    fillUniform(out, low = 0, high = 1) {
      for (let i = 0; i < out.length; i++) out[i] = low + (high - low) * next();
      return out;
    },
  };
  return rng;
}
