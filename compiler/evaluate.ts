// Phase 1: evaluate every declaration to a value. Computed things (weights, masks, probes) become
// symbolic nodes; run split points are recorded as `@` references are met. Errors are reported at the
// expression they concern and evaluation goes on with an `error` value that is never reported again.
import { posix } from 'node:path';
import type {
  BinaryOperator, CallExpression, Declaration, DeclarationKind, Expression, ForStatement, SourceRange, Statement,
} from '../lang/ast.ts';
import { binaryChain, binaryOperands } from '../lang/binary-chain.ts';
import type { Diagnostic } from '../core/diagnostics.ts';
import { parseExpression } from '../lang/parse.ts';
import type { Library } from '../core/library.ts';
import { LIMITS } from '../core/limits.ts';
import type { OpModule } from '../core/op.ts';
import { formatCount } from '../core/limits.ts';
import type { Json } from '../core/json.ts';
import type { DiagnosticSink } from './diagnostics-sink.ts';
import {
  coordinatesOf, entryLabel, indexKey, type DeclEntry, type IndexValue, type DeclGroup, type Env,
} from './declarations.ts';
import type { DatasetContentLookup, DatasetSizeLookup, LoweringHost } from './lowering-host.ts';
import { lowerCall, trainingMask, type CallContext } from './ops.ts';
import { checkArguments, type ArgumentSites, type TypedPlaceholder } from './schema-check.ts';
import { DEFAULT_MAX_STAGES, StageBudget } from './stage-budget.ts';
import { DeferredEvaluation, MAX_EVALUATION_DEPTH, settle } from './deferred-evaluation.ts';
import { referencedNames } from './references.ts';
import { closestName, didYouMean } from '../core/suggest.ts';
import type { SourceFile } from './program-loader.ts';
import {
  describeType, type Coordinates, type FamilyMember, type RunNode, type Value,
} from './values.ts';

export interface ParamOverride {
  name: string;
  value: string;
}

export interface EvaluateOptions {
  /** The ops programs may call. */
  library: Library;
  /** `--set NAME=VALUE` overrides. */
  sets?: ParamOverride[];
  /** Stages (and loop iterations) a program may make; DEFAULT_MAX_STAGES when not given. */
  maxStages?: number;
  /** Train/test sizes of a dataset when they need a file (text, custom paths), or why its files are refused. */
  datasetSizes?: DatasetSizeLookup;
  /**
   * Digests of the files a dataset reads, or why they cannot be read. Without it, descriptors carry no
   * content (a compile that reads no files: tests, tools); the CLI always gives it.
   */
  datasetContent?: DatasetContentLookup;
}

/** Which value types each declaration kind accepts. */
const KIND_ACCEPTS: Record<DeclarationKind, Value['type'][]> = {
  param: ['number', 'string', 'boolean', 'quantity', 'list', 'record'],
  dataset: ['dataset'],
  model: ['model'],
  init: ['init'],
  optimizer: ['optimizer'],
  train: ['run'],
  control: ['run'],
  mask: ['mask'],
  lottery: ['lottery'],
  probe: ['probe'],
};

const KIND_NOUN: Record<DeclarationKind, string> = {
  param: 'a literal value', dataset: 'a dataset', model: 'a model', init: 'an init', optimizer: 'an optimizer',
  train: 'a training run', control: 'a training run', mask: 'a mask', lottery: 'a lottery (imp or oneshot)', probe: 'a probe',
};

export interface DeclaredValue {
  name: string;
  label: string;
  kind: DeclarationKind;
  coords: Record<string, number | string>;
  entry: DeclEntry;
  value: Value;
}

/** Where a declaration's evaluation state and value live (a param's or a declaration entry's). */
interface EvaluationSlot {
  state: 'pending' | 'evaluating' | 'done';
  value?: Value;
}

interface ParamSlot extends EvaluationSlot {
  decl: Declaration;
  file: string;
  override?: Value;
}

export class Evaluator implements LoweringHost {
  readonly groups = new Map<string, DeclGroup>();
  readonly params = new Map<string, ParamSlot>();
  /** Split points of runs (steps referenced by `@`). */
  readonly splits = new Map<RunNode, Set<number>>();
  readonly sink: DiagnosticSink;
  readonly options: EvaluateOptions;
  private readonly files: SourceFile[];
  private nextPlaceholder = 0;
  /** What errors say about names and members, computed once (the declarations are all known by then). */
  private readonly unknownNameHints = new Map<string, string>();
  private readonly memberSummaries = new Map<DeclGroup, string>();
  /** Families built so far, by group and index prefix. */
  private readonly families = new Map<DeclGroup, Map<string, Value>>();
  /** Names of the declarations being evaluated, for cycle messages. */
  private readonly evaluating: string[] = [];
  /** Bad `--set` flags: usage errors (exit 2), not program errors. */
  readonly usageErrors: string[] = [];
  readonly budget: StageBudget;

  get library(): Library {
    return this.options.library;
  }

  get datasetSizes(): DatasetSizeLookup | undefined {
    return this.options.datasetSizes;
  }

  get datasetContent(): DatasetContentLookup | undefined {
    return this.options.datasetContent;
  }

  readonly programDirectory: string;

  constructor(entry: string, files: SourceFile[], sink: DiagnosticSink, options: EvaluateOptions) {
    this.programDirectory = posix.dirname(entry);
    this.files = files;
    this.sink = sink;
    this.options = options;
    this.budget = new StageBudget(options.maxStages ?? DEFAULT_MAX_STAGES, sink);
  }

  // -------------------------------------------------------------------------------------------
  // Collection: params first (loops may range over them), then every declaration, loops unrolled.

  collect(): void {
    for (const file of this.files) {
      for (const statement of file.program.body) {
        if (statement.type === 'Declaration' && statement.kind === 'param') this.declareParam(statement, file.path);
      }
    }
    this.applyOverrides();
    for (const file of this.files) {
      const env: Env = { file: file.path, vars: new Map() };
      for (const statement of file.program.body) this.collectStatement(statement, env, true);
    }
    // Every declaration is known from here on: what a loop range computed from some of them is redone.
    this.families.clear();
    this.unknownNameHints.clear();
    this.memberSummaries.clear();
    for (const group of this.groups.values()) delete group.dimensions;
  }

