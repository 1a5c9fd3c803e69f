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
// With `per: "unit"` the same measures are taken of each column alone (one hidden unit of an mlp, its
// rows in every block) and averaged over the columns: an MLP that groks gives each unit a frequency of
// its own (Gromov 2023), spread over all frequencies, so the whole table's power stays spread while
// each unit's concentrates. The series `unit_frequencies` counts the units whose strongest frequency is k.
import type { ProbeResult, TensorValue } from '../../core/artifacts.ts';
import { arg, LIMITS } from '../signature.ts';
import { failing, StageFailure } from '../stage-support/failure.ts';
import { checkpointInput, integerParam, stringParam } from '../stage-support/params.ts';
import { defineProbe, WEIGHTS } from './define.ts';

/** The basis vectors cos_k and sin_k of Z_p (orthonormal: scaled by √(2/p)). */
function waves(p: number, k: number): number[][] {
  return [Math.cos, Math.sin].map((wave) => Array.from({ length: p }, (_, a) => wave((2 * Math.PI * k * a) / p) * Math.sqrt(2 / p)));
}

/** Σ_a basis(a) W[a, j] of a [p, d] table (row-major). */
function project(table: Float32Array | Float64Array, basis: number[], d: number, j: number): number {
  let projection = 0;
  for (let a = 0; a < basis.length; a++) projection += basis[a]! * table[a * d + j]!;
  return projection;
}

/** P_k for k = 1..⌊(p−1)/2⌋ of a [p, d] table (row-major), in float64. */
export function frequencyPower(table: Float32Array | Float64Array, p: number, d: number): number[] {
  const power: number[] = [];
  for (let k = 1; k <= Math.floor((p - 1) / 2); k++) {
    let sum = 0;
    for (const basis of waves(p, k)) {
      for (let j = 0; j < d; j++) sum += project(table, basis, d, j) ** 2;
    }
    power.push(sum);
  }
  return power;
}

/** P_k for k = 1..⌊(p−1)/2⌋ of each column j of a [p, d] table (row-major), in float64: [d][K]. */
export function columnFrequencyPower(table: Float32Array | Float64Array, p: number, d: number): number[][] {
  const columns = Array.from({ length: d }, () => [] as number[]);
  for (let k = 1; k <= Math.floor((p - 1) / 2); k++) {
    const [cos, sin] = waves(p, k);
    for (let j = 0; j < d; j++) columns[j]!.push(project(table, cos!, d, j) ** 2 + project(table, sin!, d, j) ** 2);
  }
  return columns;
}

function sumColumns(columns: number[][], frequencies: number): number[] {
  return Array.from({ length: frequencies }, (_, k) => columns.reduce((sum, column) => sum + column[k]!, 0));
}

/** Each column's P_k summed over the blocks of `residues` rows of a [rows, d] table (row-major): the blocks side by side. */
export function blockColumnPower(table: Float32Array | Float64Array, rows: number, d: number, residues: number): number[][] {
  if (rows % residues !== 0) throw new StageFailure(`fourier: the table has ${rows} rows, not a multiple of residues: ${residues}`);
  const blocks = Array.from({ length: rows / residues }, (_, m) => columnFrequencyPower(table.subarray(m * residues * d, (m + 1) * residues * d), residues, d));
  return blocks[0]!.map((_, j) => sumColumns(blocks.map((block) => block[j]!), Math.floor((residues - 1) / 2)));
}

/** P_k summed over the blocks of `residues` rows of a [rows, d] table and over its columns. */
export function blockFrequencyPower(table: Float32Array | Float64Array, rows: number, d: number, residues: number): number[] {
  return sumColumns(blockColumnPower(table, rows, d, residues), Math.floor((residues - 1) / 2));
}

/** Indices of the `top` largest entries, largest first (ties: lower index first). */
function strongest(power: number[], top: number): number[] {
  return power.map((_, i) => i).sort((x, y) => power[y]! - power[x]! || x - y).slice(0, Math.min(top, power.length));
}

function share(power: number[], top: number): { top: number; effective: number } | undefined {
  const total = power.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return undefined;
  let entropy = 0;
  for (const pk of power) if (pk > 0) entropy -= (pk / total) * Math.log(pk / total);
  return { top: strongest(power, top).reduce((s, i) => s + power[i]!, 0) / total, effective: Math.exp(entropy) };
}

export function fourierConcentration(power: number[], top: number): ProbeResult {
  const concentration = share(power, top);
  if (!concentration) throw new StageFailure('fourier: the table has no power in any frequency (it is constant over the tokens)');
  return {
    kind: 'probe',
    metrics: { top_share: concentration.top, effective_frequencies: concentration.effective, frequencies: power.length },
    series: { power, key_frequencies: strongest(power, top).map((i) => i + 1) },
  };
}

/**
 * The same measures per column (per unit of an mlp's first layer), averaged over the columns with any
 * power; `unit_frequencies[k − 1]` counts the columns whose strongest frequency is k.
 */
export function unitConcentration(columns: number[][], top: number): ProbeResult {
  const frequencies = columns[0]?.length ?? 0;
  const shares = columns.map((power) => share(power, top)).filter((c) => c !== undefined);
  if (shares.length === 0) throw new StageFailure('fourier: no column of the table has power in any frequency (it is constant over the tokens)');
  const dominant = new Array<number>(frequencies).fill(0);
  for (const power of columns) if (share(power, top)) dominant[strongest(power, 1)[0]!]! += 1;
  const power = sumColumns(columns, frequencies);
  return {
    kind: 'probe',
    metrics: {
      top_share: shares.reduce((s, c) => s + c.top, 0) / shares.length,
      effective_frequencies: shares.reduce((s, c) => s + c.effective, 0) / shares.length,
      frequencies,
      units: shares.length,
    },
    series: { power, key_frequencies: strongest(power, top).map((i) => i + 1), unit_frequencies: dominant },
  };
}

const PER = ['table', 'unit'] as const;

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
    per: arg.oneOf([...PER], '"unit": the measures per column (per hidden unit of an mlp\'s layer1.weight), averaged over the columns; absent or "table": of the whole table'),
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
    const residues = stage.params.residues === undefined ? undefined : integerParam(stage.params, 'residues');
    const perUnit = stage.params.per !== undefined && stringParam(stage.params, 'per', PER) === 'unit';
    return failing('fourier', () => {
      if (perUnit) return unitConcentration(blockColumnPower(table.data, rows, width, residues ?? rows), top);
      const power = residues === undefined ? frequencyPower(table.data, rows, width) : blockFrequencyPower(table.data, rows, width, residues);
      return fourierConcentration(power, top);
    });
  },
  reporting: {
    metrics: ['top_share', 'effective_frequencies', 'frequencies'],
    figures: [{
      kind: 'trajectory',
      metrics: ['top_share', 'effective_frequencies'],
      caption: 'Share of the table\'s power (constant part left out) in its strongest frequencies of Z_p, and the effective number of frequencies exp(entropy); with per: "unit", of each unit\'s column, averaged over the units. A grokked modular-addition transformer concentrates its embedding on a few key frequencies (Nanda et al. 2023); a grokked MLP gives each unit a frequency of its own (Gromov 2023).',
    }],
  },
});
