// The report's standard plots as Vega-Lite specs, each with a caption saying what was run. Pure: the
// probes' results in, figures out (rendering is render.ts's job). Which figures a program gets depends on
// its probes: accuracy/loss against weights remaining (the ticket curve, with every control that is an
// accuracy/loss probe), the error along the linear interpolation path (instability), LLC and the SGLD
// loss traces (llc), a mask-overlap heatmap (mask_overlap), and every other probe measured along a
// coordinate (steps of `RUN @ every N`, levels of a lottery) as a line over that coordinate.
import type { TopLevelSpec } from 'vega-lite';
import type { ResultRow } from '../probe-results.ts';
import { plural } from '../terminal.ts';

export interface ProbeResults {
  name: string;
  op: string;
  /** The declarations the rows come from, as written. */
  declarations: string[];
  rows: ResultRow[];
}

export interface Figure {
  /** Unique within a report, usable in file names and HTML ids. */
  id: string;
  title: string;
  caption: string;
  spec: TopLevelSpec;
}

type Datum = Record<string, string | number>;

const WIDTH = 560;
const HEIGHT = 300;
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/** A legend of lines that shows each one's colour and dash pattern. */
const LINE_LEGEND = { symbolType: 'stroke', symbolStrokeWidth: 2, symbolSize: 400 };

/** The metrics a probe is plotted by along a coordinate, by op (the first one is the main one). */
const TRAJECTORY_METRICS: Record<string, string[]> = {
  accuracy: ['accuracy'],
  loss: ['loss'],
  kernel_distance: ['distance'],
  linearization: ['rmse', 'agreement'],
  mask_distance: ['hamming'],
  weight_distance: ['relative'],
};

/**
 * Coordinates a trajectory is drawn over, in order of preference: the ordered ones of training.
 * Others (seed, a loop over learning rates) are series, never an axis: a line over seeds means nothing.
 */
const AXIS_PREFERENCE = ['step', 'level'];

export function figuresFor(probes: ProbeResults[]): Figure[] {
  const figures: Figure[] = [];
  for (const metric of ['accuracy', 'loss'] as const) {
    const figure = ticketCurve(probes.filter((p) => p.op === metric), metric);
    if (figure) figures.push(figure);
  }
  const interpolation = interpolationPath(probes.filter((p) => p.op === 'instability'));
  if (interpolation) figures.push(interpolation);
  for (const probe of probes.filter((p) => p.op === 'llc')) figures.push(...llcFigures(probe));
  const overlap = overlapHeatmap(probes.filter((p) => p.op === 'mask_overlap'));
  if (overlap) figures.push(overlap);
  for (const probe of probes) {
    const figure = trajectory(probe);
    if (figure) figures.push(figure);
  }
  return figures;
}

// ---- helpers -----------------------------------------------------------------------------------

function done(rows: ResultRow[]): ResultRow[] {
  return rows.filter((r) => r.status === 'done');
}

/** "3 of 5 rows computed (1 pending, 1 failed)" and where: "on wasm, 41 s of computing". */
function provenance(rows: ResultRow[]): string {
  const computed = done(rows);
  const failed = rows.filter((r) => r.status === 'failed').length;
  const pending = rows.length - computed.length - failed;
  const backends = [...new Set(computed.map((r) => r.computed?.backend).filter((b): b is string => b !== undefined))];
  const seconds = computed.reduce((sum, r) => sum + (r.computed?.seconds ?? 0), 0);
  const where = backends.length > 0 ? ` on ${backends.join(', ')}` : '';
  const missing = [
    ...(pending > 0 ? [`${pending} pending: \`ltx run\` computes them`] : []),
    ...(failed > 0 ? [`${failed} failed: the table says why`] : []),
  ];
  const count = `${computed.length} of ${plural(rows.length, 'row')} computed${missing.length > 0 ? ` (${missing.join('; ')})` : ''}`;
  return `${count}${where}; the probes themselves took ${formatSeconds(seconds)}.`;
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

function declared(probes: ProbeResults[]): string {
  return probes.map((p) => p.declarations.map((d) => `\`${d}\``).join(', ')).join('; ');
}

/** The row's coordinates other than `except`, as "seed=1, level=3" (empty if none). */
function coordinatesLabel(row: ResultRow, except: string[] = []): string {
  return Object.entries(row.index)
    .filter(([k]) => !except.includes(k))
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** The training coordinate (step, else level) whose values differ among the rows. */
function varyingCoordinate(rows: ResultRow[]): string | undefined {
  const varies = (key: string) => new Set(rows.map((r) => String(r.index[key] ?? ''))).size > 1;
  const numeric = (key: string) => rows.every((r) => typeof r.index[key] === 'number');
  return AXIS_PREFERENCE.find((k) => varies(k) && numeric(k));
}

function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '') || 'figure';
}