  private declareParam(decl: Declaration, file: string): void {
    const name = decl.name.name;
    if (decl.indices.length > 0) {
      this.sink.error(file, decl.name.range, 'indexed-param', `param ${name} cannot be indexed`);
    }
    const previous = this.params.get(name) ?? this.groups.get(name);
    if (previous) {
      this.duplicate(name, decl, file);
      return;
    }
    this.params.set(name, { decl, file, state: 'pending' });
  }

  private applyOverrides(): void {
    for (const { name, value } of this.options.sets ?? []) {
      const param = this.params.get(name);
      if (!param) {
        const known = [...this.params.keys()];
        this.usageErrors.push(`--set ${name}=${value}: the program has no param '${name}'${didYouMean(name, known)}${known.length && !closestName(name, known) ? ` (params: ${known.join(', ')})` : ''}`);
        continue;
      }
      const parsed = parseExpression(value, `--set ${name}`);
      if (!parsed.expression || parsed.diagnostics.length > 0) {
        this.usageErrors.push(`--set ${name}=${value}: not a valid value (${parsed.diagnostics[0]?.message ?? 'empty'})`);
        continue;
      }
      const v = this.evalLiteral(parsed.expression, `--set ${name}`);
      if (!v) {
        this.usageErrors.push(`--set ${name}=${value}: a param takes a literal (number, percentage, quantity, string, boolean, list or record)`);
        continue;
      }
      param.override = v;
    }
  }

  /** Evaluate a literal expression without any scope (for --set). */
  private evalLiteral(expr: Expression, file: string): Value | undefined {
    const before = this.sink.diagnostics.length;
    const env: Env = { file, vars: new Map() };
    if (containsReference(expr)) return undefined;
    const v = this.evalExpr(expr, env);
    if (this.sink.diagnostics.length > before || !KIND_ACCEPTS.param.includes(v.type)) {
      this.sink.diagnostics.length = before;
      return undefined;
    }
    return v;
  }

  private collectStatement(statement: Statement, env: Env, topLevel: boolean): void {
    switch (statement.type) {
      case 'Import':
        if (!topLevel) this.sink.error(env.file, statement.range, 'import-in-loop', 'import must be at the top level of a file, not inside a for loop');
        return;
      case 'For':
        this.unroll(statement, env);
        return;
      case 'Declaration':
        if (statement.kind === 'param') {
          if (!topLevel) this.sink.error(env.file, statement.kindRange, 'param-in-loop', `param ${statement.name.name} must be declared at the top level, not inside a for loop`);
          return;
        }
        this.declareEntry(statement, env);
    }
  }

  private unroll(loop: ForStatement, env: Env): void {
    const variable = loop.variable.name;
    if (env.vars.has(variable) || this.params.has(variable)) {
      this.sink.error(env.file, loop.variable.range, 'shadowing', `loop variable '${variable}' hides ${env.vars.has(variable) ? 'an outer loop variable' : 'a param'} of the same name`);
      return;
    }
    const values = this.iterate(loop.iterable, env);
    if (!values) return;
    for (const value of values) {
      if (!this.budget.spend('iterations', 1, env.file, loop.iterable.range)) return;
      const vars = new Map(env.vars);
      vars.set(variable, value);
      const inner: Env = { file: env.file, vars };
      for (const statement of loop.body) this.collectStatement(statement, inner, false);
    }
  }

  /** The values a for loop runs over: an inclusive range of integers or a list of literals. */
  private iterate(expr: Expression, env: Env): (number | string)[] | undefined {
    if (expr.type === 'Range') {
      const from = this.settled(() => this.evalInteger(expr.from, env, 'the start of a range'));
      const to = this.settled(() => this.evalInteger(expr.to, env, 'the end of a range'));
      if (from === undefined || to === undefined) return undefined;
      // One value past the budget is enough for the loop to stop at the limit.
      const count = Math.max(0, Math.min(to - from + 1, this.budget.limit + 1));
      return Array.from({ length: count }, (_, i) => from + i);
    }
    const value = this.settled(() => this.evalExpr(expr, env));
    if (value.type === 'error') return undefined;
    if (value.type !== 'list') {
      this.sink.error(env.file, expr.range, 'bad-iterable', `a for loop runs over a range (1..10) or a list ([0, 1, 2]), but this is ${describeType(value.type)}`);
      return undefined;
    }
    const out: (number | string)[] = [];
    for (const item of value.items) {
      if (item.type === 'number' || item.type === 'string') out.push(item.value);
      else {
        this.sink.error(env.file, expr.range, 'bad-iterable', `a for loop's list must hold numbers or strings, not ${describeType(item.type)}`);
        return undefined;
      }
    }
    return out;
  }

  private declareEntry(decl: Declaration, env: Env): void {
    const name = decl.name.name;
    const index: IndexValue[] = [];
    const indexNames: (string | undefined)[] = [];
    for (const expr of decl.indices) {
      const i = this.settled(() => this.evalIndexValue(expr, env, `an index of ${name}`));
      if (i === undefined) return;
      index.push(i);
      indexNames.push(expr.type === 'Reference' && env.vars.has(expr.name) ? expr.name : undefined);
    }
    if (this.params.has(name)) {
      this.duplicate(name, decl, env.file);
      return;
    }
    let group = this.groups.get(name);
    if (!group) {
      group = { name, kind: decl.kind, arity: index.length, entries: new Map() };
      this.groups.set(name, group);
    } else if (group.arity !== index.length) {
      const first = group.entries.values().next().value!;
      this.sink.error(env.file, decl.name.range, 'index-arity', `${name} is declared with ${index.length} ${index.length === 1 ? 'index' : 'indices'} here but with ${group.arity} elsewhere`, [
        { file: first.env.file, range: first.decl.name.range, message: `${entryLabel(name, first.index)} is declared here` },
      ]);
      return;
    } else if (group.kind !== decl.kind && !(isRunKind(group.kind) && isRunKind(decl.kind))) {
      const first = group.entries.values().next().value!;
      this.sink.error(env.file, decl.kindRange, 'kind-mismatch', `${entryLabel(name, index)} is declared as ${decl.kind} but ${name} is a ${group.kind} elsewhere`, [
        { file: first.env.file, range: first.decl.kindRange, message: `${entryLabel(name, first.index)} is declared here` },
      ]);
      return;
    }
    const key = indexKey(index);
    const existing = group.entries.get(key);
    if (existing) {
      const inLoop = env.vars.size > 0 && existing.decl === decl;
      const message = inLoop && index.length === 0
        ? `${name} is declared again in every iteration of the loop; index it, e.g. ${name}[${[...env.vars.keys()].join('][')}]`
        : `${entryLabel(name, index)} is declared twice`;
      this.sink.error(env.file, decl.name.range, 'duplicate', message, [
        { file: existing.env.file, range: existing.decl.name.range, message: 'first declared here' },
      ]);
      return;
    }
    group.entries.set(key, { decl, env, index, indexNames, state: 'pending' });
  }

