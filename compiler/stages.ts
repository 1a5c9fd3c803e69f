// Phase 2: symbolic nodes → content-hashed stages. Every run is cut into training segments at the steps
// that anything refers to, so `RUN @ k` is one shared, cached stage and the rest of the run resumes from
// it. Identical stages from different declarations get one key and are one stage.
import { DirectedGraph } from 'graphology';
import { sha256Hex } from '../core/hash.ts';
import { canonicalJson, type Json } from '../core/json.ts';
import { stageKey, type Stage, type StageKind } from '../core/stage.ts';
import { dataJson, modelJson } from './ops.ts';
import { visitInputsFirst } from './post-order.ts';
import type {
  CheckpointNode, InitNode, MaskNode, NodeLabel, ProbeNode, ProbeRowPlan, RunNode,
} from './values.ts';

/** A node of the symbolic graph, by what it stands for. */
type GraphItem = { kind: 'checkpoint'; node: CheckpointNode } | { kind: 'run'; node: RunNode } | { kind: 'mask'; node: MaskNode };

const checkpointItem = (node: CheckpointNode): GraphItem => ({ kind: 'checkpoint', node });
const maskItem = (node: MaskNode): GraphItem => ({ kind: 'mask', node });

/** The nodes whose identities a node's identity names, in the order identityJson asks for them. */
function identityInputs(item: GraphItem): GraphItem[] {
  if (item.kind === 'run') return [checkpointItem(item.node.start)];
  if (item.kind === 'mask') return item.node.rule === 'magnitude-mask' ? [checkpointItem(item.node.weights)] : [maskItem(item.node.like)];
  const node = item.node;
  switch (node.node) {
    case 'init': return [];
    case 'at': return node.step === node.run.startStep ? [checkpointItem(node.run.start)] : [{ kind: 'run', node: node.run }];
    case 'rewind': return [checkpointItem(node.source), maskItem(node.mask)];
    case 'reinit': return [checkpointItem(node.init), maskItem(node.mask)];
  }
}

/** The nodes whose stages a node's stage reads, in the order checkpoint() and mask() build them. */
function stageInputs(item: GraphItem): GraphItem[] {
  if (item.kind === 'run') return [checkpointItem(item.node.start)];
  if (item.kind === 'mask') return identityInputs(item);
  const node = item.node;
  switch (node.node) {
    case 'init': return [];
    case 'at': return [checkpointItem(node.run.start)];
    case 'rewind': return [checkpointItem(node.source), maskItem(node.mask)];
    case 'reinit': return [maskItem(node.mask)];
  }
}

export class StageBuilder {
  readonly stages = new Map<string, Stage>();
  readonly graph = new DirectedGraph<{ stage: Stage }>();
  private readonly ids = new WeakMap<object, string>();
  private readonly keys = new Map<string, string>();
  private readonly splitsById = new Map<string, Set<number>>();
  /** Stage key → its names, for membership tests: a stage may answer to thousands of declarations. */
  private readonly namesByKey = new Map<string, Set<string>>();

  constructor(splits: Map<RunNode, Set<number>>) {
    for (const [run, steps] of splits) {
      const id = this.runId(run);
      let set = this.splitsById.get(id);
      if (!set) this.splitsById.set(id, (set = new Set()));
      for (const s of steps) set.add(s);
    }
  }

  // ---- structural identities (independent of split points): they merge identical runs' splits

  checkpointId(node: CheckpointNode): string {
    return this.identify({ kind: 'checkpoint', node });
  }

  runId(run: RunNode): string {
    return this.identify({ kind: 'run', node: run });
  }

  maskId(mask: MaskNode): string {
    return this.identify({ kind: 'mask', node: mask });
  }

  /** The identity of a node, those of everything it depends on computed first (memoized). */
  private identify(root: GraphItem): string {
    const known = (item: GraphItem): boolean => this.ids.has(item.node);
    if (!known(root)) {
      const compute = (item: GraphItem): void => {
        this.ids.set(item.node, sha256Hex(canonicalJson(this.identityJson(item))));
      };
      visitInputsFirst(root, identityInputs, known, compute);
      compute(root);
    }
    return this.ids.get(root.node)!;
  }

  /** What a node's identity is the hash of; the identities it names are already known. */
  private identityJson(item: GraphItem): Json {
    if (item.kind === 'run') {
      const run = item.node;
      return ['run', run.op, run.version, this.checkpointId(run.start), this.recipeJson(run)];
    }
    if (item.kind === 'mask') {
      const mask = item.node;
      return mask.rule === 'magnitude-mask'
        ? [mask.op, mask.version, this.checkpointId(mask.weights), mask.params]
        : [mask.op, mask.version, this.maskId(mask.like), mask.seed];
    }
    const node = item.node;
    switch (node.node) {
      case 'init': return ['init', node.op, node.scheme, node.version, modelJson(node.model), node.params];
      case 'at': return node.step === node.run.startStep ? ['start', this.checkpointId(node.run.start)] : ['at', this.runId(node.run), node.step];
      case 'rewind': return ['rewind', node.op, node.version, this.checkpointId(node.source), this.maskId(node.mask)];
      case 'reinit': return ['reinit', node.op, node.version, this.checkpointId(node.init), this.maskId(node.mask), node.seed];
    }
  }

  private recipeJson(run: RunNode): { [key: string]: Json } {
    return { model: modelJson(run.model), data: dataJson(run.data), optimizer: run.optimizer, steps: run.steps, order: run.order };
  }

