// The report's figures: which plots a program's probes get, what data each carries, and what its
// caption says. Pure: rows are written out here as `ltx results --json` would give them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResultRow } from '../../cli/probe-results.ts';
import { figuresFor, type Figure, type ProbeResults } from '../../cli/report/figures.ts';
import { createLibrary } from '../../core/library.ts';
import { standardLibrary, standardModules } from '../../stdlib/library.ts';

function row(index: ResultRow['index'], metrics: ResultRow['metrics'], extra: Partial<ResultRow> = {}): ResultRow {
  return {
    name: 'p', index, subject: extra.subject ?? 'x', subjects: extra.subjects ?? { x: 'x' }, metrics, status: 'done',
    computed: { backend: 'wasm', seconds: 2, finishedAt: '2026-12-04T00:00:00Z' }, ...extra,
  };
}

const pending = (index: ResultRow['index']): ResultRow => ({ name: 'p', index, subject: 'x', subjects: { x: 'x' }, metrics: {}, status: 'pending' });

function probe(name: string, op: string, rows: ResultRow[]): ProbeResults {
  return { name, op, declarations: [`probe ${name} = ${op}(...)`], rows };
}

/** The figures the standard library's probes declare. */
function standardFigures(probes: ProbeResults[]): Figure[] {
  return figuresFor(probes, standardLibrary);
}

type Values = Record<string, unknown>[];
interface SpecPart { data?: { values: Values }; layer?: SpecPart[]; vconcat?: SpecPart[] }

/** The inline data of a figure's spec: at its top, or in its layers and stacked views. */
function valuesOf(figure: Figure): Values {
  const collect = (part: SpecPart): Values =>
    part.data ? part.data.values : [...(part.layer ?? []), ...(part.vconcat ?? [])].flatMap(collect);
  return collect(figure.spec as SpecPart);
}

const lottery = probe('acc', 'accuracy', [0, 1, 2, 3].map((level) => row({ level }, { accuracy: 0.9 - 0.01 * level, remaining: 0.5 ** level })));
const reinit = probe('reinit_acc', 'accuracy', [1, 2, 3].map((level) => row({ level }, { accuracy: 0.8 - 0.05 * level, remaining: 0.5 ** level })));

test('accuracy against weights remaining: one series per accuracy probe, x on a reversed log scale', () => {
  const figures = standardFigures([lottery, reinit]);
  const curve = figures.find((f) => f.id === 'accuracy-vs-remaining');
  assert.ok(curve, 'the ticket curve is drawn');
  const data = valuesOf(curve);
  assert.equal(data.length, 7);
  assert.deepEqual(new Set(data.map((d) => d['probe'])), new Set(['acc', 'reinit_acc']));
  const x = (curve.spec as { layer: { encoding: { x: { scale: { type: string; reverse: boolean } } } }[] }).layer[0]!.encoding.x;
  assert.equal(x.scale.type, 'log');
  assert.equal(x.scale.reverse, true);
  assert.match(curve.caption, /Series: acc, reinit_acc/);
  assert.match(curve.caption, /`probe acc = accuracy\(\.\.\.\)`/);
  assert.match(curve.caption, /7 of 7 rows computed on wasm/);
});

test('accuracy of dense weights only (nothing pruned) draws no ticket curve', () => {
  const dense = probe('acc', 'accuracy', [row({}, { accuracy: 0.9, remaining: 1 }), row({ seed: 1 }, { accuracy: 0.91, remaining: 1 })]);
  assert.equal(standardFigures([dense]).find((f) => f.id === 'accuracy-vs-remaining'), undefined);
});

