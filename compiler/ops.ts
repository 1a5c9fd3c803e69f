// How each standard-library call becomes a value: descriptors for datasets, models and optimizers;
// symbolic nodes for inits, runs, masks and probes. The sugar (`imp`, `oneshot`, `like:`) builds exactly
// the nodes of its long form, so it compiles to the same stages.
import { posix } from 'node:path';
import type { DiagnosticCode } from '../core/diagnostics.ts';
import type { CallExpression, SourceRange } from '../lang/ast.ts';
import { stageOpOf } from '../core/library.ts';
import { LIMITS } from '../core/limits.ts';
import type { Lowering, ModelShape, OpModule, ProbeLowering, SubjectRole } from '../core/op.ts';
import { misfit } from '../core/data-fit.ts';
import { canonicalJson, type Json } from '../core/json.ts';
import { withDefaults } from '../core/defaults.ts';
import type { Env } from './declarations.ts';
import { formatCount } from '../core/limits.ts';
import { DATA_PATH_PARAM, rebaseDataPath } from '../core/data-path.ts';
import type { DatasetSizeAnswer, LoweringHost } from './lowering-host.ts';
import type { ArgumentSites, TypedPlaceholder } from './schema-check.ts';
import { closestName, didYouMean } from '../core/suggest.ts';
import {
  checkpointOf, describeType, maskOf, modelOf, stepOf, type CheckpointNode, type Coordinates,
  type DatasetDescriptor, type FamilyMember, type MaskNode, type ModelDescriptor, type NodeLabel,
  type ProbeRowPlan, type ProbeSubject, type RunNode, type SplitRef, type Value,
} from './values.ts';

export interface CallContext {
  host: LoweringHost;
  signature: OpModule;
  call: CallExpression;
  env: Env;
  /** Validated arguments with defaults; typed values are placeholders. */
  args: Record<string, unknown>;
  /** Arguments as the user wrote them. */
  values: Map<string, Value>;
  placeholders: Map<number, Value>;
  sites: ArgumentSites;
  /** The declaration label (`t[3]`) or the function name, for stage names. */
  label: string;
}

const ERROR: Value = { type: 'error' };

/** A call by the rule its op lowers with; every node made carries the version of the op it comes from. */
export function lowerCall(ctx: CallContext): Value {
  const lowering = ctx.signature.lowering;
  switch (lowering.rule) {
    case 'dataset': return lowerDataset(ctx, lowering);
    case 'model': return lowerModel(ctx, lowering.shape);
    case 'init': return lowerInit(ctx);
    case 'optimizer': return { type: 'optimizer', optimizer: descriptor(ctx) };
    case 'schedule': return { type: 'schedule', schedule: descriptor(ctx) };
    case 'run': return lowerFit(ctx);
    case 'magnitude-mask': return lowerMagnitude(ctx);
    case 'random-mask': return lowerRandomMask(ctx);
    case 'rewind': return lowerRewind(ctx);
    case 'reinit': return lowerReinit(ctx);
    case 'lottery': return lowerLottery(ctx, lowering.levels, lowering.rate);
    case 'probe': return lowerProbe(ctx, lowering);
  }
}



// ---------------------------------------------------------------------------------------------
// Helpers

function fail(ctx: CallContext, range: SourceRange, message: string, code: DiagnosticCode = 'invalid'): Value {
  ctx.host.sink.error(ctx.env.file, range, code, message);
  return ERROR;
}

/** Counts `count` more stages at this call against the program's limit; false once it is passed. */
function spend(ctx: CallContext, count: number): boolean {
  return ctx.host.budget.spend('stages', count, ctx.env.file, ctx.call.range);
}

function label(ctx: CallContext): NodeLabel {
  return { name: ctx.label, origin: { file: ctx.env.file, range: ctx.call.range } };
}

function typed(ctx: CallContext, param: string): Value | undefined {
  const j = ctx.args[param] as TypedPlaceholder | undefined;
  if (!j || typeof j !== 'object' || j.$id === undefined) return undefined;
  return ctx.placeholders.get(j.$id);
}

function siteOf(ctx: CallContext, param: string): SourceRange {
  return ctx.sites.values.get(param) ?? ctx.sites.callee;
}

/** Plain JSON params: placeholders of descriptors are inlined, others must not remain. */
function plainParams(ctx: CallContext, skip: string[] = []): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(ctx.args)) {
    if (skip.includes(key)) continue;
    out[key] = inlineDescriptors(ctx, value);
  }
  return out;
}

function inlineDescriptors(ctx: CallContext, value: unknown): Json {
  if (value === null || typeof value !== 'object') return value as Json;
  if (Array.isArray(value)) return value.map((v) => inlineDescriptors(ctx, v));
  const p = value as TypedPlaceholder;
  if (p.$ltx !== undefined) {
    if (p.$ltx === 'quantity') return { $ltx: 'quantity', amount: p.amount!, unit: p.unit! };
    const v = p.$id !== undefined ? ctx.placeholders.get(p.$id) : undefined;
    if (v?.type === 'model') return modelJson(v.model);
    if (v?.type === 'schedule' || v?.type === 'optimizer') {
      const d = v.type === 'schedule' ? v.schedule : v.optimizer;
      return { op: d.op, version: d.version, ...d.params };
    }
    throw new Error(`internal: a ${p.$ltx} cannot be a plain parameter`);
  }
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(value)) out[k] = inlineDescriptors(ctx, v);
  return out;
}