  private duplicate(name: string, decl: Declaration, file: string): void {
    const param = this.params.get(name);
    const group = this.groups.get(name);
    const first = param ? { file: param.file, range: param.decl.name.range } : (() => {
      const e = group!.entries.values().next().value!;
      return { file: e.env.file, range: e.decl.name.range };
    })();
    this.sink.error(file, decl.name.range, 'duplicate', `${name} is declared twice`, [{ ...first, message: 'first declared here' }]);
  }

  // -------------------------------------------------------------------------------------------
  // Evaluation of declarations.

  evaluateAll(): DeclaredValue[] {
    const out: DeclaredValue[] = [];
    for (const [name, param] of this.params) {
      const value = this.settled(() => this.evalParam(name, param.decl.name.range, param.file));
      out.push({ name, label: name, kind: 'param', coords: {}, entry: { decl: param.decl, env: { file: param.file, vars: new Map() }, index: [], indexNames: [], state: 'done', value }, value });
    }
    for (const group of this.groups.values()) {
      for (const entry of group.entries.values()) {
        const value = this.settled(() => this.evalEntry(group, entry));
        out.push({ name: group.name, label: entryLabel(group.name, entry.index), kind: entry.decl.kind, coords: coordinatesOf(group, entry), entry, value });
      }
    }
    return out;
  }

  private evalParam(name: string, at: SourceRange, file: string): Value {
    const param = this.params.get(name)!;
    if (param.state === 'done') return param.value!;
    if (param.state === 'evaluating') {
      this.sink.error(file, at, 'cycle', `param ${name} refers to itself: ${[...this.evaluating, name].join(' → ')}`);
      return { type: 'error' };
    }
    return this.evaluateDeclaration(param, name, { file: param.file, range: param.decl.name.range }, () => {
      if (param.override) return param.override;
      const value = this.evalExpr(param.decl.value, { file: param.file, vars: new Map() });
      if (value.type !== 'error' && !KIND_ACCEPTS.param.includes(value.type)) {
        this.sink.error(param.file, param.decl.value.range, 'type-mismatch', `param ${name} must be a literal value (number, percentage, quantity, string, boolean, list or record), but this is ${describeType(value.type)}`);
        return { type: 'error' };
      }
      return value;
    });
  }

  evalEntry(group: DeclGroup, entry: DeclEntry, at?: { file: string; range: SourceRange }): Value {
    if (entry.state === 'done') return entry.value!;
    // Past the stage limit nothing more is built: the limit has been reported.
    if (this.budget.exhausted) return { type: 'error' };
    const label = entryLabel(group.name, entry.index);
    if (entry.state === 'evaluating') {
      const start = this.evaluating.indexOf(label);
      const chain = [...this.evaluating.slice(start >= 0 ? start : 0), label].join(' → ');
      const where = at ?? { file: entry.env.file, range: entry.decl.name.range };
      this.sink.error(where.file, where.range, 'cycle', `cycle between declarations: ${chain}`);
      return { type: 'error' };
    }
    return this.evaluateDeclaration(entry, label, { file: entry.env.file, range: entry.decl.name.range }, () =>
      this.checkKind(entry.decl, entry.env.file, label, this.evalExpr(entry.decl.value, entry.env, label)));
  }

  /**
   * Evaluates one declaration with `compute`, its label on the chain of those being evaluated; when
   * that chain is MAX_EVALUATION_DEPTH long already, defers it instead (see deferred-evaluation.ts).
   */
  private evaluateDeclaration(slot: EvaluationSlot, label: string, where: { file: string; range: SourceRange }, compute: () => Value): Value {
    if (this.evaluating.length >= MAX_EVALUATION_DEPTH) {
      const evaluate = (): void => {
        if (slot.state === 'pending') this.evaluateDeclaration(slot, label, where, compute);
      };
      throw new DeferredEvaluation(label, evaluate, (cycle) => {
        // The declarations that waited for one another, every MAX_EVALUATION_DEPTH-th link of the cycle.
        const shown = cycle.length > 4 ? [...cycle.slice(0, 3), cycle[cycle.length - 1]!] : cycle;
        this.sink.error(where.file, where.range, 'cycle', `cycle between declarations: ${shown.join(' → … → ')}`);
        slot.state = 'done';
        slot.value = { type: 'error' };
      });
    }
    slot.state = 'evaluating';
    this.evaluating.push(label);
    try {
      const value = compute();
      slot.state = 'done';
      slot.value = value;
      return value;
    } catch (error) {
      // Unwound for a deferred evaluation: this declaration is evaluated again when it is retried.
      slot.state = 'pending';
      throw error;
    } finally {
      this.evaluating.pop();
    }
  }

  /** `compute` from a shallow stack, declarations too deep in it evaluated first. */
  private settled<T>(compute: () => T): T {
    return settle(compute, this.budget);
  }

  private checkKind(decl: Declaration, file: string, label: string, value: Value): Value {
    if (value.type === 'error') return value;
    if (value.type === 'symbol') {
      this.reportUnknownName(value.name, file, decl.value.range);
      return { type: 'error' };
    }
    const accepted = KIND_ACCEPTS[decl.kind];
    if (accepted.includes(value.type)) return value;
    const what = decl.value.type === 'Call' ? `${decl.value.callee.name}(...) returns ${describeType(value.type)}` : `this is ${describeType(value.type)}`;
    this.sink.error(file, decl.value.range, 'type-mismatch', `${decl.kind} ${label} must be ${KIND_NOUN[decl.kind]}, but ${what}`, [
      { file, range: decl.kindRange, message: `declared as ${decl.kind} here` },
    ]);
    return { type: 'error' };
  }