test('pending rows are left out of a plot and counted in its caption', () => {
  const partial = probe('acc', 'accuracy', [...lottery.rows.slice(0, 2), pending({ level: 2 }), pending({ level: 3 })]);
  const curve = standardFigures([partial]).find((f) => f.id === 'accuracy-vs-remaining')!;
  assert.equal(valuesOf(curve).length, 2);
  assert.match(curve.caption, /2 of 4 rows computed \(2 pending/);
});

test('loss probes get their own curve against weights remaining', () => {
  const losses = probe('loss_by_level', 'loss', [0, 1].map((level) => row({ level }, { loss: 1 + level, remaining: 0.7 ** level })));
  const ids = standardFigures([losses]).map((f) => f.id);
  assert.ok(ids.includes('loss-vs-remaining'));
  assert.ok(!ids.includes('trajectory-loss_by_level'), 'levels of a lottery are shown against sparsity, not level');
});

test('instability: the mean error path and each pair along α, barriers in the caption', () => {
  const alpha = [0, 0.5, 1];
  const lmc = probe('lmc', 'instability', [row({}, { barrier: 0.125 }, {
    subject: 'dense @ 10 steps',
    series: { alpha, error: [0.1, 0.25, 0.15], error_pairs: [[0.1, 0.2, 0.1], [0.1, 0.3, 0.2]] },
  })]);
  const figure = standardFigures([lmc]).find((f) => f.id === 'interpolation-path')!;
  const data = valuesOf(figure);
  assert.equal(data.filter((d) => d['curve'] === 'mean').length, 3);
  assert.equal(data.filter((d) => d['curve'] === 'pair 1').length, 3);
  assert.deepEqual(data.filter((d) => d['curve'] === 'mean').map((d) => d['value']), [0.1, 0.25, 0.15]);
  assert.match(figure.caption, /Bold: the mean over pairs of copies; thin: each pair/);
  assert.match(figure.caption, /in points of test error\): lmc: dense @ 10 steps: 12\.5\./);
});

type Layer = { mark: { type: string; filled?: boolean }; encoding: Record<string, { field?: string; legend?: unknown; scale?: { domain?: [number, number]; zero?: boolean }; axis?: { format?: string } }> };
const layersOf = (figure: Figure): Layer[] => (figure.spec as { layer: Layer[] }).layer;

test('instability: a legend names each line by its probe and the checkpoint it measured', () => {
  const path = (subject: string, error: number[]) => row({}, { barrier: 0.01 }, { subject, series: { alpha: [0, 0.5, 1], error, error_pairs: [error] } });
  const figure = standardFigures([probe('lmc', 'instability', [path('ticket[1]', [0.1, 0.11, 0.1]), path('ticket[2]', [0.12, 0.12, 0.12])])])
    .find((f) => f.id === 'interpolation-path')!;
  assert.deepEqual([...new Set(valuesOf(figure).map((d) => d['series']))], ['lmc: ticket[1]', 'lmc: ticket[2]']);
  const layers = layersOf(figure);
  assert.equal(layers.length, 1, 'one pair per row: the line is that pair, drawn once');
  assert.equal(layers[0]!.encoding['color']!.field, 'series');
  assert.notEqual(layers[0]!.encoding['color']!.legend, null);
  assert.equal(layers[0]!.encoding['strokeDash']!.field, 'series', 'lines that coincide stay visible');
});

test('instability: the y range spans at least two points of error around the paths, so half a point of barrier shows', () => {
  const flat = probe('lmc', 'instability', [row({}, { barrier: 0.005 }, { series: { alpha: [0, 0.5, 1], error: [0.1, 0.105, 0.1] } })]);
  const y = layersOf(standardFigures([flat]).find((f) => f.id === 'interpolation-path')!)[0]!.encoding['y']!;
  const [lo, hi] = y.scale!.domain!;
  assert.ok(lo <= 0.1 && hi >= 0.105, `${lo}..${hi} holds the path`);
  assert.ok(hi - lo >= 0.02 && hi - lo <= 0.03, `${lo}..${hi}: two points and a margin`);
  assert.equal(y.axis!.format, '.1%');
  const broad = probe('lmc', 'instability', [row({}, { barrier: 0.4 }, { series: { alpha: [0, 0.5, 1], error: [0.05, 0.45, 0.05] } })]);
  const [broadLo, broadHi] = layersOf(standardFigures([broad]).find((f) => f.id === 'interpolation-path')!)[0]!.encoding['y']!.scale!.domain!;
  assert.ok(broadLo >= 0 && broadLo <= 0.05 && broadHi >= 0.45, `${broadLo}..${broadHi}`);
});