// ---- the ticket curve --------------------------------------------------------------------------

/**
 * Accuracy (or loss) against the share of weights remaining, one series per probe: the lottery's levels
 * and each control. Points are rows (several per x when seeds repeat: their shape tells the seeds
 * apart); the line joins their means. Series can coincide (a control equal to the lottery, one seed of
 * a sweep equal to another probe): each has its own dash pattern and hollow points, so one never hides
 * another.
 */
function ticketCurve(probes: ProbeResults[], metric: 'accuracy' | 'loss'): Figure | undefined {
  const data: Datum[] = [];
  for (const probe of probes) {
    for (const row of done(probe.rows)) {
      const value = row.metrics[metric];
      const remaining = row.metrics['remaining'];
      if (value === undefined || remaining === undefined) continue;
      // The level is where the point stands; the other coordinates (seed, ...) say which row it is.
      const replicate = coordinatesLabel(row, ['level']) || '—';
      data.push({ probe: probe.name, remaining, [metric]: value, subject: row.subject, replicate, coordinates: coordinatesLabel(row) });
    }
  }
  // Without pruning there is no curve: every row would stand at 100%.
  if (new Set(data.map((d) => d['remaining'])).size < 2) return undefined;
  const replicates = data.some((d) => d['replicate'] !== '—');
  const label = metric === 'accuracy' ? 'accuracy' : 'loss';
  const x = {
    field: 'remaining', type: 'quantitative' as const, title: 'prunable weights remaining (log scale)',
    scale: { type: 'log' as const, reverse: true, nice: false }, axis: { format: '.1~%' },
  };
  const y = { field: metric, type: 'quantitative' as const, title: label, scale: { zero: false } };
  const series = { field: 'probe', type: 'nominal' as const, title: 'probe', legend: LINE_LEGEND };
  const shape = replicates ? { field: 'replicate', type: 'nominal' as const, title: 'row' } : series;
  const spec: TopLevelSpec = {
    $schema: SCHEMA, width: WIDTH, height: HEIGHT,
    data: { values: data },
    layer: [
      {
        mark: { type: 'line', point: false, strokeWidth: 2 },
        encoding: { x, y: { ...y, aggregate: 'mean' }, color: series, strokeDash: series },
      },
      {
        mark: { type: 'point', filled: false, size: 70, strokeWidth: 1.5 },
        encoding: {
          x, y, color: series, shape,
          tooltip: [{ field: 'probe' }, { field: 'subject' }, { field: 'coordinates' }, { field: 'remaining', format: '.2%' }, { field: metric, format: '.4f' }],
        },
      },
    ],
  };
  const names = probes.filter((p) => data.some((d) => d['probe'] === p.name)).map((p) => p.name);
  const split = metric === 'accuracy' ? 'Top-1 accuracy' : 'Mean loss';
  return {
    id: `${metric}-vs-remaining`,
    title: `${metric === 'accuracy' ? 'Accuracy' : 'Loss'} against weights remaining`,
    caption:
      `${split} of each probe's weights against the share of prunable weights their mask keeps (log scale; ` +
      `sparser to the right). Series: ${names.join(', ')}, each with its own colour and dash pattern; a point per row` +
      `${replicates ? ' (its shape: the row\'s other coordinates, e.g. the seed)' : ''}, the line through the mean where ` +
      `rows share a sparsity (seeds). A winning ticket stays at the dense accuracy while its controls fall off. ` +
      `Declared as ${declared(probes)}. ${provenance(probes.flatMap((p) => p.rows))}`,
    spec,
  };
}

// ---- linear mode connectivity ------------------------------------------------------------------

/**
 * Error (loss for regression) along (1−α)W1 + αW2, a line per row named by its probe and what it
 * measured (the checkpoint, the level), thin lines per pair of copies where there are several pairs.
 * The y range fits the paths but spans at least two points of error, so that a barrier of half a point
 * stands out and a flat path looks flat.
 */