function descriptor(ctx: CallContext): { op: string; version: number; params: { [key: string]: Json } } {
  return { op: ctx.signature.name, version: ctx.signature.version, params: plainParams(ctx) };
}

export function modelJson(model: ModelDescriptor): Json {
  return { op: model.op, version: model.version, params: model.params };
}

export function dataJson(split: SplitRef): Json {
  return { dataset: { op: split.dataset.op, version: split.dataset.version, params: split.dataset.params }, split: split.split };
}

/** A dataset argument as a split: `fashion` means its `fallback` split. */
function splitOf(value: Value | undefined, fallback: 'train' | 'test'): SplitRef | undefined {
  if (!value) return undefined;
  if (value.type === 'split') return value.split;
  if (value.type === 'dataset') return { dataset: value.dataset, split: fallback };
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Datasets, models, inits

/**
 * A dataset's descriptor: its parameters (a relative path made relative to the entry file) and the
 * digests of the files it reads, so that editing a file re-keys every stage that uses it.
 */
function lowerDataset(ctx: CallContext, lowering: Extract<Lowering, { rule: 'dataset' }>): Value {
  const params = rebaseDataPath(plainParams(ctx), posix.dirname(ctx.env.file), ctx.host.programDirectory);
  const dataset: DatasetDescriptor = { op: ctx.signature.name, version: ctx.signature.version, params };
  const pathSite = ctx.sites.values.get(DATA_PATH_PARAM) ?? ctx.sites.callee;
  const content = ctx.host.datasetContent?.(dataset.op, params);
  if (content && 'problem' in content) return fail(ctx, pathSite, content.problem, 'data-file');
  let sizes: DatasetSizeAnswer;
  try {
    sizes = lowering.sizes(params) ?? ctx.host.datasetSizes?.(dataset.op, params);
    const shape = lowering.shape?.(params, sizes && 'train' in sizes ? sizes : undefined);
    if (shape) dataset.shape = shape;
  } catch (error) {
    // Parameters that pass the schema but not the data set's own checks (a test share that leaves no example).
    return fail(ctx, ctx.call.range, (error as Error).message, 'invalid-dataset');
  }
  // A path naming a device, a FIFO, a directory or a file too large: refused where it is written.
  if (sizes && 'refused' in sizes) return fail(ctx, pathSite, sizes.refused, 'data-file');
  if (sizes) dataset.sizes = sizes;
  // Added after the lookups, which ask by the parameters as written.
  if (content && Object.keys(content.content).length > 0) dataset.params = { ...params, content: content.content };
  return { type: 'dataset', dataset };
}

function lowerModel(ctx: CallContext, shapeOf: (params: { [key: string]: Json }) => ModelShape): Value {
  const params = plainParams(ctx);
  try {
    const layout = shapeOf(params);
    if (layout.weights > LIMITS.parameters) {
      return fail(ctx, ctx.call.range, `${ctx.signature.name}(...) would have ${formatCount(layout.weights)} weights, more than the ${formatCount(LIMITS.parameters)} a model may have`, 'model-too-large');
    }
    const io = { inputShape: layout.inputShape, outputs: layout.outputs, tokens: layout.tokens };
    return { type: 'model', model: { op: ctx.signature.name, version: ctx.signature.version, params, prunableLayers: layout.prunableLayers, hiddenLayers: layout.hiddenLayers, io } };
  } catch (error) {
    return fail(ctx, ctx.call.range, `${ctx.signature.name}: ${(error as Error).message}`, 'invalid-model');
  }
}

function lowerInit(ctx: CallContext): Value {
  const model = typed(ctx, 'model');
  if (model?.type !== 'model' || !spend(ctx, 1)) return ERROR;
  return {
    type: 'init',
    node: { node: 'init', op: stageOpOf(ctx.signature), scheme: ctx.signature.name, version: ctx.signature.version, model: model.model, params: plainParams(ctx, ['model']), label: label(ctx) },
  };
}

// ---------------------------------------------------------------------------------------------
// Training

/** The optimizer as a train stage sees it: quantities resolved to steps with the run's data. */
function resolveOptimizer(ctx: CallContext, optimizer: { op: string; version: number; params: { [key: string]: Json } }, data: SplitRef): { [key: string]: Json } | undefined {
  const batch = optimizer.params.batch as number;
  const out: { [key: string]: Json } = { op: optimizer.op, version: optimizer.version };
  const range = siteOf(ctx, 'optimizer');
  for (const [key, value] of Object.entries(optimizer.params)) {
    const resolved = resolveQuantities(ctx, value, data, batch, range);
    if (resolved === undefined) return undefined;
    out[key] = resolved;
  }
  return out;
}

function resolveQuantities(ctx: CallContext, value: Json, data: SplitRef, batch: number, range: SourceRange): Json | undefined {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out: Json[] = [];
    for (const v of value) {
      const r = resolveQuantities(ctx, v, data, batch, range);
      if (r === undefined) return undefined;
      out.push(r);
    }
    return out;
  }
  if (value.$ltx === 'quantity') {
    return ctx.host.quantityToSteps(value as unknown as TypedPlaceholder, data.dataset, batch, ctx.env.file, range, 'the optimizer');
  }
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(value)) {
    const r = resolveQuantities(ctx, v, data, batch, range);
    if (r === undefined) return undefined;
    out[k] = r;
  }
  return out;
}