test('instability: the caption writes the path the way the axis reads it, α = 0 at copy 1', () => {
  const lmc = probe('lmc', 'instability', [row({}, { barrier: 0 }, { series: { alpha: [0, 1], error: [0.1, 0.1] } })]);
  const figure = standardFigures([lmc]).find((f) => f.id === 'interpolation-path')!;
  assert.match(figure.caption, /evaluated at \(1−α\)W1 \+ αW2 \(α = 0 is copy 1, α = 1 copy 2\)/);
  assert.equal((layersOf(figure)[0]!.encoding['x'] as { title?: string }).title, 'α (0: copy 1, 1: copy 2)');
});

test('llc over steps of several seeds: a line per seed, not one line through all of them; a traces panel per row', () => {
  const rows = [0, 1].flatMap((seed) => [0, 96].map((step) => row({ seed, step }, {
    llc_mean: 10 + seed * 5 + step / 96, llc_std: 1, llc_chain_0: 9, llc_chain_1: 11, epsilon: 1e-3, gamma: 100, nbeta: 15.4, init_loss: 0.3,
  }, { series: { loss_trace: [[0.31, 0.32], [0.3, 0.31]] } })));
  const figures = standardFigures([probe('lc', 'llc', rows)]);
  const llc = figures.find((f) => f.id === 'llc-lc')!;
  const estimate = (llc.spec as { vconcat: { layer: Layer[] }[] }).vconcat[0]!.layer;
  const line = estimate.find((l) => JSON.stringify(l.mark).includes('"line"'))!;
  assert.deepEqual(line.encoding['strokeDash'], { field: 'group', type: 'nominal', title: 'rows' });
  assert.deepEqual(new Set(valuesOf(llc).filter((d) => 'low' in d).map((d) => d['group'])), new Set(['seed=0', 'seed=1']));
  assert.match(llc.caption, /A line per value of the other coordinates \(seed=0; seed=1\)/);
  const traces = figures.find((f) => f.id === 'llc-traces-lc')!;
  assert.deepEqual(new Set(valuesOf(traces).map((d) => d['panel'])), new Set(['0 (seed=0)', '96 (seed=0)', '0 (seed=1)', '96 (seed=1)']));
});

test('llc over steps: mean ± std, each chain, and the chains\' loss traces one panel per step', () => {
  const rows = [0, 96].map((step) => row({ step }, {
    llc_mean: 10 + step / 96, llc_std: 1, llc_chain_0: 9 + step / 96, llc_chain_1: 11 + step / 96, epsilon: 1e-3, gamma: 100, nbeta: 15.4, init_loss: 0.3,
  }, { series: { loss_trace: [[0.31, 0.32, 0.33], [0.3, 0.31, 0.32]] } }));
  const figures = standardFigures([probe('lc', 'llc', rows)]);
  const llc = figures.find((f) => f.id === 'llc-lc')!;
  const data = valuesOf(llc);
  assert.equal(data.filter((d) => 'chain' in d).length, 4, 'two chains at two steps');
  const summary = new Set(data.filter((d) => 'low' in d).map((d) => JSON.stringify([d['at'], d['low'], d['high']])));
  assert.deepEqual([...summary], ['[0,9,11]', '[96,10,12]']);
  assert.match(llc.caption, /ε = 0\.001, γ = 100, nβ = 15\.4/);
  assert.match(llc.caption, /below, the loss L\(w\*\)/);
  const traces = figures.find((f) => f.id === 'llc-traces-lc')!;
  assert.equal(valuesOf(traces).length, 2 * 2 * 3);
  assert.deepEqual(new Set(valuesOf(traces).map((d) => d['panel'])), new Set(['0', '96']));
});

test('mask overlap: a heatmap cell per pair of masks and layer, with the total', () => {
  const overlap = probe('same_init', 'mask_overlap', [0, 1].map((seed) => row({ seed }, { jaccard: 0.3 + seed / 10, baseline: 0.1 }, {
    subjects: { a: `ticket[${seed}][4]`, b: `other[${seed}][4]` },
    layers: { layer1: { jaccard: 0.2, baseline: 0.1 }, layer2: { jaccard: 0.5, baseline: 0.2 } },
  })));
  const figure = standardFigures([overlap]).find((f) => f.id === 'mask-overlap')!;
  const data = valuesOf(figure);
  assert.equal(data.length, 2 * 3);
  assert.deepEqual(new Set(data.map((d) => d['pair'])), new Set(['ticket[0][4] ∧ other[0][4]', 'ticket[1][4] ∧ other[1][4]']));
  assert.deepEqual(data.filter((d) => d['layer'] === 'total').map((d) => d['jaccard']), [0.3, 0.4]);
  assert.match(figure.caption, /d \/ \(2 − d\)/);
});