function interpolationPath(probes: ProbeResults[]): Figure | undefined {
  const data: Datum[] = [];
  let quantity: 'error' | 'loss' = 'error';
  const barriers: { series: string; barrier: number }[] = [];
  let severalPairs = false;
  for (const probe of probes) {
    for (const row of done(probe.rows)) {
      const alpha = row.series?.['alpha'] as number[] | undefined;
      if (alpha === undefined) continue;
      const mean = (row.series?.['error'] ?? row.series?.['loss']) as number[] | undefined;
      if (row.series?.['error'] === undefined) quantity = 'loss';
      const pairs = (row.series?.['error_pairs'] ?? row.series?.['loss_pairs']) as number[][] | undefined;
      severalPairs ||= (pairs?.length ?? 0) > 1;
      const series = `${probe.name}: ${row.subject}`;
      alpha.forEach((a, k) => {
        if (mean) data.push({ series, alpha: a, value: mean[k]!, curve: 'mean', subject: row.subject });
        if (pairs && pairs.length > 1) pairs.forEach((path, p) => data.push({ series, alpha: a, value: path[k]!, curve: `pair ${p}`, subject: row.subject }));
      });
      const barrier = row.metrics['barrier'];
      if (barrier !== undefined) barriers.push({ series, barrier });
    }
  }
  if (data.length === 0) return undefined;
  const percent = quantity === 'error';
  const x = { field: 'alpha', type: 'quantitative' as const, title: 'α (0: copy 1, 1: copy 2)' };
  const y = {
    field: 'value', type: 'quantitative' as const, title: `test ${quantity}`,
    scale: { domain: pathDomain(data.map((d) => d['value'] as number), percent), nice: false, clamp: true },
    ...(percent ? { axis: { format: '.1%' } } : {}),
  };
  const color = { field: 'series', type: 'nominal' as const, title: 'probe: checkpoint', legend: { ...LINE_LEGEND, orient: 'bottom' as const, direction: 'vertical' as const, labelLimit: 520 } };
  const mean = {
    transform: [{ filter: "datum.curve === 'mean'" }],
    mark: { type: 'line' as const, strokeWidth: 2.5, point: true },
    encoding: { x, y, color, strokeDash: color, tooltip: [{ field: 'series' }, { field: 'alpha' }, { field: 'value', format: '.4f' }] },
  };
  const spec: TopLevelSpec = {
    $schema: SCHEMA, width: WIDTH, height: HEIGHT,
    data: { values: data },
    layer: severalPairs
      ? [{
          transform: [{ filter: "datum.curve !== 'mean'" }],
          mark: { type: 'line', strokeWidth: 1, opacity: 0.35 },
          encoding: { x, y, color, detail: { field: 'curve' } },
        }, mean]
      : [mean],
  };
  const unit = percent ? 'points of test error' : 'of test loss';
  return {
    id: 'interpolation-path',
    title: `${quantity === 'error' ? 'Error' : 'Loss'} along the linear interpolation path`,
    caption:
      `Linear mode connectivity (Frankle et al. 2020): copies trained from the same checkpoint with different ` +
      `data orders, evaluated at (1−α)W1 + αW2 (α = 0 is copy 1, α = 1 copy 2). ` +
      (severalPairs ? 'Bold: the mean over pairs of copies; thin: each pair. ' : 'Each line is the one pair of copies of its row. ') +
      `A flat path (barrier ≈ 0) means the checkpoint is stable to SGD noise; the y axis spans at least two points ` +
      `of error, so a barrier of half a point shows. Barriers (the highest ${quantity} along the path above the mean of ` +
      `its ends, in ${unit}): ${barriers.map((b) => `${b.series}: ${percent ? formatNumber(100 * b.barrier) : formatNumber(b.barrier)}`).join('; ')}. ` +
      `Declared as ${declared(probes)}. ${provenance(probes.flatMap((p) => p.rows))}`,
    spec,
  };
}

/**
 * The y range of interpolation paths: the values with a margin, at least two points of error wide (2% of
 * the values' size for a loss), so half a point of barrier is a quarter of the plot and noise stays flat.
 */
function pathDomain(values: number[], error: boolean): [number, number] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const middle = (lo + hi) / 2;
  const span = Math.max(hi - lo, error ? 0.02 : 0.02 * Math.max(Math.abs(middle), 1e-9)) * 1.2;
  const domain: [number, number] = [middle - span / 2, middle + span / 2];
  if (!error) return domain;
  // An error rate lives in [0, 1]: shift the window inside rather than show impossible values.
  const shift = domain[0] < 0 ? -domain[0] : domain[1] > 1 ? 1 - domain[1] : 0;
  return [Math.max(0, domain[0] + shift), Math.min(1, domain[1] + shift)];
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(Math.abs(value) >= 100 ? 4 : 3)));
}