  // ---- stages

  private add(kind: StageKind, op: string, version: number, params: { [key: string]: Json }, inputs: { [role: string]: string }, label: NodeLabel, name = label.name): string {
    const key = stageKey({ op, version, params, inputs });
    if (this.stages.has(key)) return this.alias(key, name);
    const stage: Stage = { key, kind, op, version, params, inputs, name, names: [name], origin: label.origin };
    this.stages.set(key, stage);
    this.namesByKey.set(key, new Set([name]));
    this.graph.addNode(key, { stage });
    for (const input of new Set(Object.values(inputs))) this.graph.addDirectedEdge(input, key);
    return key;
  }

  /** Another declaration that compiles to an existing stage: remember its name too. */
  alias(key: string, name: string): string {
    const stage = this.stages.get(key);
    const names = this.namesByKey.get(key);
    if (stage && names && !names.has(name)) {
      names.add(name);
      stage.names.push(name);
    }
    return key;
  }

  /** The stages `root` reads, built first without recursion, so that building `root` goes one level deep. */
  private buildInputsOf(root: GraphItem): void {
    const built = (item: GraphItem): boolean =>
      this.keys.has(item.kind === 'mask' ? this.maskId(item.node) : this.checkpointId(item.node as CheckpointNode));
    visitInputsFirst(root, stageInputs, built, (item) => {
      if (item.kind === 'mask') this.mask(item.node);
      else this.checkpoint(item.node as CheckpointNode);
    });
  }

  checkpoint(node: CheckpointNode): string {
    this.buildInputsOf({ kind: 'checkpoint', node });
    const id = this.checkpointId(node);
    const cached = this.keys.get(id);
    if (cached) return node.node === 'at' ? (node.step === node.run.steps ? this.alias(cached, node.run.label.name) : cached) : this.alias(cached, node.label.name);
    let key: string;
    switch (node.node) {
      case 'init':
        key = this.add('init', node.op, node.version, { model: modelJson(node.model), scheme: node.scheme, ...node.params }, {}, node.label);
        break;
      case 'at':
        key = node.step === node.run.startStep ? this.checkpoint(node.run.start) : this.segmentEndingAt(node.run, node.step);
        break;
      case 'rewind':
        key = this.add('rewind', node.op, node.version, {}, { weights: this.checkpoint(node.source), mask: this.mask(node.mask) }, node.label);
        break;
      case 'reinit':
        key = this.add('reinit', node.op, node.version, { ...reinitScheme(node.init), seed: node.seed }, { mask: this.mask(node.mask) }, node.label);
        break;
    }
    this.keys.set(id, key);
    return key;
  }

  /** The segment boundaries of a run: its start, every referenced step inside it, its end. */
  boundaries(run: RunNode): number[] {
    const inner = [...(this.splitsById.get(this.runId(run)) ?? [])].filter((s) => s > run.startStep && s < run.steps);
    return [run.startStep, ...inner.sort((a, b) => a - b), run.steps];
  }

  private segmentEndingAt(run: RunNode, step: number): string {
    const bounds = this.boundaries(run);
    const end = bounds.indexOf(step);
    if (end <= 0) throw new Error(`internal: step ${step} is not a boundary of run ${run.label.name}`);
    let previous = this.checkpoint(run.start);
    const recipe = this.recipeJson(run);
    for (let i = 1; i <= end; i++) {
      const from = bounds[i - 1]!;
      const to = bounds[i]!;
      const name = bounds.length > 2 ? `${run.label.name} ${from}→${to}` : run.label.name;
      previous = this.add('train', run.op, run.version, { ...recipe, from, to }, { start: previous }, run.label, name);
    }
    return previous;
  }

  mask(node: MaskNode): string {
    this.buildInputsOf({ kind: 'mask', node });
    const id = this.maskId(node);
    const cached = this.keys.get(id);
    if (cached) return this.alias(cached, node.label.name);
    const key = node.rule === 'magnitude-mask'
      ? this.add('mask', node.op, node.version, node.params, { weights: this.checkpoint(node.weights) }, node.label)
      : this.add('mask', node.op, node.version, { seed: node.seed }, { like: this.mask(node.like) }, node.label);
    this.keys.set(id, key);
    return key;
  }

  run(run: RunNode): string {
    return this.checkpoint({ node: 'at', run, step: run.steps });
  }

  probeRow(probe: ProbeNode, row: ProbeRowPlan, name: string): string {
    const inputs: { [role: string]: string } = {};
    for (const [role, subject] of Object.entries(row.subjects)) {
      if (subject.kind === 'checkpoint') inputs[role] = this.checkpoint(subject.node);
      else if (subject.kind === 'mask') inputs[role] = this.mask(subject.node);
      else subject.nodes.forEach((n, i) => { inputs[`${role}${i}`] = this.checkpoint(n); });
    }
    return this.add('probe', probe.op, probe.version, probe.params, inputs, probe.label, name);
  }
}

/**
 * What a reinit redraws: the init's model, scheme and parameters, and the scheme's version (its numbers
 * are the reinit's numbers). Version 1 is left out so that keys made before versions reached this
 * preimage stay valid; any later version enters it.
 */
function reinitScheme(init: InitNode): { [key: string]: Json } {
  return { model: modelJson(init.model), scheme: init.scheme, ...(init.version === 1 ? {} : { scheme_version: init.version }), ...init.params };
}