test('a probe along `@ every` is drawn over its steps; kernel distance among them', () => {
  const kernel = probe('kernel', 'kernel_distance', [0, 96, 192].map((step) => row({ step }, { distance: step / 1000 })));
  const tangent = probe('tangent', 'linearization', [0, 96].map((step) => row({ step }, { rmse: step / 100, agreement: 1 - step / 1000 })));
  const figures = standardFigures([kernel, tangent]);
  const k = figures.find((f) => f.id === 'trajectory-kernel')!;
  assert.deepEqual(valuesOf(k).map((d) => [d['at'], d['value']]), [[0, 0], [96, 0.096], [192, 0.192]]);
  assert.match(k.title, /distance over step/);
  const t = figures.find((f) => f.id === 'trajectory-tangent')!;
  assert.deepEqual(new Set(valuesOf(t).map((d) => d['metric'])), new Set(['rmse', 'agreement']));
});

test('rows that differ only by seed get no line over seeds', () => {
  const bySeed = probe('reinit_acc', 'accuracy', [0, 1, 2].map((seed) => row({ seed }, { accuracy: 0.9 + seed / 100, remaining: 0.1 })));
  assert.deepEqual(standardFigures([bySeed]).map((f) => f.id), []);
});

test('a probe with a single row gets no trajectory', () => {
  const single = probe('ticket_tangent', 'linearization', [row({}, { rmse: 0.1, agreement: 0.9 })]);
  assert.deepEqual(standardFigures([single]).map((f) => f.id), []);
});

test('figure ids are unique within a report', () => {
  const kernel = probe('kernel', 'kernel_distance', [0, 96].map((step) => row({ step }, { distance: step })));
  const ids = standardFigures([lottery, reinit, kernel, probe('lc', 'llc', [row({ step: 0 }, { llc_mean: 1, llc_std: 0 })])]).map((f) => f.id);
  assert.equal(new Set(ids).size, ids.length);
});

test('shared figures follow the library\'s order of ops: the accuracy curve before the loss curve, whichever the program declares first', () => {
  const losses = probe('loss_by_level', 'loss', [0, 1].map((level) => row({ level }, { loss: 1 + level, remaining: 0.7 ** level })));
  assert.deepEqual(standardFigures([losses, lottery]).map((f) => f.id), ['accuracy-vs-remaining', 'loss-vs-remaining']);
});

test('what is drawn is what the op\'s module declares: the same rows under a module that declares no figure draw nothing', () => {
  const accuracy = standardLibrary.op('accuracy')!;
  const silent = createLibrary([...standardModules.filter((m) => m !== accuracy), { ...accuracy, reporting: { metrics: ['accuracy'], figures: [] } }]);
  assert.deepEqual(figuresFor([lottery, reinit], silent), []);
  assert.deepEqual(standardFigures([lottery, reinit]).map((f) => f.id), ['accuracy-vs-remaining']);
});

const bySeed = (name: string, accuracyAt: (seed: number, level: number) => number) =>
  probe(name, 'accuracy', [0, 1, 2].flatMap((seed) => [0, 1, 2].map((level) => row({ seed, level }, { accuracy: accuracyAt(seed, level), remaining: 0.5 ** level }))));