  reportUnknownName(name: string, file: string, range: SourceRange): void {
    // The same misspelling in every iteration of a loop is compared with every declared name once.
    let hint = this.unknownNameHints.get(name);
    if (hint === undefined) {
      const candidates = [...this.params.keys(), ...this.groups.keys()];
      hint = this.options.library.ops.has(name) ? ` ('${name}' is a function: call it as ${name}(...))` : didYouMean(name, candidates);
      this.unknownNameHints.set(name, hint);
    }
    this.sink.error(file, range, 'unknown-name', `unknown name '${name}'${hint}`);
  }

  /** `t[1], t[2], …, t[9]`: the declared members of a family, for errors about one that is not. */
  private declaredMembers(group: DeclGroup): string {
    let shown = this.memberSummaries.get(group);
    if (shown === undefined) {
      const known = [...group.entries.values()].map((e) => entryLabel(group.name, e.index)).sort();
      shown = known.length > 6 ? `${known.slice(0, 3).join(', ')}, …, ${known.slice(-2).join(', ')}` : known.join(', ');
      this.memberSummaries.set(group, shown);
    }
    return shown;
  }

  // -------------------------------------------------------------------------------------------
  // Expressions.

  /** An index of a declaration: an integer or a string (a loop over names indexes by them). */
  private evalIndexValue(expr: Expression, env: Env, what: string): IndexValue | undefined {
    const v = this.evalExpr(expr, env);
    if (v.type === 'string') return v.value;
    if (v.type === 'number' && Number.isInteger(v.value)) return v.value;
    if (v.type === 'error') return undefined;
    if (v.type === 'symbol') {
      this.reportUnknownName(v.name, env.file, expr.range);
      return undefined;
    }
    this.sink.error(env.file, expr.range, 'not-integer', `${what} must be an integer or a string, but this is ${v.type === 'number' ? String(v.value) : describeType(v.type)}`);
    return undefined;
  }

  evalInteger(expr: Expression, env: Env, what: string): number | undefined {
    const v = this.evalExpr(expr, env);
    if (v.type === 'error') return undefined;
    if (v.type === 'symbol') {
      this.reportUnknownName(v.name, env.file, expr.range);
      return undefined;
    }
    if (v.type !== 'number' || !Number.isInteger(v.value)) {
      this.sink.error(env.file, expr.range, 'not-integer', `${what} must be an integer, but this is ${v.type === 'number' ? String(v.value) : describeType(v.type)}`);
      return undefined;
    }
    return v.value;
  }

  evalExpr(expr: Expression, env: Env, label?: string): Value {
    switch (expr.type) {
      case 'NumberLiteral':
      case 'PercentLiteral':
        return { type: 'number', value: expr.value };
      case 'StringLiteral':
        return { type: 'string', value: expr.value };
      case 'BooleanLiteral':
        return { type: 'boolean', value: expr.value };
      case 'Quantity': {
        const amount = this.evalExpr(expr.amount, env);
        if (amount.type === 'error') return amount;
        if (amount.type !== 'number' || amount.value < 0) {
          this.sink.error(env.file, expr.amount.range, 'bad-quantity', `a quantity of ${expr.unit} needs a non-negative number before the unit`);
          return { type: 'error' };
        }
        return { type: 'quantity', value: { amount: amount.value, unit: expr.unit } };
      }
      case 'List': {
        const items = expr.items.map((item) => this.evalExpr(item, env));
        const coords = expr.items.map((item, i) => (items[i]!.type === 'error' ? undefined : this.declaredCoordinates(item, env)));
        return coords.some((c) => c !== undefined) ? { type: 'list', items, coords } : { type: 'list', items };
      }
      case 'Record': {
        const entries: { key: string; value: Value }[] = [];
        const keys = new Set<string>();
        for (const entry of expr.entries) {
          if (keys.has(entry.key.name)) {
            this.sink.error(env.file, entry.key.range, 'duplicate-key', `the record has '${entry.key.name}' twice`);
            continue;
          }
          keys.add(entry.key.name);
          entries.push({ key: entry.key.name, value: this.evalExpr(entry.value, env) });
        }
        return { type: 'record', entries };
      }
      case 'Range':
        this.sink.error(env.file, expr.range, 'misplaced-range', 'a range (a..b) can only be what a for loop runs over; write a list [..] here');
        return { type: 'error' };
      case 'Reference':
        return this.evalReference(expr.name, expr.range, env);
      case 'Member':
        return this.evalMember(expr, env);
      case 'Index':
        return this.evalIndex(expr, env);
      case 'Call':
        return this.evalCall(expr, env, label);
      case 'At':
        return this.evalAt(expr, env);
      case 'Binary':
        return this.evalBinary(expr, env);
      case 'Unary': {
        const v = this.evalExpr(expr.operand, env);
        if (v.type === 'error') return v;
        if (v.type !== 'number') {
          this.sink.error(env.file, expr.range, 'type-mismatch', `'-' needs a number, but this is ${describeType(v.type)}`);
          return { type: 'error' };
        }
        return { type: 'number', value: -v.value };
      }
      case 'Paren':
        return this.evalExpr(expr.expression, env, label);
      case 'ErrorExpression':
        return { type: 'error' };
    }
  }

  /** A run of operators, evaluated left to right in a loop (a long sum is a deep tree). */
  private evalBinary(expr: Extract<Expression, { type: 'Binary' }>, env: Env): Value {
    const { first, links } = binaryChain(expr);
    let value = this.evalExpr(first, env);
    for (const link of links) value = this.applyOperator(link.node, value, this.evalExpr(link.right, env), env);
    return value;
  }

  private applyOperator(expr: Extract<Expression, { type: 'Binary' }>, left: Value, right: Value, env: Env): Value {
    if (left.type === 'error' || right.type === 'error') return { type: 'error' };
    const quantity = this.quantityArithmetic(expr, left, right, env);
    if (quantity) return quantity;
    for (const [side, v] of [[expr.left, left], [expr.right, right]] as const) {
      if (v.type === 'symbol') {
        this.reportUnknownName(v.name, env.file, side.range);
        return { type: 'error' };
      }
      if (v.type !== 'number') {
        this.sink.error(env.file, side.range, 'type-mismatch', `'${expr.operator}' needs numbers, but this is ${describeType(v.type)}`);
        return { type: 'error' };
      }
    }
    const a = (left as { value: number }).value;
    const b = (right as { value: number }).value;
    if (expr.operator === '/' && b === 0) {
      this.sink.error(env.file, expr.right.range, 'division-by-zero', 'division by zero');
      return { type: 'error' };
    }
    return this.finiteNumber(expr, arithmetic(expr.operator, a, b), env);
  }