export interface Recipe {
  data: SplitRef;
  optimizer: { [key: string]: Json };
  batch: number;
  steps: number;
  order: number;
}

export function recipeOf(run: RunNode): Recipe {
  return { data: run.data, optimizer: run.optimizer, batch: run.batch, steps: run.steps, order: run.order };
}

/** A run from `start` with a recipe; the one constructor every run goes through (fit, imp, instability). */
export function makeRun(ctx: CallContext, start: CheckpointNode, recipe: Recipe, runLabel: NodeLabel): RunNode {
  const op = ctx.host.library.opWithRule('run');
  return {
    node: 'run', op: stageOpOf(op), version: op.version, start, startStep: stepOf(start), model: modelOf(start),
    data: recipe.data, optimizer: recipe.optimizer, batch: recipe.batch, steps: recipe.steps, order: recipe.order, label: runLabel,
  };
}

function lowerFit(ctx: CallContext): Value {
  const weights = typed(ctx, 'weights');
  const start = weights ? checkpointOf(weights) : undefined;
  if (!start) return ERROR;
  const like = typed(ctx, 'like');
  const likeRun = like?.type === 'run' ? like.node : undefined;
  const data = splitOf(typed(ctx, 'data'), 'train') ?? likeRun?.data;
  const optimizerValue = typed(ctx, 'optimizer');
  const missing = [
    !data ? 'data' : '', !(optimizerValue || likeRun) ? 'optimizer' : '', !(ctx.values.has('steps') || likeRun) ? 'steps' : '',
  ].filter(Boolean);
  if (missing.length > 0) {
    return fail(ctx, ctx.sites.callee, `fit needs ${missing.map((m) => `${m}:`).join(', ')} (or like: RUN to copy them from another run)`, 'missing-argument');
  }
  let optimizer: { [key: string]: Json };
  let batch: number;
  if (optimizerValue?.type === 'optimizer') {
    const resolved = resolveOptimizer(ctx, optimizerValue.optimizer, data!);
    if (!resolved) return ERROR;
    optimizer = resolved;
    batch = optimizerValue.optimizer.params.batch as number;
  } else {
    optimizer = likeRun!.optimizer;
    batch = likeRun!.batch;
  }
  let steps: number;
  if (ctx.values.has('steps')) {
    const s = ctx.host.quantityToSteps(ctx.args.steps as TypedPlaceholder, data!.dataset, batch, ctx.env.file, siteOf(ctx, 'steps'), 'steps');
    if (s === undefined) return ERROR;
    steps = s;
  } else steps = likeRun!.steps;
  const order = ctx.values.has('order') || !likeRun ? (ctx.args.order as number) : likeRun.order;
  const startStep = stepOf(start);
  if (steps <= startStep) {
    return fail(ctx, ctx.values.has('steps') ? siteOf(ctx, 'steps') : siteOf(ctx, 'weights'),
      `fit starts at step ${startStep} and must train past it, but its recipe ends at step ${steps}`, 'empty-run');
  }
  if (ctx.values.has('data') && !fitsData(ctx, modelOf(start), data!, 'data')) return ERROR;
  if (!sameModel(modelOf(start), likeRun?.model)) {
    return fail(ctx, siteOf(ctx, 'like'), `like: copies the recipe of a run of ${describeModel(likeRun!.model)}, but the weights are of ${describeModel(modelOf(start))}`, 'model-mismatch');
  }
  if (!spend(ctx, 1)) return ERROR;
  return { type: 'run', node: makeRun(ctx, start, { data: data!, optimizer, batch, steps, order }, label(ctx)) };
}

/** A model put on data must fit it (core/data-fit.ts): said at the argument that names the data, both sizes named. */
function fitsData(ctx: CallContext, model: ModelDescriptor, data: SplitRef, param: string): boolean {
  const problem = data.dataset.shape && misfit(model.op, model.io, data.dataset.op, data.dataset.shape);
  if (problem) fail(ctx, siteOf(ctx, param), problem, 'data-mismatch');
  return !problem;
}

/** `mlp(input: 64, hidden: [32], classes: 10, …)`: enough to tell two models apart. */
function describeModel(model: ModelDescriptor): string {
  const shown = Object.entries(model.params).slice(0, 4).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  return `${model.op}(${shown.join(', ')}${Object.keys(model.params).length > 4 ? ', …' : ''})`;
}