// ---- local learning coefficient ----------------------------------------------------------------

/**
 * LLC with ±1 std over chains as an error bar (also for a single row) and each chain's estimate (hollow,
 * a shape per chain, so chains that agree stay visible) over the varying coordinate, one black line per
 * value of the other coordinates (seeds: told apart by their dash pattern); the chains' loss traces.
 */
function llcFigures(probe: ProbeResults): Figure[] {
  const rows = done(probe.rows);
  if (rows.length === 0) return [];
  const axis = varyingCoordinate(probe.rows);
  const position = (row: ResultRow): string | number => (axis === undefined ? row.subject : row.index[axis]!);
  const estimates: Datum[] = [];
  const summary: Datum[] = [];
  for (const row of rows) {
    const mean = row.metrics['llc_mean'];
    if (mean === undefined) continue;
    const std = row.metrics['llc_std'] ?? 0;
    const group = axis === undefined ? '' : coordinatesLabel(row, [axis]);
    summary.push({ at: position(row), group, llc: mean, low: mean - std, high: mean + std, subject: row.subject, loss: row.metrics['init_loss'] ?? NaN });
    for (const [name, value] of Object.entries(row.metrics)) {
      const chain = /^llc_chain_(\d+)$/.exec(name);
      if (chain) estimates.push({ at: position(row), llc: value, chain: `chain ${chain[1]}` });
    }
  }
  const x = axis === undefined
    ? { field: 'at', type: 'nominal' as const, title: 'weights', axis: { labelAngle: 0 } }
    : { field: 'at', type: 'quantitative' as const, title: axis, axis: { tickMinStep: 1 } };
  const groups = new Set(summary.map((d) => d['group'])).size;
  const settings = rows[0]!.metrics;
  const setting = `ε = ${formatNumber(settings['epsilon'] ?? NaN)}, γ = ${formatNumber(settings['gamma'] ?? NaN)}, nβ = ${formatNumber(settings['nbeta'] ?? NaN)}`;
  const llc = { field: 'llc', type: 'quantitative' as const, title: 'local learning coefficient λ̂' };
  const chain = { field: 'chain', type: 'nominal' as const, title: 'chain' };
  const llcLayers = {
    width: axis === undefined ? Math.min(WIDTH, 160 * summary.length) : WIDTH, height: HEIGHT,
    layer: [
      {
        data: { values: summary },
        mark: { type: 'rule' as const, color: 'black' },
        encoding: { x, y: { field: 'low', type: 'quantitative' as const, title: llc.title }, y2: { field: 'high' } },
      },
      ...(['low', 'high'] as const).map((end) => ({
        data: { values: summary },
        mark: { type: 'tick' as const, color: 'black', size: 14, thickness: 1.5 },
        encoding: { x, y: { field: end, type: 'quantitative' as const, title: llc.title } },
      })),
      {
        data: { values: estimates },
        mark: { type: 'point' as const, filled: false, size: 50, strokeWidth: 1.5 },
        // Side by side where the x axis has room (one column per checkpoint), stacked where it is a number.
        encoding: { x, y: llc, color: chain, shape: chain, ...(axis === undefined ? { xOffset: chain } : {}) },
      },
      {
        data: { values: summary },
        mark: { type: 'line' as const, point: { filled: true, size: 60, color: 'black' }, color: 'black' },
        encoding: {
          x, y: llc, detail: { field: 'group' },
          ...(groups > 1 ? { strokeDash: { field: 'group', type: 'nominal' as const, title: 'row' } } : {}),
          tooltip: [{ field: 'subject' }, { field: 'llc', format: '.3f' }, { field: 'low', title: '−1 std', format: '.3f' }, { field: 'high', title: '+1 std', format: '.3f' }, { field: 'loss', format: '.4f' }],
        },
      },
    ],
  };
  // Below it, the loss L(w*) at each checkpoint: λ̂ read beside how far training has come.
  const withLoss = axis !== undefined && summary.every((d) => Number.isFinite(d['loss']));
  const llcSpec: TopLevelSpec = withLoss
    ? {
        $schema: SCHEMA,
        vconcat: [
          llcLayers,
          {
            width: WIDTH, height: 120,
            data: { values: summary },
            mark: { type: 'line', point: { filled: true }, color: '#888' },
            encoding: { x, y: { field: 'loss', type: 'quantitative', title: 'loss L(w*)', scale: { zero: false } }, detail: { field: 'group' } },
          },
        ],
      }
    : { $schema: SCHEMA, ...llcLayers };
  const traces: Datum[] = [];
  for (const row of rows) {
    const chains = row.series?.['loss_trace'] as number[][] | undefined;
    // A panel per row: rows at one step that differ otherwise (seeds) get a panel each.
    const panel = [String(position(row)), axis === undefined ? '' : coordinatesLabel(row, [axis])].filter(Boolean).join(', ');
    chains?.forEach((trace, c) => trace.forEach((loss, draw) => traces.push({ panel, chain: c, draw, loss })));
  }
  const panels = new Set(traces.map((t) => t['panel'])).size;
  const columns = Math.min(panels, 3);
  const panelWidth = Math.max(150, Math.floor(WIDTH / columns) - 20);
  const figures: Figure[] = [{
    id: `llc-${slug(probe.name)}`,
    title: `Local learning coefficient: ${probe.name}`,
    caption:
      `λ̂ = nβ (mean SGLD loss − L(w*)) by SGLD localized at each checkpoint (Lau et al.; ${setting}). Black: the ` +
      `mean over chains with an error bar of ±1 standard deviation${groups > 1 ? ', a line per row (dash pattern: the row\'s other coordinates)' : ''}; ` +
      `hollow, a colour and shape per chain: each chain's estimate${axis ? `, over ${axis}` : ''}` +
      `${withLoss ? '; below, the loss L(w*) on the same data at each checkpoint' : ''}. ` +
      `A regular model with d parameters has λ = d/2; smaller values mean a more degenerate (simpler) solution. ` +
      `Declared as ${declared([probe])}. ${provenance(probe.rows)}`,
    spec: llcSpec,
  }];
  if (traces.length > 0) {
    figures.push({
      id: `llc-traces-${slug(probe.name)}`,
      title: `SGLD loss traces: ${probe.name}`,
      caption:
        `The minibatch loss of each SGLD chain after burn-in, one panel per checkpoint${axis ? ` (${axis})` : ''}, ` +
        `from which the estimates above are taken. Traces that level off mean the chain equilibrated near w*; ` +
        `traces that keep falling mean w* was not a local minimum (raise γ or lower ε). ${provenance(probe.rows)}`,
      spec: {
        $schema: SCHEMA,
        data: { values: traces },
        facet: { field: 'panel', type: 'ordinal', title: axis ?? 'weights', sort: null },
        columns,
        spec: {
          width: panelWidth, height: 150,
          mark: { type: 'line', strokeWidth: 1 },
          encoding: {
            x: { field: 'draw', type: 'quantitative', title: 'draw' },
            y: { field: 'loss', type: 'quantitative', title: 'loss', scale: { zero: false } },
            color: { field: 'chain', type: 'nominal', title: 'chain' },
          },
        },
        resolve: { scale: { y: 'independent' } },
      },
    });
  }
  return figures;
}