  /** A result of arithmetic, unless it overflowed the doubles. */
  private finiteNumber(expr: Expression, value: number, env: Env): Value {
    if (Number.isFinite(value)) return { type: 'number', value };
    this.sink.error(env.file, expr.range, 'not-finite', `the result of this arithmetic is not a finite number (the largest is about 1.8e308)`);
    return { type: 'error' };
  }

  /** `2 * 24 steps`, `rewind + 100 steps`: quantities scale by numbers and add within one unit. */
  private quantityArithmetic(expr: Extract<Expression, { type: 'Binary' }>, left: Value, right: Value, env: Env): Value | undefined {
    if (left.type !== 'quantity' && right.type !== 'quantity') return undefined;
    const op = expr.operator;
    if (left.type === 'quantity' && right.type === 'quantity') {
      if ((op === '+' || op === '-') && left.value.unit === right.value.unit) {
        const amount = op === '+' ? left.value.amount + right.value.amount : left.value.amount - right.value.amount;
        if (amount >= 0) {
          const finite = this.finiteNumber(expr, amount, env);
          return finite.type === 'number' ? { type: 'quantity', value: { amount, unit: left.value.unit } } : finite;
        }
      }
    } else {
      const q = left.type === 'quantity' ? left.value : (right as { value: { amount: number; unit: 'steps' | 'epochs' } }).value;
      const n = left.type === 'number' ? left.value : right.type === 'number' ? right.value : undefined;
      if (n !== undefined && n >= 0 && (op === '*' || (op === '/' && left.type === 'quantity' && n !== 0))) {
        const amount = this.finiteNumber(expr, op === '*' ? q.amount * n : q.amount / n, env);
        return amount.type === 'number' ? { type: 'quantity', value: { amount: amount.value, unit: q.unit } } : amount;
      }
    }
    if (left.type === 'quantity' && right.type === 'quantity' && left.value.unit !== right.value.unit) {
      this.sink.error(env.file, expr.range, 'type-mismatch', `'${op}' cannot ${op === '+' ? 'add' : 'subtract'} ${left.value.unit} and ${right.value.unit}: ` +
        `the steps of an epoch depend on the run's data and batch; write the length in one unit (e.g. 500 steps, or 3 epochs)`);
      return { type: 'error' };
    }
    this.sink.error(env.file, expr.range, 'type-mismatch', `'${op}' cannot combine ${describeType(left.type)} and ${describeType(right.type)} (quantities add within one unit and scale by numbers)`);
    return { type: 'error' };
  }

  private evalReference(name: string, range: SourceRange, env: Env): Value {
    const loopValue = env.vars.get(name);
    if (loopValue !== undefined) return typeof loopValue === 'number' ? { type: 'number', value: loopValue } : { type: 'string', value: loopValue };
    if (this.params.has(name)) return this.evalParam(name, range, env.file);
    const group = this.groups.get(name);
    if (!group) return { type: 'symbol', name, origin: { file: env.file, range } };
    if (group.arity === 0) return this.evalEntry(group, group.entries.get('')!, { file: env.file, range });
    return this.familyOf(group, [], { file: env.file, range });
  }

  /** The members of an indexed name whose first indices are `prefix`. */
  private familyOf(group: DeclGroup, prefix: IndexValue[], at: { file: string; range: SourceRange }): Value {
    // A family used in every iteration of a loop is built once: every entry is declared before any is evaluated.
    const key = indexKey(prefix);
    const built = this.families.get(group)?.get(key);
    if (built) return built;
    const members: FamilyMember[] = [];
    const sorted = sortedEntries(group);
    for (const entry of sorted) {
      if (!prefix.every((v, i) => entry.index[i] === v)) continue;
      const value = this.evalEntry(group, entry, at);
      if (value.type === 'error') return value;
      const coords = coordinatesOf(group, entry);
      members.push({ coords, label: entryLabel(group.name, entry.index), value });
    }
    if (members.length === 0) {
      this.sink.error(at.file, at.range, 'unknown-member', `${entryLabel(group.name, prefix)} has no members`);
      return { type: 'error' };
    }
    const family: Value = { type: 'family', members };
    if (!this.families.has(group)) this.families.set(group, new Map());
    this.families.get(group)!.set(key, family);
    return family;
  }

  private evalIndex(expr: Extract<Expression, { type: 'Index' }>, env: Env): Value {
    // Collect the chain t[a][b]… down to its base.
    const chain: (Expression | null)[] = [];
    let base: Expression = expr;
    while (base.type === 'Index') {
      chain.unshift(base.index);
      base = base.object;
    }
    if (base.type === 'Reference' && !env.vars.has(base.name) && !this.params.has(base.name)) {
      const group = this.groups.get(base.name);
      if (!group) {
        this.reportUnknownName(base.name, env.file, base.range);
        return { type: 'error' };
      }
      if (group.arity > 0) return this.indexDeclared(group, chain, expr, env);
    }
    let value = this.evalExpr(base, env);
    for (const indexExpr of chain) value = this.indexValue(value, indexExpr, expr, env);
    return value;
  }

  /** The coordinates of the member an expression names (`t[3]`, `acc[s][2]`), if it names one whole. */
  private declaredCoordinates(expr: Expression, env: Env): Coordinates | undefined {
    const chain: Expression[] = [];
    let base: Expression = expr;
    while (base.type === 'Index') {
      if (base.index === null) return undefined;
      chain.unshift(base.index);
      base = base.object;
    }
    if (base.type !== 'Reference' || env.vars.has(base.name) || this.params.has(base.name)) return undefined;
    const group = this.groups.get(base.name);
    if (!group || group.arity === 0 || chain.length !== group.arity) return undefined;
    const index = chain.map((e) => this.evalExpr(e, env));
    if (!index.every((v) => v.type === 'number' || v.type === 'string')) return undefined;
    const entry = group.entries.get(indexKey(index.map((v) => (v as { value: IndexValue }).value)));
    return entry ? coordinatesOf(group, entry) : undefined;
  }