function sameModel(a: ModelDescriptor, b: ModelDescriptor | undefined): boolean {
  // Canonical JSON: the same model written with its arguments in another order is the same model.
  return !b || canonicalJson(modelJson(a)) === canonicalJson(modelJson(b));
}

// ---------------------------------------------------------------------------------------------
// Pruning

/**
 * The mask weights train under. A run trained without one has the all-ones mask (OpenLTH's level 0):
 * the magnitude mask of its first checkpoint that removes nothing, one cached stage per init.
 */
export function trainingMask(host: LoweringHost, node: CheckpointNode): MaskNode {
  const mask = maskOf(node);
  if (mask) return mask;
  let first = node;
  while (first.node === 'at') first = first.run.start;
  // Weights without a mask go back to an init: rewinds and reinits carry theirs.
  if (first.node !== 'init') throw new Error(`internal: unmasked weights that do not start at an init`);
  const op = host.library.opWithRule('magnitude-mask');
  return makeMagnitude(host, first, pruningParams(withDefaults(op, { rate: 0 }), 0), { name: `${first.label.name}.mask`, origin: first.label.origin });
}

function maskArgument(ctx: CallContext, param: string): MaskNode | undefined {
  const v = typed(ctx, param);
  if (v?.type === 'mask') return v.node;
  if (v?.type === 'run') return trainingMask(ctx.host, v.node.start);
  return undefined;
}

function maskModel(mask: MaskNode): ModelDescriptor {
  return mask.rule === 'magnitude-mask' ? modelOf(mask.weights) : maskModel(mask.like);
}

/** `skip` and `rates` must name prunable layers of the model (`*` matches any run of characters). */
function checkLayerNames(ctx: CallContext, model: ModelDescriptor, args: Record<string, unknown>): boolean {
  let ok = true;
  const layers = model.prunableLayers;
  const check = (pattern: string, range: SourceRange): void => {
    const regex = globToRegex(pattern);
    if (layers.some((l) => regex.test(l))) return;
    const suggestion = closestName(pattern, layers);
    const shown = layers.length > 8 ? `${layers.slice(0, 8).join(', ')}, …` : layers.join(', ');
    fail(ctx, range, `${model.op} has no prunable layer '${pattern}'${suggestion ? `; did you mean '${suggestion}'?` : ` (its layers: ${shown})`}`, 'unknown-layer');
    ok = false;
  };
  const skipItems = ctx.sites.items.get('skip') ?? [];
  ((args.skip as string[]) ?? []).forEach((s, i) => check(s, skipItems[i] ?? siteOf(ctx, 'skip')));
  const rateItems = ctx.sites.items.get('rates') ?? [];
  Object.keys((args.rates as object) ?? {}).forEach((s, i) => check(s, rateItems[i] ?? siteOf(ctx, 'rates')));
  return ok;
}

