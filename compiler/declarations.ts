// Declaration tables: every declaration of every file, loops unrolled, indices evaluated. Order does not
// matter: the table is complete before any value is evaluated.
import type { Declaration, DeclarationKind, Expression, SourceRange, Statement } from '../lang/ast.ts';
import type { Coordinates, Value } from './values.ts';

/** The loop variables in scope where an expression stands. */
export interface Env {
  file: string;
  vars: ReadonlyMap<string, number | string>;
}

/** An index of a declaration: an integer, or a string (`net[act]` in a loop over names). */
export type IndexValue = number | string;

export interface DeclEntry {
  decl: Declaration;
  env: Env;
  /** Evaluated indices, e.g. [3] for `t[level]` when level = 3, ["relu"] for `net[act]`. */
  index: IndexValue[];
  /** Loop variable names of indices written as a bare variable (`t[level]` → 'level'). */
  indexNames: (string | undefined)[];
  state: 'pending' | 'evaluating' | 'done';
  value?: Value;
}

export interface DeclGroup {
  name: string;
  kind: DeclarationKind;
  arity: number;
  entries: Map<string, DeclEntry>;
  /** dimensionNames, once every entry is declared (it looks at all of them). */
  dimensions?: string[];
}

/** An index as written in a label: `3`, `"relu"`. */
function showIndex(i: IndexValue): string {
  return typeof i === 'string' ? JSON.stringify(i) : String(i);
}

export function indexKey(index: readonly IndexValue[]): string {
  return index.map(showIndex).join(',');
}

export function entryLabel(name: string, index: readonly IndexValue[]): string {
  return name + index.map((i) => `[${showIndex(i)}]`).join('');
}

/** Dimension names of an indexed family: the loop variable written at that position, else i1, i2, … */
export function dimensionNames(group: DeclGroup): string[] {
  const names: string[] = [];
  for (let d = 0; d < group.arity; d++) {
    let found: string | undefined;
    for (const entry of group.entries.values()) {
      found = entry.indexNames[d];
      if (found) break;
    }
    names.push(found ?? (group.arity === 1 ? 'index' : `i${d + 1}`));
  }
  return names;
}

export function coordinatesOf(group: DeclGroup, entry: DeclEntry): Coordinates {
  // Asked for every member of a family: looking through the entries each time would be quadratic.
  const dims = (group.dimensions ??= dimensionNames(group));
  const coords: Coordinates = {};
  entry.index.forEach((v, d) => { coords[dims[d]!] = v; });
  return coords;
}

export type { Statement, Expression, SourceRange };