  private indexDeclared(group: DeclGroup, chain: (Expression | null)[], expr: Expression, env: Env): Value {
    if (chain.length > group.arity) {
      // `ticket[seed][4]`: the member's own value (a lottery, a family, a list) takes the rest.
      if (chain.slice(0, group.arity).includes(null)) {
        this.sink.error(env.file, expr.range, 'bad-index', `after [*] no further index can be given`);
        return { type: 'error' };
      }
      let value = this.indexDeclared(group, chain.slice(0, group.arity), expr, env);
      for (const indexExpr of chain.slice(group.arity)) value = this.indexValue(value, indexExpr, expr, env);
      return value;
    }
    const prefix: IndexValue[] = [];
    let whole = false;
    for (const indexExpr of chain) {
      if (indexExpr === null) {
        whole = true;
        continue;
      }
      if (whole) {
        this.sink.error(env.file, indexExpr.range, 'bad-index', `after [*] no further index can be given`);
        return { type: 'error' };
      }
      const i = this.evalIndexValue(indexExpr, env, `an index of ${group.name}`);
      if (i === undefined) return { type: 'error' };
      prefix.push(i);
    }
    const at = { file: env.file, range: expr.range };
    if (prefix.length === group.arity) {
      const entry = group.entries.get(indexKey(prefix));
      if (!entry) {
        this.sink.error(env.file, expr.range, 'unknown-member', `${entryLabel(group.name, prefix)} is not declared (declared: ${this.declaredMembers(group)})`);
        return { type: 'error' };
      }
      return this.evalEntry(group, entry, at);
    }
    return this.familyOf(group, prefix, at);
  }

  private indexValue(value: Value, indexExpr: Expression | null, expr: Expression, env: Env): Value {
    if (value.type === 'error') return value;
    if (indexExpr === null) {
      if (value.type === 'family' || value.type === 'lottery' || value.type === 'list') return value;
      this.sink.error(env.file, expr.range, 'bad-index', `[*] needs a family, but this is ${describeType(value.type)}`);
      return { type: 'error' };
    }
    const i = this.evalInteger(indexExpr, env, 'an index');
    if (i === undefined) return { type: 'error' };
    if (value.type === 'list') {
      const item = value.items[i];
      if (item) return item;
      this.sink.error(env.file, indexExpr.range, 'bad-index', `index ${i} is outside the list (0..${value.items.length - 1})`);
      return { type: 'error' };
    }
    if (value.type === 'lottery' || value.type === 'family') {
      const members = value.members;
      const dims = members.length > 0 ? Object.keys(members[0]!.coords) : [];
      const member = dims.length === 1
        ? members.find((m) => m.coords[dims[0]!] === i)
        : members[i];
      if (member) return member.value;
      this.sink.error(env.file, indexExpr.range, 'bad-index', `no member [${i}] (members: ${members.map((m) => Object.values(m.coords).join(',')).join(' ')})`);
      return { type: 'error' };
    }
    if (value.type === 'symbol') {
      this.reportUnknownName(value.name, env.file, value.origin.range);
      return { type: 'error' };
    }
    this.sink.error(env.file, expr.range, 'bad-index', `only families, lotteries and lists can be indexed, but this is ${describeType(value.type)}`);
    return { type: 'error' };
  }

  private evalMember(expr: Extract<Expression, { type: 'Member' }>, env: Env): Value {
    const object = this.evalExpr(expr.object, env);
    const property = expr.property.name;
    const fail = (message: string): Value => {
      this.sink.error(env.file, expr.property.range, 'unknown-member', message);
      return { type: 'error' };
    };
    switch (object.type) {
      case 'error': return object;
      case 'symbol':
        this.reportUnknownName(object.name, env.file, object.origin.range);
        return { type: 'error' };
      case 'dataset':
        if (property === 'train' || property === 'test') return { type: 'split', split: { dataset: object.dataset, split: property } };
        return fail(`a dataset has the splits .train and .test, not .${property}${didYouMean(property, ['train', 'test'])}`);
      case 'run': {
        const run = object.node;
        if (property === 'mask') {
          return { type: 'mask', node: trainingMask(this, run.start) };
        }
        if (property === 'final') return { type: 'checkpoint', node: { node: 'at', run, step: run.steps } };
        if (property === 'start') return run.start.node === 'init' ? { type: 'init', node: run.start } : { type: 'checkpoint', node: run.start };
        return fail(`a training run has .mask, .start and .final, not .${property}${didYouMean(property, ['mask', 'start', 'final'])}`);
      }
      case 'lottery':
        if (property === 'dense') return { type: 'run', node: object.base };
        return fail(`a lottery has .dense and members [level], not .${property}`);
      default:
        return fail(`${describeType(object.type)} has no member .${property}`);
    }
  }

  private evalAt(expr: Extract<Expression, { type: 'At' }>, env: Env): Value {
    const run = this.evalExpr(expr.run, env);
    if (run.type === 'error') return run;
    if (run.type === 'symbol') {
      this.reportUnknownName(run.name, env.file, expr.run.range);
      return { type: 'error' };
    }
    if (run.type !== 'run') {
      this.sink.error(env.file, expr.run.range, 'type-mismatch', `'@' takes a training run on its left, but this is ${describeType(run.type)}`);
      return { type: 'error' };
    }
    const node = run.node;
    const quantity = this.evalExpr(expr.at, env);
    if (quantity.type === 'error') return quantity;
    const steps = this.quantityToSteps(quantity, node.data.dataset, node.batch, env.file, expr.at.range, `'@'`);
    if (steps === undefined) return { type: 'error' };
    const name = node.label.name;
    if (!expr.every) {
      if (steps > node.steps || steps < node.startStep) {
        this.sink.error(env.file, expr.at.range, 'step-out-of-range', `${name} @ ${steps} steps is outside ${name}, which trains from step ${node.startStep} to step ${node.steps}`);
        return { type: 'error' };
      }
      if (!this.budget.spend('stages', 1, env.file, expr.range)) return { type: 'error' };
      this.addSplit(node, steps);
      if (steps === node.startStep) return node.start.node === 'init' ? { type: 'init', node: node.start } : { type: 'checkpoint', node: node.start };
      return { type: 'checkpoint', node: { node: 'at', run: node, step: steps } };
    }
    if (steps <= 0) {
      this.sink.error(env.file, expr.at.range, 'bad-interval', `'@ every' needs a positive interval`);
      return { type: 'error' };
    }
    if (!this.budget.spend('stages', Math.ceil((node.steps - node.startStep) / steps) + 1, env.file, expr.range)) return { type: 'error' };
    const members: FamilyMember[] = [];
    for (let s = node.startStep; ; s += steps) {
      const step = Math.min(s, node.steps);
      this.addSplit(node, step);
      const value: Value = step === node.startStep
        ? (node.start.node === 'init' ? { type: 'init', node: node.start } : { type: 'checkpoint', node: node.start })
        : { type: 'checkpoint', node: { node: 'at', run: node, step } };
      members.push({ coords: { step }, label: `${name} @ ${step} steps`, value, run: node });
      if (step >= node.steps) break;
    }
    return { type: 'family', members };
  }