export function globToRegex(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function pruningParams(args: Record<string, unknown>, rate: number): { [key: string]: Json } {
  return { rate, scope: args.scope as string, skip: args.skip as string[], rates: args.rates as { [key: string]: number } };
}

function makeMagnitude(host: LoweringHost, weights: CheckpointNode, params: { [key: string]: Json }, l: NodeLabel): MaskNode {
  const op = host.library.opWithRule('magnitude-mask');
  return { node: 'mask', rule: 'magnitude-mask', op: stageOpOf(op), version: op.version, weights, params, label: l };
}

function makeRewind(ctx: CallContext, source: CheckpointNode, mask: MaskNode, l: NodeLabel): CheckpointNode {
  const op = ctx.host.library.opWithRule('rewind');
  return { node: 'rewind', op: stageOpOf(op), version: op.version, source, mask, label: l };
}

function lowerMagnitude(ctx: CallContext): Value {
  if (!spend(ctx, 1)) return ERROR;
  const weights = checkpointOf(typed(ctx, 'weights')!);
  if (!weights) return ERROR;
  if (!checkLayerNames(ctx, modelOf(weights), ctx.args)) return ERROR;
  return { type: 'mask', node: makeMagnitude(ctx.host, weights, pruningParams(ctx.args, ctx.args.rate as number), label(ctx)) };
}

function lowerRandomMask(ctx: CallContext): Value {
  if (!spend(ctx, 1)) return ERROR;
  const like = maskArgument(ctx, 'like');
  if (!like) return ERROR;
  return { type: 'mask', node: { node: 'mask', rule: 'random-mask', op: stageOpOf(ctx.signature), version: ctx.signature.version, like, seed: ctx.args.seed as number, label: label(ctx) } };
}

function lowerRewind(ctx: CallContext): Value {
  if (!spend(ctx, 1)) return ERROR;
  const source = checkpointOf(typed(ctx, 'weights')!);
  const mask = maskArgument(ctx, 'mask');
  if (!source || !mask) return ERROR;
  if (!sameModel(modelOf(source), maskModel(mask))) {
    return fail(ctx, siteOf(ctx, 'mask'), `the mask was made for ${describeModel(maskModel(mask))}, but the weights are of ${describeModel(modelOf(source))}`, 'model-mismatch');
  }
  return { type: 'checkpoint', node: makeRewind(ctx, source, mask, label(ctx)) };
}

function lowerReinit(ctx: CallContext): Value {
  if (!spend(ctx, 1)) return ERROR;
  const init = typed(ctx, 'weights');
  const mask = maskArgument(ctx, 'mask');
  if (init?.type !== 'init' || !mask) return ERROR;
  if (!sameModel(init.node.model, maskModel(mask))) {
    return fail(ctx, siteOf(ctx, 'mask'), `the mask was made for ${describeModel(maskModel(mask))}, but the init is of ${describeModel(init.node.model)}`, 'model-mismatch');
  }
  return { type: 'checkpoint', node: { node: 'reinit', op: stageOpOf(ctx.signature), version: ctx.signature.version, init: init.node, mask, seed: ctx.args.seed as number, label: label(ctx) } };
}

// ---------------------------------------------------------------------------------------------
// Lotteries: imp and oneshot expand to the long form's nodes.

function lowerLottery(ctx: CallContext, levels: string | 1, rateParam: string): Value {
  const base = typed(ctx, 'run');
  if (base?.type !== 'run') return ERROR;
  const dense = base.node;
  if (!checkLayerNames(ctx, dense.model, ctx.args)) return ERROR;
  const rewindStep = ctx.host.quantityToSteps(ctx.args.rewind as TypedPlaceholder, dense.data.dataset, dense.batch, ctx.env.file, siteOf(ctx, 'rewind'), 'rewind');
  if (rewindStep === undefined) return ERROR;
  if (rewindStep < dense.startStep || rewindStep >= dense.steps) {
    return fail(ctx, siteOf(ctx, 'rewind'), `rewind: ${rewindStep} steps is outside ${dense.label.name}, which trains from step ${dense.startStep} to step ${dense.steps}`, 'step-out-of-range');
  }
  if (!spend(ctx, 1)) return ERROR;
  ctx.host.addSplit(dense, rewindStep);
  const rewindPoint: CheckpointNode = rewindStep === dense.startStep ? dense.start : { node: 'at', run: dense, step: rewindStep };
  const recipe = recipeOf(dense);
  const name = ctx.label;
  const members: FamilyMember[] = [{ coords: { level: 0 }, label: `${name}[0]`, value: base }];
  const rounds = levels === 1 ? 1 : (ctx.args[levels] as number);
  let previous: RunNode = dense;
  for (let level = 1; level <= rounds; level++) {
    // A mask, a rewind and a run per level.
    if (!spend(ctx, 3)) return ERROR;
    const at = { file: ctx.env.file, range: ctx.call.range };
    const rate = ctx.args[rateParam] as number;
    const mask = makeMagnitude(ctx.host, { node: 'at', run: previous, step: previous.steps }, pruningParams(ctx.args, rate), { name: `${name}.mask[${level}]`, origin: at });
    const start = makeRewind(ctx, rewindPoint, mask, { name: `${name}.rewind[${level}]`, origin: at });
    const run = makeRun(ctx, start, recipe, { name: `${name}[${level}]`, origin: at });
    members.push({ coords: { level }, label: `${name}[${level}]`, value: { type: 'run', node: run } });
    previous = run;
  }
  return { type: 'lottery', members, base: dense };
}

// ---------------------------------------------------------------------------------------------
// Probes: one row (one stage) per member of a family; two-subject probes pair members by coordinates.

interface SubjectMembers {
  members: FamilyMember[];
  family: boolean;
}

function membersOf(value: Value, written: string | undefined): SubjectMembers {
  if (value.type === 'family' || value.type === 'lottery') return { members: value.members, family: true };
  if (value.type === 'list') return { members: value.items.flatMap((v, i) => listMembers(v, i, value.coords?.[i], written)), family: true };
  return { members: [{ coords: {}, label: written ?? describeSubject(value) ?? '', value }], family: false };
}

/** The members item `i` of a list contributes: itself, or a family's members, at `item: i` and their own coordinates. */
function listMembers(value: Value, i: number, own: Coordinates | undefined, written: string | undefined): FamilyMember[] {
  if (value.type === 'family' || value.type === 'lottery') return value.members.map((m) => ({ ...m, coords: { item: i, ...m.coords } }));
  return [{ coords: { item: i, ...own }, label: describeSubject(value) ?? `${written}[${i}]`, value }];
}

/** How a probe's subject reads in results: `t[3]`, `dense @ 500 steps`, `m[2]`. */
function describeSubject(value: Value): string | undefined {
  switch (value.type) {
    case 'run': return value.node.label.name;
    case 'init': return value.node.label.name;
    case 'mask': return value.node.label.name;
    case 'checkpoint': {
      const node = value.node;
      if (node.node === 'at') return node.step === node.run.steps ? node.run.label.name : `${node.run.label.name} @ ${node.step} steps`;
      return node.label.name;
    }
    default: return undefined;
  }
}

/** Pair members of several subjects: families by equal coordinates (or position), singles broadcast. */
type PairedRow = {
  coords: Coordinates; label: string; labels: { [role: string]: string }; values: Map<string, Value>;
  /** The run each role's member is a checkpoint of, where its family knows it. */
  runs: Map<string, RunNode>;
};

function pairMembers(ctx: CallContext, roles: string[]): PairedRow[] | undefined {
  const subjects = roles.map((role) => {
    const v = typed(ctx, role) ?? { type: 'error' as const };
    return { role, ...membersOf(v, ctx.sites.spelled.get(role)) };
  });
  const families = subjects.filter((s) => s.family);
  if (families.length === 0) {
    return [{
      coords: {},
      label: subjects.map((s) => s.members[0]!.label).join(', '),
      labels: Object.fromEntries(subjects.map((s) => [s.role, s.members[0]!.label])),
      values: new Map(subjects.map((s) => [s.role, s.members[0]!.value])),
      runs: new Map(),
    }];
  }
  const lead = families[0]!;
  // Members by their coordinates (the first of equal ones), for pairing without a search per row.
  const byCoords = new Map(families.map((s) => [s, new Map(s.members.map((x) => [canonicalJson(x.coords), x] as const).reverse())]));
  const rows: PairedRow[] = [];
  for (let i = 0; i < lead.members.length; i++) {
    const m = lead.members[i]!;
    const values = new Map<string, Value>();
    const runs = new Map<string, RunNode>();
    const labels: string[] = [];
    const byRole: { [role: string]: string } = {};
    for (const s of subjects) {
      let member = s.members[0]!;
      if (s.family && s !== lead) {
        const match = byCoords.get(s)!.get(canonicalJson(m.coords)) ?? (s.members.length === lead.members.length ? s.members[i] : undefined);
        if (!match) {
          fail(ctx, siteOf(ctx, s.role), `the families of '${lead.role}' and '${s.role}' do not have the same members (no member of '${s.role}' at ${describeCoords(m.coords)})`, 'family-mismatch');
          return undefined;
        }
        member = match;
      } else if (s === lead) member = m;
      values.set(s.role, member.value);
      if (member.run) runs.set(s.role, member.run);
      labels.push(member.label);
      byRole[s.role] = member.label;
    }
    rows.push({ coords: { ...m.coords }, label: labels.join(', '), labels: byRole, values, runs });
  }
  return rows;
}

function describeCoords(coords: Coordinates): string {
  return Object.entries(coords).map(([k, v]) => `${k}=${v}`).join(', ') || 'the single member';
}

function checkpointSubject(ctx: CallContext, role: string, value: Value): ProbeSubject | undefined {
  const node = checkpointOf(value);
  if (!node) {
    fail(ctx, siteOf(ctx, role), `argument '${role}' of ${ctx.signature.name} needs weights (an init, a checkpoint or a run), but a member is ${describeType(value.type)}`, 'type-mismatch');
    return undefined;
  }
  return { kind: 'checkpoint', node };
}

function maskSubject(ctx: CallContext, role: string, value: Value): ProbeSubject | undefined {
  if (value.type === 'mask') return { kind: 'mask', node: value.node };
  const node = checkpointOf(value);
  if (!node) {
    fail(ctx, siteOf(ctx, role), `argument '${role}' of ${ctx.signature.name} needs a mask (or weights, whose mask is meant), but this is ${describeType(value.type)}`, 'no-mask');
    return undefined;
  }
  return { kind: 'mask', node: trainingMask(ctx.host, node) };
}

function probeParams(ctx: CallContext, lowering: ProbeLowering): { [key: string]: Json } {
  const params: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(ctx.args)) {
    // Subjects enter as input stages, and `like:` only shapes the copies' runs.
    if (key in lowering.subjects || key === 'like') continue;
    if (key === 'on') {
      params.on = dataJson(splitOf(typed(ctx, 'on'), lowering.split ?? 'test')!);
      continue;
    }
    params[key] = value as Json;
  }
  return params;
}

