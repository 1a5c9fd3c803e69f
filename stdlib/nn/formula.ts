// An elementwise formula over float32 tensors of one shape: named inputs and scalars, and named
// outputs, each an expression of float32 add, sub, mul, div and sqrt. An optimizer's update is one
// (optimizers/*-update.ts): stated once, it runs as one WebAssembly SIMD pass over the tensors where
// the backend has the kernel (kernels/formula-kernel.ts), and as tfjs ops elsewhere.
//
// The ways agree bit for bit: each operation rounds its result to float32, and IEEE's add, sub, mul,
// div and sqrt are correctly rounded whether done in float32 (tfjs's kernels, f32x4) or in double and
// then rounded once (JavaScript: a double holds the exact result's first 53 bits, more than twice
// float32's 24, so the one rounding is the same). The formula fixes the order of the operations, and
// no backend contracts a multiply and an add into one (WebAssembly SIMD has no fused multiply-add).
//
// Expressions are a DAG: a value used twice (Adam's new m is both a slot and part of the step) is one
// node, computed once.

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';

export type Expr =
  | { readonly kind: 'input'; readonly name: string }
  | { readonly kind: 'scalar'; readonly name: string }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly a: Expr; readonly b: Expr }
  | { readonly kind: 'sqrt'; readonly a: Expr };

export interface Formula {
  /** Tensor inputs, in the order of first use. */
  readonly inputs: readonly string[];
  /** Scalar parameters (rounded to float32 when used), in the order of first use. */
  readonly scalars: readonly string[];
  readonly outputs: readonly { readonly name: string; readonly value: Expr }[];
}

export const input = (name: string): Expr => ({ kind: 'input', name });
export const scalar = (name: string): Expr => ({ kind: 'scalar', name });
export const add = (a: Expr, b: Expr): Expr => ({ kind: 'binary', op: 'add', a, b });
export const sub = (a: Expr, b: Expr): Expr => ({ kind: 'binary', op: 'sub', a, b });
export const mul = (a: Expr, b: Expr): Expr => ({ kind: 'binary', op: 'mul', a, b });
export const div = (a: Expr, b: Expr): Expr => ({ kind: 'binary', op: 'div', a, b });
export const sqrt = (a: Expr): Expr => ({ kind: 'sqrt', a });

/** The formula computing `outputs`; its inputs and scalars are the leaves the outputs reach. */
export function formula(outputs: Record<string, Expr>): Formula {
  const inputs: string[] = [];
  const scalars: string[] = [];
  for (const node of nodesOf(Object.values(outputs))) {
    if (node.kind === 'input' && !inputs.includes(node.name)) inputs.push(node.name);
    if (node.kind === 'scalar' && !scalars.includes(node.name)) scalars.push(node.name);
  }
  return { inputs, scalars, outputs: Object.entries(outputs).map(([name, value]) => ({ name, value })) };
}

/** Every node the roots reach, each once, children before parents. */
export function nodesOf(roots: readonly Expr[]): Expr[] {
  const order: Expr[] = [];
  const seen = new Set<Expr>();
  const visit = (node: Expr): void => {
    if (seen.has(node)) return;
    seen.add(node);
    if (node.kind === 'binary') {
      visit(node.a);
      visit(node.b);
    } else if (node.kind === 'sqrt') visit(node.a);
    order.push(node);
  };
  roots.forEach(visit);
  return order;
}

/**
 * The formula restricted to a mask (an input of 0s and 1s): `masked` inputs are multiplied by it
 * before use and every output after, so that what the mask removes stays exactly zero.
 */
export function withMask(f: Formula, maskName: string, masked: readonly string[]): Formula {
  const mask = input(maskName);
  const rewritten = new Map<Expr, Expr>();
  const rewrite = (node: Expr): Expr => {
    const known = rewritten.get(node);
    if (known) return known;
    let out: Expr;
    if (node.kind === 'input') out = masked.includes(node.name) ? mul(node, mask) : node;
    else if (node.kind === 'scalar') out = node;
    else if (node.kind === 'sqrt') out = sqrt(rewrite(node.a));
    else out = { kind: 'binary', op: node.op, a: rewrite(node.a), b: rewrite(node.b) };
    rewritten.set(node, out);
    return out;
  };
  return formula(Object.fromEntries(f.outputs.map(({ name, value }) => [name, mul(rewrite(value), mask)])));
}

const keys = new WeakMap<Formula, string>();

/** A text that names the formula's structure: equal for formulas that compute the same way. */
export function formulaKey(f: Formula): string {
  let key = keys.get(f);
  if (key === undefined) keys.set(f, (key = structureOf(f)));
  return key;
}

function structureOf(f: Formula): string {
  const nodes = nodesOf(f.outputs.map((o) => o.value));
  const index = new Map(nodes.map((node, i) => [node, i]));
  const terms = nodes.map((node) => {
    if (node.kind === 'input' || node.kind === 'scalar') return `${node.kind}:${node.name}`;
    if (node.kind === 'sqrt') return `sqrt(${index.get(node.a)})`;
    return `${node.op}(${index.get(node.a)},${index.get(node.b)})`;
  });
  return `${terms.join(';')}|${f.outputs.map((o) => `${o.name}=${index.get(o.value)}`).join(',')}`;
}

const round = Math.fround;

/**
 * The formula at one element, in float32 arithmetic: `valueOf` gives each input's value there,
 * `scalars` the scalars (rounded to float32 here). The outputs in the formula's order.
 */
export function evaluateElement(f: Formula, valueOf: (input: string) => number, scalars: Readonly<Record<string, number>>): number[] {
  const values = new Map<Expr, number>();
  for (const node of nodesOf(f.outputs.map((o) => o.value))) values.set(node, elementValue(node, values, valueOf, scalars));
  return f.outputs.map((o) => values.get(o.value)!);
}

function elementValue(node: Expr, values: Map<Expr, number>, valueOf: (input: string) => number, scalars: Readonly<Record<string, number>>): number {
  switch (node.kind) {
    case 'input':
      return round(valueOf(node.name));
    case 'scalar':
      return round(scalarValue(scalars, node.name));
    case 'sqrt':
      return round(Math.sqrt(values.get(node.a)!));
    case 'binary': {
      const a = values.get(node.a)!;
      const b = values.get(node.b)!;
      if (node.op === 'add') return round(a + b);
      if (node.op === 'sub') return round(a - b);
      if (node.op === 'mul') return round(a * b);
      return round(a / b);
    }
  }
}

/** A scalar's value; a formula run without one of its scalars is a programming error. */
export function scalarValue(scalars: Readonly<Record<string, number>>, name: string): number {
  const value = scalars[name];
  if (value === undefined) throw new Error(`the formula's scalar '${name}' has no value`);
  return value;
}
