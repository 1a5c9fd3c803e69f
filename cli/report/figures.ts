// The report's standard plots as Vega-Lite specs, each with a caption saying what was run. Pure: the
// probes' results in, figures out (rendering is render.ts's job). Which figures a program gets is what
// its probes' modules declare (core/op.ts's FigureDeclaration): this file has one builder per kind of
// figure and knows no probe by name. Figures of one kind stand together, in the order of KIND_ORDER.
import type { TopLevelSpec } from 'vega-lite';
import type { Library } from '../../core/library.ts';
import type {
  ChainsFigure, FigureDeclaration, FigureKind, InterpolationPathFigure, PairHeatmapFigure, TicketCurveFigure, TrainingCoordinate,
  TrajectoryFigure,
} from '../../core/op.ts';
import type { ResultRow } from '../probe-results.ts';
import { coincidingSeries, meansAlong, seedLabel, varyingSeeds } from './seeds.ts';

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

/** A figure a probe's module declares, with the probe's results. */
interface Declared<F extends FigureDeclaration = FigureDeclaration> {
  probe: ProbeResults;
  figure: F;
}

type DeclarationOf<K extends FigureKind> = Extract<FigureDeclaration, { kind: K }>;

export const WIDTH = 560;
const HEIGHT = 300;
export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** The order of the page: the ticket curves first, the trajectories last. */
const KIND_ORDER: readonly FigureKind[] = ['ticket-curve', 'interpolation-path', 'chains', 'pair-heatmap', 'trajectory'];

/**
 * Coordinates a trajectory is drawn over, in order of preference: the ordered ones of training.
 * Others (seed, a loop over learning rates) are series, never an axis: a line over seeds means nothing.
 */
const AXIS_PREFERENCE: readonly TrainingCoordinate[] = ['step', 'level'];

/** The figures of `probes` as the modules of their ops in `library` declare them. */
export function figuresFor(probes: ProbeResults[], library: Library): Figure[] {
  const declared: Declared[] = probes.flatMap((probe) => (library.op(probe.op)?.reporting?.figures ?? []).map((figure) => ({ probe, figure })));
  const rank = new Map([...library.ops.keys()].map((op, i) => [op, i]));
  return KIND_ORDER.flatMap((kind) => groupsOf(declared.filter((d) => d.figure.kind === kind), rank).flatMap(build));
}

/** The figure a declaration joins when it shares one with other probes; undefined when it is its probe's own. */
function sharedKey(figure: FigureDeclaration): string | undefined {
  switch (figure.kind) {
    case 'ticket-curve':
      return figure.metric;
    case 'interpolation-path':
      return '';
    case 'pair-heatmap':
      return figure.title;
    default:
      return undefined;
  }
}

/**
 * The declarations of one kind grouped by the figure they make, in program order; shared figures in the
 * order of the library's ops (the accuracy curve before the loss curve, whichever the program declares first).
 */
function groupsOf(declared: Declared[], rank: Map<string, number>): Declared[][] {
  const groups = new Map<string, Declared[]>();
  declared.forEach((d, i) => {
    const key = sharedKey(d.figure) ?? `probe ${i}`;
    groups.set(key, [...(groups.get(key) ?? []), d]);
  });
  const first = (group: Declared[]) => Math.min(...group.map((d) => rank.get(d.probe.op)!));
  const ordered = [...groups.values()];
  return declared.length > 0 && sharedKey(declared[0]!.figure) !== undefined ? ordered.sort((a, b) => first(a) - first(b)) : ordered;
}

function ofKind<K extends FigureKind>(group: Declared[], kind: K): Declared<DeclarationOf<K>>[] {
  return group.filter((d): d is Declared<DeclarationOf<K>> => d.figure.kind === kind);
}

/** The figures one group of declarations makes: one builder per kind. */
function build(group: Declared[]): Figure[] {
  const one = (figure: Figure | undefined): Figure[] => (figure ? [figure] : []);
  const { probe, figure } = group[0]!;
  switch (figure.kind) {
    case 'ticket-curve':
      return one(ticketCurve(ofKind(group, 'ticket-curve')));
    case 'interpolation-path':
      return one(interpolationPath(ofKind(group, 'interpolation-path')));
    case 'chains':
      return chainFigures(probe, figure);
    case 'pair-heatmap':
      return one(pairHeatmap(ofKind(group, 'pair-heatmap')));
    case 'trajectory':
      return one(trajectory(probe, figure));
  }
}