function subjectOf(ctx: CallContext, role: SubjectRole, param: string, value: Value): ProbeSubject | undefined {
  switch (role) {
    case 'weights': return checkpointSubject(ctx, param, value);
    case 'mask': return maskSubject(ctx, param, value);
    case 'weights-or-mask': return value.type === 'mask' ? { kind: 'mask', node: value.node } : checkpointSubject(ctx, param, value);
  }
}

function lowerProbe(ctx: CallContext, lowering: ProbeLowering): Value {
  const rows: ProbeRowPlan[] = [];
  let ok: boolean;
  switch (lowering.pairing ?? 'members') {
    case 'members': {
      const roles = Object.keys(lowering.subjects);
      const paired = pairMembers(ctx, roles);
      ok = paired !== undefined && paired.every((row) => {
        const subjects: { [role: string]: ProbeSubject } = {};
        for (const role of roles) {
          const s = subjectOf(ctx, lowering.subjects[role]!, role, row.values.get(role)!);
          if (!s) return false;
          subjects[role] = s;
        }
        rows.push({ coords: row.coords, label: row.label, labels: row.labels, subjects });
        return true;
      });
      break;
    }
    case 'consecutive':
      ok = buildConsecutive(ctx, Object.keys(lowering.subjects)[0]!, rows);
      break;
    case 'copies':
      ok = buildCopies(ctx, lowering, rows);
      break;
  }
  if (!ok || !probeFitsData(ctx, lowering, rows) || !hiddenLayersExist(ctx, lowering, rows) || !spend(ctx, rows.length)) return ERROR;
  const node = { node: 'probe' as const, op: stageOpOf(ctx.signature), version: ctx.signature.version, params: probeParams(ctx, lowering), rows, label: label(ctx) };
  return { type: 'probe', node };
}