test('ticket curve over seeds: points shaped by seed with the seeds in the legend, the mean over seeds drawn with its 95% band', () => {
  const curve = standardFigures([bySeed('acc', (seed, level) => 0.9 - 0.01 * level + 0.01 * seed)]).find((f) => f.id === 'accuracy-vs-remaining')!;
  const layers = layersOf(curve) as (Layer & { data?: { values: Values }; encoding: Record<string, { field?: string; title?: string }> })[];
  const points = layers.find((l) => l.mark.type === 'point')!;
  assert.equal(points.encoding['shape']!.field, 'seed');
  assert.equal(points.encoding['shape']!.title, 'seed');
  assert.deepEqual(new Set(valuesOf(curve).map((d) => d['seed'])), new Set(['0', '1', '2']));
  const band = layers.find((l) => l.mark.type === 'area')!;
  assert.deepEqual([band.encoding['y']!.field, band.encoding['y2']!.field], ['low', 'high']);
  const level1 = band.data!.values.find((d) => d['remaining'] === 0.5)!;
  // accuracies 0.89, 0.90, 0.91: mean 0.90, std 0.01, interval ± 4.303 · 0.01 / √3
  assert.ok(Math.abs((level1['mean'] as number) - 0.9) < 1e-12);
  assert.ok(Math.abs((level1['high'] as number) - (0.9 + 4.302653 * 0.01 / Math.sqrt(3))) < 1e-6);
  assert.equal(layers.find((l) => l.mark.type === 'line')!.encoding['y']!.field, 'mean');
  assert.match(curve.caption, /shaped by its seed \(3 seeds\); the line is the mean over seeds and the band its 95% interval/);
});

test('a ticket curve hidden under another stays visible: each series dashed its own way, and the caption names the two that coincide', () => {
  const same = (name: string) => probe(name, 'accuracy', [1, 2, 3].map((level) => row({ level }, { accuracy: 0.8 - 0.05 * level, remaining: 0.5 ** level })));
  const curve = standardFigures([lottery, same('reinit_acc'), same('shuffled_acc')]).find((f) => f.id === 'accuracy-vs-remaining')!;
  const line = layersOf(curve).find((l) => l.mark.type === 'line')!;
  assert.equal(line.encoding['strokeDash']!.field, 'probe');
  assert.equal(line.encoding['color']!.field, 'probe');
  assert.match(curve.caption, /reinit_acc and shuffled_acc coincide: their lines lie on each other, told apart by their dashes/);
  assert.doesNotMatch(standardFigures([lottery, reinit]).find((f) => f.id === 'accuracy-vs-remaining')!.caption, /coincide/);
});

type FacetSpec = { facet: unknown; spec: { layer?: Layer[]; encoding?: Layer['encoding'] } };

test('a trajectory over seeds: a thin line and points shaped by seed for each, the mean over seeds bold with its 95% band', () => {
  const kernel = probe('kernel', 'kernel_distance', [0, 1, 2].flatMap((seed) => [0, 96].map((step) => row({ seed, step }, { distance: step / 100 + seed / 10 }))));
  const figure = standardFigures([kernel]).find((f) => f.id === 'trajectory-kernel')!;
  const layers = (figure.spec as unknown as FacetSpec).spec.layer!;
  assert.deepEqual(layers.map((l) => l.mark.type), ['area', 'line', 'line', 'point']);
  assert.equal(layers[3]!.encoding['shape']!.field, 'seed');
  assert.equal(layers[1]!.encoding['y']!.field, 'mean');
  const means = valuesOf(figure).filter((d) => d['kind'] === 'mean');
  assert.deepEqual(means.map((d) => [d['at'], Number((d['mean'] as number).toFixed(12))]), [[0, 0.1], [96, 1.06]]);
  assert.equal(valuesOf(figure).filter((d) => d['kind'] === 'row').length, 6);
  assert.match(figure.caption, /each seed \(3 seeds, shaped by seed\); bold: the mean over seeds, the band its 95% interval/);
});

test('trajectories without seeds: each series its own dash pattern, so one drawn on another shows; the caption says which coincide', () => {
  const tangent = probe('tangent', 'linearization', [0.1, 0.2].flatMap((lr) => [0, 96].map((step) => row({ lr, step }, { rmse: step / 100, agreement: 1 }))));
  const figure = standardFigures([tangent]).find((f) => f.id === 'trajectory-tangent')!;
  const encoding = (figure.spec as unknown as FacetSpec).spec.encoding!;
  assert.equal(encoding['strokeDash']!.field, 'group');
  assert.equal(encoding['color']!.field, 'group');
  assert.match(figure.caption, /lr=0\.1 and lr=0\.2 coincide/);
});