// ---- helpers -----------------------------------------------------------------------------------

function done(rows: ResultRow[]): ResultRow[] {
  return rows.filter((r) => r.status === 'done');
}

/** "3 of 5 rows computed (2 pending)" and where: "on wasm, 41 s of computing". */
function provenance(rows: ResultRow[]): string {
  const computed = done(rows);
  const pending = rows.length - computed.length;
  const backends = [...new Set(computed.map((r) => r.computed?.backend).filter((b): b is string => b !== undefined))];
  const seconds = computed.reduce((sum, r) => sum + (r.computed?.seconds ?? 0), 0);
  const where = backends.length > 0 ? ` on ${backends.join(', ')}` : '';
  const count = `${computed.length} of ${rows.length} row${rows.length === 1 ? '' : 's'} computed${pending > 0 ? ` (${pending} pending: \`ltx run\` computes them)` : ''}`;
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

/** The first training coordinate of `preference` whose values differ among the rows. */
function varyingCoordinate(rows: ResultRow[], preference: readonly TrainingCoordinate[] = AXIS_PREFERENCE): TrainingCoordinate | undefined {
  const varies = (key: string) => new Set(rows.map((r) => String(r.index[key] ?? ''))).size > 1;
  const numeric = (key: string) => rows.every((r) => typeof r.index[key] === 'number');
  return preference.find((k) => varies(k) && numeric(k));
}

function capitalized(text: string): string {
  return `${text.slice(0, 1).toUpperCase()}${text.slice(1)}`;
}

function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '') || 'figure';
}

// ---- the ticket curve --------------------------------------------------------------------------

/**
 * A metric (accuracy, loss) against the share of weights remaining, one series per probe: the lottery's
 * levels and each control. Points are rows; the line joins their means where rows share a sparsity. Rows
 * of several seeds are shaped by seed, and the mean over seeds is drawn with its 95% interval as a band.
 */
function ticketCurve(members: Declared<TicketCurveFigure>[]): Figure | undefined {
  const { metric, measure } = members[0]!.figure;
  const probes = members.map((m) => m.probe);
  const seeds = varyingSeeds(probes.flatMap((p) => done(p.rows)));
  const data: Datum[] = [];
  for (const probe of probes) {
    for (const row of done(probe.rows)) {
      const value = row.metrics[metric];
      const remaining = row.metrics['remaining'];
      if (value === undefined || remaining === undefined) continue;
      const seed: Datum = seeds.length > 0 ? { seed: seedLabel(row, seeds) } : {};
      data.push({ probe: probe.name, remaining, [metric]: value, subject: row.subject, coordinates: coordinatesLabel(row), ...seed });
    }
  }
  // Without pruning there is no curve: every row would stand at 100%.
  if (new Set(data.map((d) => d['remaining'])).size < 2) return undefined;
  const x = {
    field: 'remaining', type: 'quantitative' as const, title: 'prunable weights remaining (log scale)',
    scale: { type: 'log' as const, reverse: true, nice: false }, axis: { format: '.1~%' },
  };
  const y = { field: metric, type: 'quantitative' as const, title: metric, scale: { zero: false } };
  const color = { field: 'probe', type: 'nominal' as const, title: 'probe' };
  // Each series its own dash pattern: a series drawn exactly on another still shows.
  const dash = { field: 'probe', type: 'nominal' as const, title: 'probe' };
  const tooltip = [{ field: 'probe' }, { field: 'subject' }, { field: 'coordinates' }, { field: 'remaining', format: '.2%' }, { field: metric, format: '.4f' }];
  const means = seeds.length === 0 ? [] : probes.flatMap((probe) => meansAlong(done(probe.rows), () => probe.name, (r) => r.metrics['remaining'], metric))
    .map((m) => ({ probe: m.series, remaining: m.x, mean: m.mean, low: m.low, high: m.high, n: m.n }));
  const layer: NonNullable<LayerSpecs> = seeds.length === 0
    ? [
        { mark: { type: 'line', point: false }, encoding: { x, y: { ...y, aggregate: 'mean' }, color, strokeDash: dash } },
        { mark: { type: 'point', filled: false, size: 45 }, encoding: { x, y, color, shape: color, tooltip } },
      ]
    : [
        { data: { values: means }, mark: { type: 'area', opacity: 0.15 }, encoding: { x, y: { field: 'low', type: 'quantitative', title: metric, scale: { zero: false } }, y2: { field: 'high' }, color } },
        { data: { values: means }, mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y: { field: 'mean', type: 'quantitative', title: metric }, color, strokeDash: dash } },
        { mark: { type: 'point', filled: false, size: 45 }, encoding: { x, y, color, shape: { field: 'seed', type: 'nominal', title: seeds.join(', ') }, tooltip: [...tooltip, { field: 'seed' }] } },
      ];
  const spec: TopLevelSpec = { $schema: SCHEMA, width: WIDTH, height: HEIGHT, data: { values: data }, layer };
  const names = probes.filter((p) => data.some((d) => d['probe'] === p.name)).map((p) => p.name);
  const drawn = seeds.length === 0
    ? 'a point per row, the line through the mean where rows share a sparsity'
    : `a point per row, shaped by its ${seeds.join(', ')} (${seedCount(data)}); the line is the mean over seeds and the band its 95% interval (Student t over the seeds)`;
  return {
    id: `${slug(metric)}-vs-remaining`,
    title: `${capitalized(metric)} against weights remaining`,
    caption:
      `${measure} of each probe's weights against the share of prunable weights their mask keeps (log scale; ` +
      `sparser to the right). Series: ${names.join(', ')}; ${drawn}. ` +
      `${coincidence(means.length > 0 ? means.map((m) => ({ series: m.probe, x: m.remaining, y: m.mean })) : data.map((d) => ({ series: String(d['probe']), x: d['remaining'] as number, y: d[metric] as number })))}` +
      `A winning ticket stays at the dense accuracy while its controls fall off. ` +
      `Declared as ${declared(probes)}. ${provenance(probes.flatMap((p) => p.rows))}`,
    spec,
  };
}