/** Every model a probe's rows evaluate fits its `on` data; each distinct model is checked once. */
function probeFitsData(ctx: CallContext, lowering: ProbeLowering, rows: ProbeRowPlan[]): boolean {
  const on = splitOf(typed(ctx, 'on'), lowering.split ?? 'test');
  if (!on) return true;
  const checked = new Set<string>();
  for (const row of rows) {
    for (const subject of Object.values(row.subjects)) {
      const nodes = subject.kind === 'checkpoints' ? subject.nodes : subject.kind === 'checkpoint' ? [subject.node] : [];
      for (const node of nodes) {
        const model = modelOf(node);
        const key = canonicalJson(modelJson(model));
        if (checked.has(key)) continue;
        checked.add(key);
        if (!fitsData(ctx, model, on, 'on')) return false;
      }
    }
  }
  return true;
}

/**
 * A probe that compares hidden layers (ProbeLowering.hiddenLayers): every weights subject's model exposes
 * some, and has each layer compared: those named (an unknown one reported at its name), or else every
 * hidden layer of the first subject's model. Rows whose subjects have the models of an earlier row's are
 * not checked again (a family's members share theirs): one diagnostic, not one per member.
 */
function hiddenLayersExist(ctx: CallContext, lowering: ProbeLowering, rows: ProbeRowPlan[]): boolean {
  const param = lowering.hiddenLayers;
  if (param === undefined) return true;
  const named = ctx.args[param] as string[];
  const checked = new Set<string>();
  for (const row of rows) {
    const subjects = Object.entries(row.subjects).flatMap(([role, s]) => (s.kind === 'checkpoint' ? [{ role, label: row.labels[role] ?? role, model: modelOf(s.node) }] : []));
    const key = canonicalJson(subjects.map(({ role, model }) => [role, modelJson(model)]));
    if (checked.has(key)) continue;
    checked.add(key);
    for (const subject of subjects) {
      if (subject.model.hiddenLayers.length > 0) continue;
      fail(ctx, siteOf(ctx, subject.role), `${ctx.signature.name} compares hidden layers, but ${describeSubjectModel(subject)} exposes none`, 'no-hidden-layers');
      return false;
    }
    const ok = named.length > 0 ? subjects.every((s) => hasNamedLayers(ctx, param, s, named)) : hasLayersOfFirst(ctx, param, subjects);
    if (!ok) return false;
  }
  return true;
}

interface ModelOfSubject {
  role: string;
  /** The subject as results name it: `dense`, `t[3]`, `dense @ 24 steps`. */
  label: string;
  model: ModelDescriptor;
}

/** `the mlp of 'dense'`. */
function describeSubjectModel(subject: ModelOfSubject): string {
  return `the ${subject.model.op} of '${subject.label}'`;
}

function hasNamedLayers(ctx: CallContext, param: string, subject: ModelOfSubject, named: string[]): boolean {
  const layers = subject.model.hiddenLayers;
  const sites = ctx.sites.items.get(param) ?? [];
  let ok = true;
  named.forEach((name, i) => {
    if (layers.includes(name)) return;
    fail(ctx, sites[i] ?? siteOf(ctx, param), `${describeSubjectModel(subject)} has no hidden layer '${name}'${didYouMean(name, layers)} (its hidden layers: ${layers.join(', ')})`, 'unknown-hidden-layer');
    ok = false;
  });
  return ok;
}

function hasLayersOfFirst(ctx: CallContext, param: string, subjects: ModelOfSubject[]): boolean {
  const [first, ...others] = subjects;
  for (const other of others) {
    const layers = other.model.hiddenLayers;
    const missing = first!.model.hiddenLayers.filter((layer) => !layers.includes(layer));
    if (missing.length === 0) continue;
    fail(ctx, siteOf(ctx, other.role),
      `${ctx.signature.name} compares every hidden layer of '${first!.label}', but ${describeSubjectModel(other)} has no ${missing.map((l) => `'${l}'`).join(', ')} (its hidden layers: ${layers.join(', ')}); name the layers to compare with ${param}:`,
      'model-mismatch');
    return false;
  }
  return true;
}

