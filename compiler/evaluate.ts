// Phase 1: evaluate every declaration to a value. Computed things (weights, masks, probes) become
// symbolic nodes; run split points are recorded as `@` references are met. Errors are reported at the
// expression they concern and evaluation goes on with an `error` value that is never reported again.
import type {
  CallExpression, Declaration, DeclarationKind, Expression, ForStatement, SourceRange, Statement,
} from '../lang/ast.ts';
import { parseExpression } from '../lang/parse.ts';
import type { Library } from '../core/library.ts';
import type { OpModule } from '../core/op.ts';
import type { Json } from '../core/json.ts';
import type { DiagnosticSink } from './diagnostics-sink.ts';
import {
  coordinatesOf, entryLabel, indexKey, type DeclEntry, type DeclGroup, type Env,
} from './declarations.ts';
import type { DatasetSizeLookup, LoweringHost } from './lowering-host.ts';
import { lowerCall, type CallContext } from './ops.ts';
import { checkArguments, type ArgumentSites, type TypedPlaceholder } from './schema-check.ts';
import { closestName, didYouMean } from '../core/suggest.ts';
import type { SourceFile } from './program-loader.ts';
import {
  describeType, maskOf, type FamilyMember, type RunNode, type Value,
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
  /** Train/test sizes of a dataset when they need a file (text, custom paths). */
  datasetSizes?: DatasetSizeLookup;
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

export class Evaluator implements LoweringHost {
  readonly groups = new Map<string, DeclGroup>();
  readonly params = new Map<string, { decl: Declaration; file: string; value?: Value; state: 'pending' | 'evaluating' | 'done'; override?: Value }>();
  /** Split points of runs (steps referenced by `@`). */
  readonly splits = new Map<RunNode, Set<number>>();
  readonly sink: DiagnosticSink;
  readonly options: EvaluateOptions;
  private readonly files: SourceFile[];
  private nextPlaceholder = 0;
  /** Names of the declarations being evaluated, for cycle messages. */
  private readonly evaluating: string[] = [];
  /** Bad `--set` flags: usage errors (exit 2), not program errors. */
  readonly usageErrors: string[] = [];

  get library(): Library {
    return this.options.library;
  }

  get datasetSizes(): DatasetSizeLookup | undefined {
    return this.options.datasetSizes;
  }

  constructor(files: SourceFile[], sink: DiagnosticSink, options: EvaluateOptions) {
    this.files = files;
    this.sink = sink;
    this.options = options;
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
      const vars = new Map(env.vars);
      vars.set(variable, value);
      const inner: Env = { file: env.file, vars };
      for (const statement of loop.body) this.collectStatement(statement, inner, false);
    }
  }

  /** The values a for loop runs over: an inclusive range of integers or a list of literals. */
  private iterate(expr: Expression, env: Env): (number | string)[] | undefined {
    if (expr.type === 'Range') {
      const from = this.evalInteger(expr.from, env, 'the start of a range');
      const to = this.evalInteger(expr.to, env, 'the end of a range');
      if (from === undefined || to === undefined) return undefined;
      if (to - from > 1_000_000) {
        this.sink.error(env.file, expr.range, 'range-too-large', `the range ${from}..${to} has more than a million values`);
        return undefined;
      }
      const out: number[] = [];
      for (let i = from; i <= to; i++) out.push(i);
      return out;
    }
    const value = this.evalExpr(expr, env);
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
    const index: number[] = [];
    const indexNames: (string | undefined)[] = [];
    for (const expr of decl.indices) {
      const i = this.evalInteger(expr, env, `an index of ${name}`);
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
      const value = this.evalParam(name, param.decl.name.range, param.file);
      out.push({ name, label: name, kind: 'param', coords: {}, entry: { decl: param.decl, env: { file: param.file, vars: new Map() }, index: [], indexNames: [], state: 'done', value }, value });
    }
    for (const group of this.groups.values()) {
      for (const entry of group.entries.values()) {
        const value = this.evalEntry(group, entry);
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
    param.state = 'evaluating';
    this.evaluating.push(name);
    let value: Value;
    if (param.override) value = param.override;
    else {
      value = this.evalExpr(param.decl.value, { file: param.file, vars: new Map() });
      if (value.type !== 'error' && !KIND_ACCEPTS.param.includes(value.type)) {
        this.sink.error(param.file, param.decl.value.range, 'type-mismatch', `param ${name} must be a literal value (number, percentage, quantity, string, boolean, list or record), but this is ${describeType(value.type)}`);
        value = { type: 'error' };
      }
    }
    this.evaluating.pop();
    param.state = 'done';
    param.value = value;
    return value;
  }

  evalEntry(group: DeclGroup, entry: DeclEntry, at?: { file: string; range: SourceRange }): Value {
    if (entry.state === 'done') return entry.value!;
    const label = entryLabel(group.name, entry.index);
    if (entry.state === 'evaluating') {
      const start = this.evaluating.indexOf(label);
      const chain = [...this.evaluating.slice(start >= 0 ? start : 0), label].join(' → ');
      const where = at ?? { file: entry.env.file, range: entry.decl.name.range };
      this.sink.error(where.file, where.range, 'cycle', `cycle between declarations: ${chain}`);
      return { type: 'error' };
    }
    entry.state = 'evaluating';
    this.evaluating.push(label);
    let value = this.evalExpr(entry.decl.value, entry.env, label);
    value = this.checkKind(entry.decl, entry.env.file, label, value);
    this.evaluating.pop();
    entry.state = 'done';
    entry.value = value;
    return value;
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
    const candidates = [...this.params.keys(), ...this.groups.keys()];
    const fn = this.options.library.ops.has(name) ? ` ('${name}' is a function: call it as ${name}(...))` : '';
    this.sink.error(file, range, 'unknown-name', `unknown name '${name}'${fn || didYouMean(name, candidates)}`);
  }

  // -------------------------------------------------------------------------------------------
  // Expressions.

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
      case 'List':
        return { type: 'list', items: expr.items.map((item) => this.evalExpr(item, env)) };
      case 'Record': {
        const entries: { key: string; value: Value }[] = [];
        for (const entry of expr.entries) {
          if (entries.some((e) => e.key === entry.key.name)) {
            this.sink.error(env.file, entry.key.range, 'duplicate-key', `the record has '${entry.key.name}' twice`);
            continue;
          }
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

  private evalBinary(expr: Extract<Expression, { type: 'Binary' }>, env: Env): Value {
    const left = this.evalExpr(expr.left, env);
    const right = this.evalExpr(expr.right, env);
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
    switch (expr.operator) {
      case '+': return { type: 'number', value: a + b };
      case '-': return { type: 'number', value: a - b };
      case '*': return { type: 'number', value: a * b };
      case '/':
        if (b === 0) {
          this.sink.error(env.file, expr.right.range, 'division-by-zero', 'division by zero');
          return { type: 'error' };
        }
        // Integer arithmetic for indices: integers divide to an integer (rounded down).
        return { type: 'number', value: Number.isInteger(a) && Number.isInteger(b) ? Math.floor(a / b) : a / b };
    }
  }

  /** `2 * 24 steps`, `rewind + 100 steps`: quantities scale by numbers and add within one unit. */
  private quantityArithmetic(expr: Extract<Expression, { type: 'Binary' }>, left: Value, right: Value, env: Env): Value | undefined {
    if (left.type !== 'quantity' && right.type !== 'quantity') return undefined;
    const op = expr.operator;
    if (left.type === 'quantity' && right.type === 'quantity') {
      if ((op === '+' || op === '-') && left.value.unit === right.value.unit) {
        const amount = op === '+' ? left.value.amount + right.value.amount : left.value.amount - right.value.amount;
        if (amount >= 0) return { type: 'quantity', value: { amount, unit: left.value.unit } };
      }
    } else {
      const q = left.type === 'quantity' ? left.value : (right as { value: { amount: number; unit: 'steps' | 'epochs' } }).value;
      const n = left.type === 'number' ? left.value : right.type === 'number' ? right.value : undefined;
      if (n !== undefined && n >= 0 && (op === '*' || (op === '/' && left.type === 'quantity' && n !== 0))) {
        return { type: 'quantity', value: { amount: op === '*' ? q.amount * n : q.amount / n, unit: q.unit } };
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
  private familyOf(group: DeclGroup, prefix: number[], at: { file: string; range: SourceRange }): Value {
    const members: FamilyMember[] = [];
    const sorted = [...group.entries.values()].sort((a, b) => compareIndex(a.index, b.index));
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
    return { type: 'family', members };
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
    const prefix: number[] = [];
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
      const i = this.evalInteger(indexExpr, env, `an index of ${group.name}`);
      if (i === undefined) return { type: 'error' };
      prefix.push(i);
    }
    const at = { file: env.file, range: expr.range };
    if (prefix.length === group.arity) {
      const entry = group.entries.get(indexKey(prefix));
      if (!entry) {
        const known = [...group.entries.values()].map((e) => entryLabel(group.name, e.index)).sort();
        const shown = known.length > 6 ? `${known.slice(0, 3).join(', ')}, …, ${known.slice(-2).join(', ')}` : known.join(', ');
        this.sink.error(env.file, expr.range, 'unknown-member', `${entryLabel(group.name, prefix)} is not declared (declared: ${shown})`);
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
          const mask = maskOf(run.start);
          if (!mask) return fail(`${run.label.name} trained without a mask, so it has no .mask`);
          return { type: 'mask', node: mask };
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
      this.addSplit(node, steps);
      if (steps === node.startStep) return node.start.node === 'init' ? { type: 'init', node: node.start } : { type: 'checkpoint', node: node.start };
      return { type: 'checkpoint', node: { node: 'at', run: node, step: steps } };
    }
    if (steps <= 0) {
      this.sink.error(env.file, expr.at.range, 'bad-interval', `'@ every' needs a positive interval`);
      return { type: 'error' };
    }
    if ((node.steps - node.startStep) / steps > 100_000) {
      this.sink.error(env.file, expr.at.range, 'bad-interval', `'@ every ${steps} steps' would make more than 100,000 checkpoints`);
      return { type: 'error' };
    }
    const members: FamilyMember[] = [];
    for (let s = node.startStep; ; s += steps) {
      const step = Math.min(s, node.steps);
      this.addSplit(node, step);
      const value: Value = step === node.startStep
        ? (node.start.node === 'init' ? { type: 'init', node: node.start } : { type: 'checkpoint', node: node.start })
        : { type: 'checkpoint', node: { node: 'at', run: node, step } };
      members.push({ coords: { step }, label: `${name} @ ${step} steps`, value });
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
      return amount;
    }
    const sizes = dataset.sizes ?? this.options.datasetSizes?.(dataset.op, dataset.params);
    if (!sizes) {
      this.sink.error(file, range, 'unknown-epoch', `epochs of ${dataset.op} cannot be converted to steps: its size is not known before it is read; give steps instead`);
      return undefined;
    }
    const perEpoch = Math.ceil(sizes.train / batch);
    const steps = amount * perEpoch;
    if (!Number.isInteger(steps)) {
      this.sink.error(file, range, 'fractional-steps', `${amount} epochs of ${perEpoch} steps is not a whole number of steps (${steps})`);
      return undefined;
    }
    return steps;
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
    for (const p of problems) this.sink.error(env.file, p.range, 'schema', p.message);
    if (problems.length > 0 || broken || hasError(json)) return { type: 'error' };
    const ctx: CallContext = { host: this, signature, call, env, args: json, values, placeholders, sites, label };
    return lowerCall(ctx);
  }

  /** An argument as ajv sees it: literals as JSON, everything else as a typed placeholder. */
  private toJson(value: Value, schema: Record<string, unknown> | undefined, placeholders: Map<number, Value>, env: Env): unknown {
    switch (value.type) {
      case 'number': case 'string': case 'boolean': return value.value;
      case 'quantity': return { $ltx: 'quantity', amount: value.value.amount, unit: value.value.unit };
      case 'list': {
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
      default: {
        const id = this.nextPlaceholder++;
        placeholders.set(id, value);
        return { $ltx: value.type, $id: id };
      }
    }
  }
}

function isRunKind(kind: DeclarationKind): boolean {
  return kind === 'train' || kind === 'control';
}

function compareIndex(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
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
    case 'Binary': return containsReference(expr.left) || containsReference(expr.right);
    case 'Unary': return containsReference(expr.operand);
    case 'Paren': return containsReference(expr.expression);
    case 'Quantity': return containsReference(expr.amount);
    default: return false;
  }
}
