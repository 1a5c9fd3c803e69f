// unit_roles(A, B, on:, layer:, samples:, seed:): did each hidden unit keep its role? For two networks
// of the same architecture (typically trained from one init with different data orders or tasks), per
// hidden layer, the Pearson correlation C[i][j] over the probe inputs between unit i of A and unit j of
// B (Li et al. 2016, "Convergent learning"):
//   same_index    mean over units of C[i][i]: does unit i of B do what unit i of A does?
//   best_match    mean over units of maxⱼ C[i][j]: does A's role exist anywhere in B?
//   self_matched  the share of units whose best match is themselves (C[i][i] is the row's maximum)
//   matched       mean correlation of a one-to-one greedy matching (pairs taken in order of decreasing
//                 correlation, each unit of A and of B used once), and matched_self, the share of
//                 units the matching pairs with themselves
// A unit that is constant on the probe inputs (a dead ReLU) has no correlation and no role: units dead
// in A are left out of every mean; a unit dead in B correlates 0 with everything. dead_a and dead_b
// count them. Metrics are over all compared units of all layers compared; per layer in `layers`.
// Representations, probe inputs and the models that expose them: representations.ts.
import type { ProbeResult } from '../../core/artifacts.ts';
import { centeredColumns, crossProduct, type Representation } from './representation-math.ts';
import { defineRepresentationProbe } from './representation-probe.ts';
import type { RepresentationPair } from './representations.ts';

/** [a.units, b.units] correlations; a pair with a constant unit has correlation 0. Also which units are constant. */
export function unitCorrelations(a: Representation, b: Representation): { c: Float64Array; deadA: boolean[]; deadB: boolean[] } {
  if (a.units !== b.units) throw new Error(`the two networks' layers have ${a.units} and ${b.units} units: unit roles compare networks of one architecture`);
  const ac = centeredColumns(a);
  const bc = centeredColumns(b);
  const stdA = columnNorms(ac);
  const stdB = columnNorms(bc);
  const c = crossProduct(ac, bc);
  const n = a.units;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const norms = stdA[i]! * stdB[j]!;
      c[i * n + j] = norms > 0 ? Math.max(-1, Math.min(1, c[i * n + j]! / norms)) : 0;
    }
  }
  return { c, deadA: stdA.map((s) => !(s > 0)), deadB: stdB.map((s) => !(s > 0)) };
}

function columnNorms(r: Representation): number[] {
  const sums = new Float64Array(r.units);
  for (let i = 0; i < r.rows; i++) for (let u = 0; u < r.units; u++) sums[u]! += r.values[i * r.units + u]! ** 2;
  return Array.from(sums, Math.sqrt);
}

/** For each unit of A, its partner in B under the greedy one-to-one matching by decreasing correlation. */
export function greedyMatching(c: Float64Array, n: number): Int32Array {
  const order = Array.from({ length: n * n }, (_, k) => k).sort((x, y) => c[y]! - c[x]! || x - y);
  const partner = new Int32Array(n).fill(-1);
  const taken = new Uint8Array(n);
  let left = n;
  for (const k of order) {
    const i = Math.floor(k / n);
    const j = k % n;
    if (partner[i] !== -1 || taken[j]) continue;
    partner[i] = j;
    taken[j] = 1;
    if (--left === 0) break;
  }
  return partner;
}

interface RoleSums {
  units: number;
  sameIndex: number;
  bestMatch: number;
  selfMatched: number;
  matched: number;
  matchedSelf: number;
  deadA: number;
  deadB: number;
}

function noRoles(): RoleSums {
  return { units: 0, sameIndex: 0, bestMatch: 0, selfMatched: 0, matched: 0, matchedSelf: 0, deadA: 0, deadB: 0 };
}

function layerRoles(a: Representation, b: Representation): RoleSums {
  const { c, deadA, deadB } = unitCorrelations(a, b);
  const n = a.units;
  const partner = greedyMatching(c, n);
  const sums = noRoles();
  for (let i = 0; i < n; i++) {
    if (deadB[i]) sums.deadB++;
    if (deadA[i]) {
      sums.deadA++;
      continue;
    }
    const row = c.subarray(i * n, (i + 1) * n);
    const best = Math.max(...row);
    sums.units++;
    sums.sameIndex += row[i]!;
    sums.bestMatch += best;
    if (row[i]! >= best) sums.selfMatched++;
    sums.matched += row[partner[i]!]!;
    if (partner[i] === i) sums.matchedSelf++;
  }
  return sums;
}

function roleMetrics(s: RoleSums): { [name: string]: number } {
  const metrics: { [name: string]: number } = {};
  if (s.units > 0) {
    metrics.same_index = s.sameIndex / s.units;
    metrics.best_match = s.bestMatch / s.units;
    metrics.self_matched = s.selfMatched / s.units;
    metrics.matched = s.matched / s.units;
    metrics.matched_self = s.matchedSelf / s.units;
  }
  return { ...metrics, units: s.units, dead_a: s.deadA, dead_b: s.deadB };
}

export function unitRolesProbe(pair: RepresentationPair): ProbeResult {
  const total = noRoles();
  const layers: { [layer: string]: { [name: string]: number } } = {};
  for (const layer of pair.layers) {
    const sums = layerRoles(pair.a.get(layer)!, pair.b.get(layer)!);
    layers[layer] = roleMetrics(sums);
    for (const key of Object.keys(total) as (keyof RoleSums)[]) total[key] += sums[key];
  }
  return { kind: 'probe', metrics: { ...roleMetrics(total), samples: pair.samples }, layers };
}

export const unitRolesModule = defineRepresentationProbe({
  name: 'unit_roles',
  summary: 'Per hidden unit, its correlation with the same unit of another net of one architecture and with its best match there (Li et al. 2016): do units keep their roles? Metrics: same_index, best_match, self_matched, matched.',
  version: 1,
  compare: unitRolesProbe,
  reporting: {
    metrics: ['same_index', 'best_match', 'self_matched', 'matched', 'matched_self', 'units', 'dead_a', 'dead_b', 'samples'],
    figures: [{
      kind: 'pair-heatmap',
      metric: 'same_index',
      title: 'Unit roles',
      legend: 'same index',
      pair: { subjects: ['a', 'b'], symbol: '~' },
      caption: 'Mean correlation of each hidden unit of A with the same unit of B, per hidden layer and over all of them: near 1, the units kept their roles.',
      baseline: {
        metric: 'best_match',
        label: 'best match',
        caption: 'Each unit\'s correlation with its best match anywhere in B: a same-index correlation well below it means the roles exist but moved to other units.',
      },
    }, {
      kind: 'trajectory',
      metrics: ['same_index', 'best_match'],
      caption: 'Mean correlation of each hidden unit of A with the same unit of B (did it keep its role?) and with its best match in B (does the role exist elsewhere?).',
    }],
  },
});