// ---- mask overlap ------------------------------------------------------------------------------

/** Jaccard per pair of masks (rows) and layer (columns, with the total), values written in the cells. */
function overlapHeatmap(probes: ProbeResults[]): Figure | undefined {
  const data: Datum[] = [];
  const baselines: string[] = [];
  for (const probe of probes) {
    for (const row of done(probe.rows)) {
      const pair = `${row.subjects['a'] ?? '?'} ∧ ${row.subjects['b'] ?? '?'}`;
      const jaccard = row.metrics['jaccard'];
      if (jaccard === undefined) continue;
      const baseline = row.metrics['baseline'] ?? NaN;
      data.push({ pair, layer: 'total', jaccard, baseline, probe: probe.name });
      for (const [layer, metrics] of Object.entries(row.layers ?? {})) {
        if (metrics['jaccard'] !== undefined) data.push({ pair, layer, jaccard: metrics['jaccard'], baseline: metrics['baseline'] ?? NaN, probe: probe.name });
      }
      baselines.push(`${pair}: ${formatNumber(baseline)}`);
    }
  }
  if (data.length === 0) return undefined;
  const layers = [...new Set(data.map((d) => String(d['layer'])))];
  const order = [...layers.filter((l) => l !== 'total'), 'total'];
  const pairs = new Set(data.map((d) => d['pair'])).size;
  const spec: TopLevelSpec = {
    $schema: SCHEMA,
    width: Math.min(WIDTH, 90 * order.length), height: Math.max(40, 28 * pairs),
    data: { values: data },
    encoding: {
      x: { field: 'layer', type: 'nominal', sort: order, title: 'layer', axis: { labelAngle: 0 } },
      y: { field: 'pair', type: 'nominal', title: null, sort: null, axis: { labelLimit: 360 } },
    },
    layer: [
      {
        mark: 'rect',
        encoding: {
          color: { field: 'jaccard', type: 'quantitative', title: 'Jaccard', scale: { domain: [0, 1], scheme: 'viridis' } },
          tooltip: [{ field: 'probe' }, { field: 'pair' }, { field: 'layer' }, { field: 'jaccard', format: '.3f' }, { field: 'baseline', format: '.3f', title: 'random baseline' }],
        },
      },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          text: { field: 'jaccard', type: 'quantitative', format: '.2f' },
          color: { condition: { test: 'datum.jaccard > 0.6', value: 'black' }, value: 'white' },
        },
      },
    ],
  };
  return {
    id: 'mask-overlap',
    title: 'Mask overlap',
    caption:
      `Jaccard overlap |A∧B| / |A∨B| of the kept weights of two masks, per layer and in total. Two independent ` +
      `random masks of density d overlap d / (2 − d) on average (total baselines: ${baselines.join('; ')}); overlaps ` +
      `near the baseline mean the two tickets share no more structure than chance. Declared as ${declared(probes)}. ` +
      provenance(probes.flatMap((p) => p.rows)),
    spec,
  };
}