type LayerSpecs = Extract<TopLevelSpec, { layer: unknown }>['layer'];

/** "3 seeds": how many different seed labels the data has. */
function seedCount(data: Datum[]): string {
  const n = new Set(data.map((d) => d['seed'])).size;
  return `${n} seed${n === 1 ? '' : 's'}`;
}

/** The caption's sentence on series drawn on top of each other, if any. */
function coincidence(points: { series: string; x: number | string; y: number }[]): string {
  const same = coincidingSeries(points);
  if (same.length === 0) return '';
  const listed = same.map((names) => `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`);
  return `${listed.join('; ')} coincide${same.length > 1 ? ' (each group on one line)' : ''}: their lines lie on each other, told apart by their dashes. `;
}

// ---- interpolation paths -----------------------------------------------------------------------

/** Error (loss for regression) along αW1 + (1−α)W2, one line per row, thin lines per pair of copies. */
function interpolationPath(members: Declared<InterpolationPathFigure>[]): Figure | undefined {
  const probes = members.map((m) => m.probe);
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
  // One legend, shared by the bold and the thin lines, naming each line by its probe and checkpoint.
  const color = { field: 'series', type: 'nominal' as const, title: 'probe: checkpoint', legend: { orient: 'bottom' as const, direction: 'vertical' as const, labelLimit: 520, symbolType: 'stroke' } };
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
      `${members[0]!.figure.caption} ` +
      (severalPairs ? 'Bold: the mean over pairs of copies; thin: each pair. ' : 'Each line is the one pair of copies of its row. ') +
      `The y axis spans at least two points of error, so a barrier of half a point shows. Barriers (the highest ${quantity} ` +
      `along the path above the mean of its ends, in ${unit}): ` +
      `${barriers.map((b) => `${b.series}: ${percent ? formatNumber(100 * b.barrier) : formatNumber(b.barrier)}`).join('; ')}. ` +
      `Declared as ${declared(probes)}. ${provenance(probes.flatMap((p) => p.rows))}`,
    spec,
  };
}

/** A y window around the paths at least two points of error (2% of the value for a loss) wide, inside [0, 1] for an error. */
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

// ---- estimates from sampling chains -------------------------------------------------------------

/** The chain a metric is the estimate of (`llc_chain_2` → 2), if it is one of `figure`'s. */
export function chainOf(figure: ChainsFigure, metric: string): number | undefined {
  const prefix = `${figure.metric}_chain_`;
  const rest = metric.slice(prefix.length);
  return metric.startsWith(prefix) && /^\d+$/.test(rest) ? Number(rest) : undefined;
}