  addSplit(run: RunNode, step: number): void {
    if (step <= run.startStep || step >= run.steps) return;
    let set = this.splits.get(run);
    if (!set) this.splits.set(run, (set = new Set()));
    set.add(step);
  }

  /** Steps of a quantity (or a plain integer); epochs from the dataset's train size and the batch size. */
  quantityToSteps(value: Value | TypedPlaceholder | number, dataset: { op: string; params: { [key: string]: Json }; sizes?: { train: number } }, batch: number, file: string, range: SourceRange, what: string): number | undefined {
    let amount: number;
    let unit: 'steps' | 'epochs';
    if (typeof value === 'number') {
      amount = value;
      unit = 'steps';
    } else if ('$ltx' in value) {
      amount = value.amount ?? 0;
      unit = (value.unit as 'steps' | 'epochs') ?? 'steps';
    } else if (value.type === 'quantity') {
      amount = value.value.amount;
      unit = value.value.unit;
    } else if (value.type === 'number' && Number.isInteger(value.value) && value.value >= 0) {
      amount = value.value;
      unit = 'steps';
    } else {
      this.sink.error(file, range, 'type-mismatch', `${what} needs a number of steps or epochs (e.g. 500 steps), but this is ${value.type === 'symbol' ? `the unknown name '${value.name}'` : describeType(value.type)}`);
      return undefined;
    }
    if (unit === 'steps') {
      if (!Number.isInteger(amount)) {
        this.sink.error(file, range, 'fractional-steps', `a number of steps must be a whole number, not ${amount}`);
        return undefined;
      }
      return this.boundedSteps(amount, file, range, what);
    }
    const sizes = dataset.sizes ?? this.options.datasetSizes?.(dataset.op, dataset.params);
    if (!sizes || 'refused' in sizes) {
      this.sink.error(file, range, 'unknown-epoch', `epochs of ${dataset.op} cannot be converted to steps: its size is not known before it is read; give steps instead`);
      return undefined;
    }
    const perEpoch = Math.ceil(sizes.train / batch);
    const steps = amount * perEpoch;
    if (!Number.isInteger(steps)) {
      this.sink.error(file, range, 'fractional-steps', `${amount} epochs of ${perEpoch} steps is not a whole number of steps (${steps})`);
      return undefined;
    }
    return this.boundedSteps(steps, file, range, what);
  }