// ---- trajectories ------------------------------------------------------------------------------

/** A probe measured along a coordinate (steps of `RUN @ every N`, lottery levels): its metrics over it. */
function trajectory(probe: ProbeResults): Figure | undefined {
  const metrics = TRAJECTORY_METRICS[probe.op];
  if (metrics === undefined) return undefined;
  const rows = done(probe.rows);
  const axis = varyingCoordinate(probe.rows);
  if (axis === undefined || rows.length < 2) return undefined;
  // The ticket curve already shows accuracy and loss of pruned weights against sparsity.
  if ((probe.op === 'accuracy' || probe.op === 'loss') && axis === 'level') return undefined;
  const data: Datum[] = [];
  for (const row of rows) {
    const group = coordinatesLabel(row, [axis]) || probe.name;
    for (const metric of metrics) {
      const value = row.metrics[metric];
      if (value !== undefined) data.push({ at: row.index[axis]!, metric, value, group, subject: row.subject });
    }
  }
  if (data.length === 0) return undefined;
  const present = metrics.filter((m) => data.some((d) => d['metric'] === m));
  const group = { field: 'group', type: 'nominal' as const, title: null };
  const spec: TopLevelSpec = {
    $schema: SCHEMA,
    data: { values: data },
    facet: { row: { field: 'metric', type: 'nominal', title: null, sort: present } },
    spec: {
      width: WIDTH, height: present.length > 1 ? 160 : HEIGHT,
      // A colour, dash pattern and point shape per group: lines that coincide stay visible.
      mark: { type: 'line', point: { filled: false, size: 50 } },
      encoding: {
        x: { field: 'at', type: 'quantitative', title: axis, axis: { tickMinStep: 1 } },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        color: group, strokeDash: group, shape: group,
        tooltip: [{ field: 'subject' }, { field: 'metric' }, { field: 'value', format: '.4f' }],
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
  return {
    id: `trajectory-${slug(probe.name)}`,
    title: `${probe.name}: ${present.join(', ')} over ${axis}`,
    caption: `${describeOp(probe.op)} Declared as ${declared([probe])}. ${provenance(probe.rows)}`,
    spec,
  };
}

function describeOp(op: string): string {
  switch (op) {
    case 'kernel_distance':
      return 'Empirical NTK distance 1 − ⟨K1, K2⟩ / (‖K1‖‖K2‖) between the kernels at the two weights (Fort et al. 2020): how far the tangent kernel has moved; it rises fast early and then settles when training leaves the lazy regime.';
    case 'linearization':
      return 'Distance of the trained net from its tangent model at the linearization point: output RMSE and the share of inputs on which both predict the same class. An agreement near 1 means the net still behaves like its linearization.';
    case 'mask_distance':
      return 'Early-bird mask distance (You et al. 2020): the normalized Hamming distance between the magnitude masks of consecutive checkpoints; it falls to near 0 once the ticket has emerged.';
    case 'weight_distance':
      return 'Relative distance ‖A − B‖ / ‖B‖ between the two weights.';
    default:
      return `${op[0]!.toUpperCase()}${op.slice(1)} of each checkpoint.`;
  }
}