/**
 * The estimate with ±1 std over chains (and each chain's estimate) over the varying coordinate, and the
 * declared metric below it; then the chains' loss traces.
 */
function chainFigures(probe: ProbeResults, figure: ChainsFigure): Figure[] {
  const { metric, below } = figure;
  const rows = done(probe.rows);
  if (rows.length === 0) return [];
  const axis = varyingCoordinate(probe.rows);
  const position = (row: ResultRow): string | number => (axis === undefined ? row.subject : row.index[axis]!);
  // Rows that differ in other coordinates too (seeds) are separate lines, not one line zig-zagging through them.
  const group = (row: ResultRow): string => (axis === undefined ? '' : coordinatesLabel(row, [axis]));
  const groups = new Set(rows.map(group));
  const byGroup = groups.size > 1 ? { strokeDash: { field: 'group', type: 'nominal' as const, title: 'rows' } } : {};
  const estimates: Datum[] = [];
  const summary: Datum[] = [];
  for (const row of rows) {
    const mean = row.metrics[`${metric}_mean`];
    if (mean === undefined) continue;
    const std = row.metrics[`${metric}_std`] ?? 0;
    const reference: Datum = below ? { loss: row.metrics[below.metric] ?? NaN } : {};
    summary.push({ at: position(row), group: group(row), [metric]: mean, low: mean - std, high: mean + std, subject: row.subject, ...reference });
    for (const [name, value] of Object.entries(row.metrics)) {
      const chain = chainOf(figure, name);
      if (chain !== undefined) estimates.push({ at: position(row), [metric]: value, chain });
    }
  }
  const x = axis === undefined
    ? { field: 'at', type: 'nominal' as const, title: 'weights' }
    : { field: 'at', type: 'quantitative' as const, title: axis, axis: { tickMinStep: 1 } };
  const first = rows[0]!.metrics;
  const settings = Object.entries(figure.settings ?? {}).map(([name, symbol]) => `${symbol} = ${formatNumber(first[name] ?? NaN)}`);
  const estimateLayers = {
    width: WIDTH, height: HEIGHT,
    layer: [
      {
        data: { values: summary },
        mark: { type: 'errorbar' as const, ticks: true },
        encoding: { x, y: { field: 'low', type: 'quantitative' as const, title: figure.axis }, y2: { field: 'high' } },
      },
      {
        data: { values: estimates },
        mark: { type: 'point' as const, opacity: 0.5, size: 25 },
        encoding: { x, y: { field: metric, type: 'quantitative' as const }, color: { field: 'chain', type: 'nominal' as const, title: 'chain' } },
      },
      {
        data: { values: summary },
        mark: { type: 'line' as const, point: { filled: true, size: 60 }, color: 'black' },
        encoding: {
          x, y: { field: metric, type: 'quantitative' as const }, ...byGroup,
          tooltip: [{ field: 'subject' }, { field: metric, format: '.3f' }, ...(below ? [{ field: 'loss', format: '.4f' }] : [])],
        },
      },
    ],
  };
  // Below it, the declared metric (the loss at the weights): the estimate read beside how far training has come.
  const withBelow = below !== undefined && axis !== undefined && summary.every((d) => Number.isFinite(d['loss']));
  const estimateSpec: TopLevelSpec = withBelow
    ? {
        $schema: SCHEMA,
        vconcat: [
          estimateLayers,
          {
            width: WIDTH, height: 120,
            data: { values: summary },
            mark: { type: 'line', point: { filled: true }, color: '#888' },
            encoding: { x, y: { field: 'loss', type: 'quantitative', title: below.axis, scale: { zero: false } }, ...byGroup },
          },
        ],
      }
    : { $schema: SCHEMA, ...estimateLayers };
  const traces: Datum[] = [];
  for (const row of rows) {
    const chains = row.series?.[figure.traces.series] as number[][] | undefined;
    const panel = groups.size > 1 ? `${position(row)} (${group(row)})` : String(position(row));
    chains?.forEach((trace, c) => trace.forEach((loss, draw) => traces.push({ panel, chain: c, draw, loss })));
  }
  const panels = new Set(traces.map((t) => t['panel'])).size;
  const columns = Math.min(panels, 3);
  const panelWidth = Math.max(150, Math.floor(WIDTH / columns) - 20);
  const figures: Figure[] = [{
    id: `${slug(metric)}-${slug(probe.name)}`,
    title: `${figure.title}: ${probe.name}`,
    caption:
      `${figure.caption}${settings.length > 0 ? ` Settings: ${settings.join(', ')}.` : ''} Black: the mean over chains with ` +
      `±1 standard deviation; colored: each chain's estimate${axis ? `, over ${axis}` : ''}${withBelow ? `; below, ${below.caption}` : ''}. ` +
      `${groups.size > 1 ? `A line per value of the other coordinates (${[...groups].join('; ')}), told apart by its dash pattern. ` : ''}` +
      `Declared as ${declared([probe])}. ${provenance(probe.rows)}`,
    spec: estimateSpec,
  }];
  if (traces.length > 0) {
    figures.push({
      id: `${slug(metric)}-traces-${slug(probe.name)}`,
      title: `${figure.traces.title}: ${probe.name}`,
      caption: `${figure.traces.caption} One panel per checkpoint${axis ? ` (${axis})` : ''}. ${provenance(probe.rows)}`,
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

// ---- pairs of subjects -------------------------------------------------------------------------

/** A metric per pair of subjects (rows) and layer (columns, with the total), values written in the cells. */
function pairHeatmap(members: Declared<PairHeatmapFigure>[]): Figure | undefined {
  const { metric, title, legend, pair: { subjects: [first, second], symbol }, caption, baseline } = members[0]!.figure;
  const probes = members.map((m) => m.probe);
  const data: Datum[] = [];
  const baselines: string[] = [];
  const cell = (values: { [name: string]: number }): Datum => (baseline ? { baseline: values[baseline.metric] ?? NaN } : {});
  for (const probe of probes) {
    for (const row of done(probe.rows)) {
      const pair = `${row.subjects[first] ?? '?'} ${symbol} ${row.subjects[second] ?? '?'}`;
      const value = row.metrics[metric];
      if (value === undefined) continue;
      data.push({ pair, layer: 'total', [metric]: value, ...cell(row.metrics), probe: probe.name });
      for (const [layer, metrics] of Object.entries(row.layers ?? {})) {
        if (metrics[metric] !== undefined) data.push({ pair, layer, [metric]: metrics[metric], ...cell(metrics), probe: probe.name });
      }
      if (baseline) baselines.push(`${pair}: ${formatNumber(row.metrics[baseline.metric] ?? NaN)}`);
    }
  }
  if (data.length === 0) return undefined;
  const layers = [...new Set(data.map((d) => String(d['layer'])))];
  const order = [...layers.filter((l) => l !== 'total'), 'total'];
  const pairs = new Set(data.map((d) => d['pair'])).size;
  const baselineTooltip = baseline ? [{ field: 'baseline', format: '.3f', title: baseline.label }] : [];
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
          color: { field: metric, type: 'quantitative', title: legend, scale: { domain: [0, 1], scheme: 'viridis' } },
          tooltip: [{ field: 'probe' }, { field: 'pair' }, { field: 'layer' }, { field: metric, format: '.3f' }, ...baselineTooltip],
        },
      },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          text: { field: metric, type: 'quantitative', format: '.2f' },
          color: { condition: { test: `datum.${metric} > 0.6`, value: 'black' }, value: 'white' },
        },
      },
    ],
  };
  const againstBaseline = baseline ? ` ${baseline.caption} ${capitalized(baseline.label)} in total: ${baselines.join('; ')}.` : '';
  return {
    id: slug(title.toLowerCase()),
    title,
    caption: `${caption}${againstBaseline} Declared as ${declared(probes)}. ${provenance(probes.flatMap((p) => p.rows))}`,
    spec,
  };
}