/** One row per consecutive pair of checkpoints (the later one's coordinates), e.g. mask_distance. */
function buildConsecutive(ctx: CallContext, role: string, rows: ProbeRowPlan[]): boolean {
  const x = typed(ctx, role)!;
  const { members } = membersOf(x, ctx.sites.spelled.get(role));
  if (members.length < 2) {
    fail(ctx, siteOf(ctx, role), `${ctx.signature.name} needs at least two checkpoints (e.g. RUN @ every 500 steps)`, 'too-few-members');
    return false;
  }
  const nodes: CheckpointNode[] = [];
  for (const m of members) {
    const s = checkpointSubject(ctx, role, m.value);
    if (!s || s.kind !== 'checkpoint') return false;
    nodes.push(s.node);
  }
  for (let i = 1; i < members.length; i++) {
    rows.push({
      coords: { ...members[i]!.coords }, label: `${members[i - 1]!.label} → ${members[i]!.label}`,
      labels: { a: members[i - 1]!.label, b: members[i]!.label },
      subjects: { a: { kind: 'checkpoint', node: nodes[i - 1]! }, b: { kind: 'checkpoint', node: nodes[i]! } },
    });
  }
  return true;
}

/** The run a checkpoint belongs to (whose recipe copies of it follow). */
function runOfCheckpoint(node: CheckpointNode): RunNode | undefined {
  if (node.node === 'at') return node.run;
  if (node.node === 'rewind') return runOfCheckpoint(node.source);
  return undefined;
}

/**
 * Copies trained from each checkpoint (⊙ mask) with different data orders, e.g. instability. The rule's
 * contract: one weights subject, an optional mask subject, `copies`, `seed`, and an optional `like:` run
 * whose recipe the copies follow (by default the run the checkpoint comes from).
 */
function buildCopies(ctx: CallContext, lowering: ProbeLowering, rows: ProbeRowPlan[]): boolean {
  const roleOf = (role: SubjectRole) => Object.keys(lowering.subjects).find((r) => lowering.subjects[r] === role);
  const xRole = roleOf('weights')!;
  const maskRole = roleOf('mask');
  const roles = maskRole && ctx.values.has(maskRole) ? [xRole, maskRole] : [xRole];
  const paired = pairMembers(ctx, roles);
  if (!paired) return false;
  const like = typed(ctx, 'like');
  const copies = ctx.args.copies as number;
  const seed = ctx.args.seed as number;
  for (const row of paired) {
    // The rewind under the mask and the copies.
    if (!spend(ctx, copies + 1)) return false;
    const xValue = row.values.get(xRole)!;
    const x = xValue.type === 'run' ? xValue.node.start : checkpointOf(xValue);
    if (!x) return checkpointSubject(ctx, xRole, xValue) !== undefined;
    const recipeRun = like?.type === 'run' ? like.node : xValue.type === 'run' ? xValue.node : runOfCheckpoint(x) ?? row.runs.get(xRole);
    if (!recipeRun) {
      fail(ctx, siteOf(ctx, xRole), `${ctx.signature.name} cannot tell which recipe the copies follow from ${describeType(xValue.type)}; add like: RUN`, 'no-recipe');
      return false;
    }
    // One row per member of a family: its stages are named after the member (`lmc[step=24].copy0`).
    const rowName = Object.keys(row.coords).length > 0 ? `${ctx.label}[${describeCoords(row.coords)}]` : ctx.label;
    let start: CheckpointNode = x;
    const maskValue = maskRole ? row.values.get(maskRole) : undefined;
    if (maskValue) {
      const mask = maskValue.type === 'mask' ? maskValue.node : maskValue.type === 'run' ? trainingMask(ctx.host, maskValue.node.start) : undefined;
      if (!mask) {
        fail(ctx, siteOf(ctx, maskRole!), `argument '${maskRole}' of ${ctx.signature.name} needs a mask`, 'no-mask');
        return false;
      }
      start = makeRewind(ctx, x, mask, { name: `${rowName}.start`, origin: { file: ctx.env.file, range: ctx.call.range } });
    }
    const startStep = stepOf(start);
    // `RUN @ every N` ends with the run's last checkpoint, from which no copy has anything left to train.
    if (recipeRun.steps <= startStep && Object.keys(row.coords).length > 0 && paired.length > 1) continue;
    if (recipeRun.steps <= startStep) {
      fail(ctx, siteOf(ctx, xRole), `the copies would start at step ${startStep}, where the recipe of ${recipeRun.label.name} already ends (step ${recipeRun.steps})`, 'empty-run');
      return false;
    }
    const finals: CheckpointNode[] = [];
    for (let c = 0; c < copies; c++) {
      // Copies differ only in their data order, derived from the probe's seed.
      const order = 1_000_000 + 1000 * seed + c;
      const run = makeRun(ctx, start, { ...recipeOf(recipeRun), order }, { name: `${rowName}.copy${c}`, origin: { file: ctx.env.file, range: ctx.call.range } });
      finals.push({ node: 'at', run, step: run.steps });
    }
    rows.push({ coords: row.coords, label: row.label, labels: row.labels, subjects: { copies: { kind: 'checkpoints', nodes: finals } } });
  }
  return true;
}
