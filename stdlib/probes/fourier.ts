// fourier(X, weight:, top:): how much of a token table's structure lies in a few frequencies of the
// cyclic group Z_p, the structure a transformer builds when it groks modular addition (Nanda et al.
// 2023: the embedding concentrates on a handful of key frequencies). For the table W [p, d] (row a is
// token a's embedding; by default the transformer's `embed.weight`), with the orthonormal real Fourier
// basis of Z_p (constant, cos(2πka/p) and sin(2πka/p) for k = 1..⌊(p−1)/2⌋, and the alternating
// vector when p is even), the power of frequency k is the squared norm of W's projection on cos_k and
// sin_k (the constant part, and for an even p the alternating one, left out):
//   P_k = Σ_j (Σ_a cos_k(a) W[a, j])² + (Σ_a sin_k(a) W[a, j])²
//   top_share                the share of Σ_k P_k in the `top` strongest frequencies
//   effective_frequencies    exp(entropy of P_k / Σ P): ⌊(p−1)/2⌋ for an even spread, 1 for one frequency
// A random table spreads its power evenly (top_share ≈ top / ⌊(p−1)/2⌋); a grokked one concentrates it.
// The series `power` holds P_1..P_K, and `key_frequencies` the `top` strongest k, strongest first.
// With `residues: p`, a table of m·p rows is m blocks of p rows, each indexed by the residues, and P_k
// sums over the blocks: an mlp's first layer on modular_addition's one-hot pairs ([2p, width], the rows
// of a then those of b) is the two embeddings of a and b side by side. `residues` has no default, so
// that the keys of programs written before it existed stay: absent, the table is one block.
import type { ProbeResult, TensorValue } from '../../core/artifacts.ts';
import { arg, LIMITS } from '../signature.ts';
import { failing, StageFailure } from '../stage-support/failure.ts';
import { checkpointInput, integerParam } from '../stage-support/params.ts';
import { defineProbe, WEIGHTS } from './define.ts';

/** P_k for k = 1..⌊(p−1)/2⌋ of a [p, d] table (row-major), in float64. */
export function frequencyPower(table: Float32Array | Float64Array, p: number, d: number): number[] {
  const power: number[] = [];
  for (let k = 1; k <= Math.floor((p - 1) / 2); k++) {
    let sum = 0;
    for (const wave of [Math.cos, Math.sin]) {
      const basis = Array.from({ length: p }, (_, a) => wave((2 * Math.PI * k * a) / p) * Math.sqrt(2 / p));
      for (let j = 0; j < d; j++) {
        let projection = 0;
        for (let a = 0; a < p; a++) projection += basis[a]! * table[a * d + j]!;
        sum += projection * projection;
      }
    }
    power.push(sum);
  }
  return power;
}

export function fourierConcentration(power: number[], top: number): ProbeResult {
  const total = power.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new StageFailure('fourier: the table has no power in any frequency (it is constant over the tokens)');
  const order = power.map((_, i) => i).sort((x, y) => power[y]! - power[x]! || x - y).slice(0, Math.min(top, power.length));
  let entropy = 0;
  for (const pk of power) if (pk > 0) entropy -= (pk / total) * Math.log(pk / total);
  return {
    kind: 'probe',
    metrics: {
      top_share: order.reduce((s, i) => s + power[i]!, 0) / total,
      effective_frequencies: Math.exp(entropy),
      frequencies: power.length,
    },
    series: { power, key_frequencies: order.map((i) => i + 1) },
  };
}

/** P_k summed over the blocks of `residues` rows of a [rows, d] table (row-major): the blocks side by side. */
export function blockFrequencyPower(table: Float32Array | Float64Array, rows: number, d: number, residues: number): number[] {
  if (rows % residues !== 0) throw new StageFailure(`fourier: the table has ${rows} rows, not a multiple of residues: ${residues}`);
  const blocks = Array.from({ length: rows / residues }, (_, m) => frequencyPower(table.subarray(m * residues * d, (m + 1) * residues * d), residues, d));
  return blocks[0]!.map((_, k) => blocks.reduce((sum, power) => sum + power[k]!, 0));
}

function tableOf(weights: ReadonlyMap<string, TensorValue>, name: string): TensorValue {
  const table = weights.get(name);
  if (!table) throw new StageFailure(`fourier: the weights have no parameter '${name}'; it needs a [tokens, width] table such as a transformer's embed.weight`);
  if (table.shape.length !== 2) throw new StageFailure(`fourier: '${name}' has shape [${table.shape.join(', ')}], not [tokens, width]`);
  return table;
}

export const fourierModule = defineProbe({
  name: 'fourier',
  summary: 'How concentrated a token table (the embedding; or an mlp\'s first layer on one-hot pairs, with residues: p) is on a few frequencies of Z_p, the structure of grokked modular addition (Nanda et al. 2023). Metrics: top_share, effective_frequencies.',
  version: 1,
  positional: ['x'],
  parameters: {
    x: arg.ref(WEIGHTS, 'weights holding the table'),
    weight: arg.string('the [tokens, width] parameter whose rows are indexed by the residues', { default: 'embed.weight' }),
    top: arg.count('number of strongest frequencies in top_share', LIMITS.width, { default: 5 }),
    residues: arg.count('p, when the table is blocks of p rows indexed by the residues (an mlp\'s layer1.weight on one-hot pairs: 2 blocks); absent: one block, all rows', LIMITS.width, { minimum: 2 }),
  },
  required: ['x'],
  lowering: { subjects: { x: 'weights' } },
  implementation: async (stage, inputs) => {
    const x = checkpointInput(stage, inputs, 'x');
    const name = stage.params.weight;
    if (typeof name !== 'string') throw new StageFailure(`fourier: 'weight' must be a parameter name, got ${JSON.stringify(name)}`);
    const table = tableOf(x.weights, name);
    const top = integerParam(stage.params, 'top');
    const [rows, width] = table.shape as [number, number];
    const residues = stage.params.residues === undefined ? rows : integerParam(stage.params, 'residues');
    return failing('fourier', () => fourierConcentration(blockFrequencyPower(table.data, rows, width, residues), top));
  },
  reporting: {
    metrics: ['top_share', 'effective_frequencies', 'frequencies'],
    figures: [{
      kind: 'trajectory',
      metrics: ['top_share', 'effective_frequencies'],
      caption: 'Share of the embedding\'s power (constant part left out) in its strongest frequencies of Z_p, and the effective number of frequencies exp(entropy): a grokked modular-addition transformer concentrates on a few key frequencies (Nanda et al. 2023).',
    }],
  },
});