// ---- trajectories ------------------------------------------------------------------------------

/**
 * A probe measured along a coordinate (steps of `RUN @ every N`, lottery levels): its metrics over it.
 * Rows of several seeds: a thin line and a point (shaped by seed) per seed, and the mean over seeds with
 * its 95% interval as a band.
 */
function trajectory(probe: ProbeResults, figure: TrajectoryFigure): Figure | undefined {
  const { metrics } = figure;
  const rows = done(probe.rows);
  const axis = varyingCoordinate(probe.rows, figure.over);
  if (axis === undefined || rows.length < 2) return undefined;
  const seeds = varyingSeeds(rows);
  const seriesOf = (row: ResultRow) => coordinatesLabel(row, [axis, ...seeds]) || probe.name;
  const data: Datum[] = [];
  for (const row of rows) {
    const seed: Datum = seeds.length > 0 ? { seed: seedLabel(row, seeds) } : {};
    for (const metric of metrics) {
      const value = row.metrics[metric];
      if (value !== undefined) data.push({ at: row.index[axis]!, metric, value, group: seriesOf(row), subject: row.subject, ...seed });
    }
  }
  if (data.length === 0) return undefined;
  const present = metrics.filter((m) => data.some((d) => d['metric'] === m));
  const at = (row: ResultRow) => row.index[axis] as number;
  const means: Datum[] = seeds.length === 0 ? [] : present.flatMap((metric) => meansAlong(rows, seriesOf, at, metric)
    .map((m) => ({ at: m.x, metric, mean: m.mean, low: m.low, high: m.high, n: m.n, group: m.series })));
  const x = { field: 'at', type: 'quantitative' as const, title: axis, axis: { tickMinStep: 1 } };
  const color = { field: 'group', type: 'nominal' as const, title: null };
  // Each series its own dash pattern: a series drawn exactly on another still shows.
  const dash = { field: 'group', type: 'nominal' as const, title: null };
  const tooltip = [{ field: 'subject' }, { field: 'metric' }, { field: 'value', format: '.4f' }];
  const inner = seeds.length === 0
    ? {
        mark: { type: 'line' as const, point: { filled: false } },
        encoding: { x, y: { field: 'value', type: 'quantitative' as const, title: null, scale: { zero: false } }, color, strokeDash: dash, tooltip },
      }
    : {
        layer: [
          {
            transform: [{ filter: 'datum.kind === "mean"' }],
            mark: { type: 'area' as const, opacity: 0.15 },
            encoding: { x, y: { field: 'low', type: 'quantitative' as const, title: null, scale: { zero: false } }, y2: { field: 'high' }, color },
          },
          {
            transform: [{ filter: 'datum.kind === "mean"' }],
            mark: { type: 'line' as const, strokeWidth: 2.5 },
            encoding: { x, y: { field: 'mean', type: 'quantitative' as const }, color, strokeDash: dash },
          },
          {
            transform: [{ filter: 'datum.kind === "row"' }],
            mark: { type: 'line' as const, strokeWidth: 0.8, opacity: 0.5 },
            encoding: { x, y: { field: 'value', type: 'quantitative' as const }, color, detail: { field: 'seed' } },
          },
          {
            transform: [{ filter: 'datum.kind === "row"' }],
            mark: { type: 'point' as const, filled: false, size: 35 },
            encoding: { x, y: { field: 'value', type: 'quantitative' as const }, color, shape: { field: 'seed', type: 'nominal' as const, title: seeds.join(', ') }, tooltip: [...tooltip, { field: 'seed' }] },
          },
        ],
      };
  const values = seeds.length === 0 ? data : [...data.map((d) => ({ ...d, kind: 'row' })), ...means.map((m) => ({ ...m, kind: 'mean' }))];
  const spec: TopLevelSpec = {
    $schema: SCHEMA,
    data: { values },
    facet: { row: { field: 'metric', type: 'nominal', title: null, sort: present } },
    spec: { width: WIDTH, height: present.length > 1 ? 160 : HEIGHT, ...inner },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
  const overSeeds = seeds.length === 0 ? '' :
    ` Thin lines and points: each ${seeds.join(', ')} (${seedCount(data)}, shaped by seed); bold: the mean over seeds, the band its 95% interval (Student t over the seeds).`;
  const lines = seeds.length === 0 ? data : means;
  const coinciding = coincidence(lines.map((d) => ({ series: String(d['group']), x: `${d['metric']} ${d['at']}`, y: (d['value'] ?? d['mean']) as number })));
  return {
    id: `trajectory-${slug(probe.name)}`,
    title: `${probe.name}: ${present.join(', ')} over ${axis}`,
    caption: `${figure.caption}${overSeeds}${coinciding ? ` ${coinciding.trim()}` : ''} Declared as ${declared([probe])}. ${provenance(probe.rows)}`,
    spec,
  };
}