  private boundedSteps(steps: number, file: string, range: SourceRange, what: string): number | undefined {
    if (steps <= LIMITS.steps) return steps;
    this.sink.error(file, range, 'too-many-steps', `${what} names step ${formatCount(steps)}, past the ${formatCount(LIMITS.steps)} steps a run may have`);
    return undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Calls: arguments bound, lowered to JSON, validated by the signature's schema, then built.

  private evalCall(call: CallExpression, env: Env, label?: string): Value {
    const name = call.callee.name;
    const signature = this.options.library.op(name);
    if (!signature) {
      const declared = this.groups.has(name) || this.params.has(name) ? ` ('${name}' is a declaration, not a function)` : '';
      this.sink.error(env.file, call.callee.range, 'unknown-function', `unknown function '${name}'${declared || didYouMean(name, this.options.library.ops.keys())}`);
      for (const arg of call.args) this.evalExpr(arg.value, env);
      return { type: 'error' };
    }
    // A call nested in a declaration is named after it: `shuffled[1]/random_mask`.
    const outer = this.evaluating[this.evaluating.length - 1];
    return this.applySignature(signature, call, env, label ?? (outer ? `${outer}/${name}` : name));
  }

  private applySignature(signature: OpModule, call: CallExpression, env: Env, label: string): Value {
    const values = new Map<string, Value>();
    const sites: ArgumentSites = { call: call.range, callee: call.callee.range, values: new Map(), names: new Map(), items: new Map(), spelled: new Map() };
    const json: Record<string, unknown> = {};
    const placeholders = new Map<number, Value>();
    let positional = 0;
    let broken = false;
    for (const arg of call.args) {
      let param: string;
      if (arg.name) param = arg.name.name;
      else {
        const p = signature.positional[positional++];
        if (p === undefined) {
          const names = signature.positional.length ? ` (${signature.positional.join(', ')})` : '';
          this.sink.error(env.file, arg.range, 'too-many-positional', `${signature.name} takes ${signature.positional.length} positional argument${signature.positional.length === 1 ? '' : 's'}${names}; name this one`);
          this.evalExpr(arg.value, env);
          broken = true;
          continue;
        }
        param = p;
      }
      if (values.has(param)) {
        this.sink.error(env.file, arg.name?.range ?? arg.range, 'duplicate-argument', `argument '${param}' of ${signature.name} is given twice`);
        broken = true;
        continue;
      }
      const value = this.evalExpr(arg.value, env);
      values.set(param, value);
      sites.values.set(param, arg.value.range);
      if (arg.name) sites.names.set(param, arg.name.range);
      if (arg.value.type === 'List') sites.items.set(param, arg.value.items.map((i) => i.range));
      if (arg.value.type === 'Record') sites.items.set(param, arg.value.entries.map((e) => e.range));
      if (arg.value.type === 'Reference') sites.spelled.set(param, arg.value.name);
      const propertySchema = ((signature.schema.properties ?? {}) as Record<string, Record<string, unknown>>)[param];
      // An unknown argument is reported as such; a bare word in it (`activaton: tanh`) is no unknown name too.
      const unknownArgument = propertySchema === undefined && signature.schema.additionalProperties === false;
      json[param] = unknownArgument ? { $ltx: 'error' } : this.toJson(value, propertySchema, placeholders, env);
    }
    sites.omitRequired = broken;
    const problems = checkArguments(signature, json, sites);
    for (const p of problems) this.argumentProblem(call, env, { severity: 'error', code: 'schema', message: p.message, file: env.file, range: p.range });
    if (problems.length > 0 || broken || hasError(json)) return { type: 'error' };
    const ctx: CallContext = { host: this, signature, call, env, args: json, values, placeholders, sites, label };
    const before = this.sink.diagnostics.length;
    const value = lowerCall(ctx);
    for (const d of this.sink.takeAfter(before)) this.argumentProblem(call, env, d);
    return value;
  }

  /**
   * A problem with an argument of `call`: when the argument's value comes from `--set` flags (it names
   * an overridden param, directly or through other params), a usage error of those flags; else the
   * diagnostic. The program is fine as written: the command line gave it the bad value.
   */
  private argumentProblem(call: CallExpression, env: Env, problem: Diagnostic): void {
    const flags = problem.file === env.file ? this.overridesBehind(call, problem.range) : [];
    if (flags.length === 0) {
      this.sink.push(problem);
      return;
    }
    const where = `${problem.file}:${problem.range.start.line}:${problem.range.start.column}`;
    this.usageErrors.push(`${flags.join(', ')}: ${problem.message} (at ${where})`);
  }

  /** The `--set NAME=VALUE` flags behind the argument of `call` written at `range`. */
  private overridesBehind(call: CallExpression, range: SourceRange): string[] {
    const at = range.start.offset;
    const arg = call.args.find((a) => a.value.range.start.offset <= at && at <= a.value.range.end.offset);
    if (!arg) return [];
    const flags: string[] = [];
    const seen = new Set<string>();
    const pending = [...referencedNames(arg.value)];
    while (pending.length > 0) {
      const name = pending.pop()!;
      const param = this.params.get(name);
      if (!param || seen.has(name)) continue;
      seen.add(name);
      if (param.override) flags.push(`--set ${name}=${this.options.sets?.findLast((set) => set.name === name)?.value ?? ''}`);
      else pending.push(...referencedNames(param.decl.value));
    }
    return flags.sort();
  }

  /** An argument as ajv sees it: literals as JSON, everything else as a typed placeholder. */
  private toJson(value: Value, schema: Record<string, unknown> | undefined, placeholders: Map<number, Value>, env: Env): unknown {
    switch (value.type) {
      case 'number': case 'string': case 'boolean': return value.value;
      case 'quantity': return { $ltx: 'quantity', amount: value.value.amount, unit: value.value.unit };
      case 'list': {
        // Where a family is expected, a list is one: its items are the members.
        if ((schema?.ltxType as string[] | undefined)?.includes('family')) {
          return value.items.some((item) => item.type === 'error') ? { $ltx: 'error' } : this.placeholder(value, placeholders);
        }
        const items = schema?.items as Record<string, unknown> | undefined;
        return value.items.map((v) => this.toJson(v, items, placeholders, env));
      }
      case 'record': {
        const out: Record<string, unknown> = {};
        const inner = schema?.additionalProperties as Record<string, unknown> | undefined;
        for (const e of value.entries) out[e.key] = this.toJson(e.value, typeof inner === 'object' ? inner : undefined, placeholders, env);
        return out;
      }
      case 'symbol': {
        const allowed = schema?.enum as unknown[] | undefined;
        if (allowed?.includes(value.name)) return value.name;
        const types = schema?.ltxType as string[] | undefined;
        const schedule = this.options.library.op(value.name);
        if (types?.includes('schedule') && schedule?.category === 'schedule') {
          const call: CallExpression = { type: 'Call', callee: { type: 'Identifier', name: value.name, range: value.origin.range }, args: [], range: value.origin.range };
          const v = this.applySignature(schedule, call, env, value.name);
          return this.toJson(v, schema, placeholders, env);
        }
        if (allowed || schema?.type === 'string') return value.name;
        this.reportUnknownName(value.name, env.file, value.origin.range);
        return { $ltx: 'error' };
      }
      case 'error': return { $ltx: 'error' };
      default:
        return this.placeholder(value, placeholders);
    }
  }

  private placeholder(value: Value, placeholders: Map<number, Value>): TypedPlaceholder {
    const id = this.nextPlaceholder++;
    placeholders.set(id, value);
    return { $ltx: value.type, $id: id };
  }
}

function arithmetic(operator: BinaryOperator, a: number, b: number): number {
  switch (operator) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    // Integer arithmetic for indices: integers divide to an integer (rounded down).
    case '/': return Number.isInteger(a) && Number.isInteger(b) ? Math.floor(a / b) : a / b;
  }
}

function isRunKind(kind: DeclarationKind): boolean {
  return kind === 'train' || kind === 'control';
}

/** Entries in index order: integers by value, strings in the order the loop gave them (first declared first). */
function sortedEntries(group: DeclGroup): DeclEntry[] {
  const firstSeen = new Map<string, number>();
  for (const entry of group.entries.values()) {
    entry.index.forEach((v, d) => {
      if (typeof v === 'string' && !firstSeen.has(`${d}:${v}`)) firstSeen.set(`${d}:${v}`, firstSeen.size);
    });
  }
  const compare = (x: IndexValue, y: IndexValue, d: number): number => {
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number' || typeof y === 'number') return typeof x === 'number' ? -1 : 1;
    return firstSeen.get(`${d}:${x}`)! - firstSeen.get(`${d}:${y}`)!;
  };
  return [...group.entries.values()].sort((a, b) => {
    for (let d = 0; d < Math.min(a.index.length, b.index.length); d++) {
      const difference = compare(a.index[d]!, b.index[d]!, d);
      if (difference !== 0) return difference;
    }
    return a.index.length - b.index.length;
  });
}

function hasError(json: unknown): boolean {
  if (json === null || typeof json !== 'object') return false;
  if ((json as TypedPlaceholder).$ltx === 'error') return true;
  return Object.values(json as object).some(hasError);
}

function containsReference(expr: Expression): boolean {
  switch (expr.type) {
    case 'Reference': case 'Call': case 'At': case 'Member': case 'Index': return true;
    case 'List': return expr.items.some(containsReference);
    case 'Record': return expr.entries.some((e) => containsReference(e.value));
    case 'Binary': return binaryOperands(expr).some(containsReference);
    case 'Unary': return containsReference(expr.operand);
    case 'Paren': return containsReference(expr.expression);
    case 'Quantity': return containsReference(expr.amount);
    default: return false;
  }
}
