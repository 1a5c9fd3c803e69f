// Shared helpers for the lang tests: fixtures, AST shape checks, range stripping.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Node, Position, Program, SourceRange } from '../../lang/ast.ts';
import { LineIndex } from '../../lang/source-text.ts';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const FIXTURES_DIR = join(HERE, 'fixtures');

export interface Fixture {
  name: string;
  text: string;
}

export function fixtures(): Fixture[] {
  return readdirSync(FIXTURES_DIR)
    .filter((name) => name.endsWith('.ltx'))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(FIXTURES_DIR, name), 'utf8') }));
}

const RANGE_KEYS = new Set(['range', 'unitRange', 'kindRange']);

/** A deep copy without source ranges (and, when asked, without raw spellings). */
export function stripRanges(value: unknown, options: { raw?: boolean } = {}): unknown {
  if (Array.isArray(value)) return value.map((item) => stripRanges(item, options));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (RANGE_KEYS.has(key)) continue;
    if (options.raw === false && (key === 'raw' || key === 'unitRaw')) continue;
    out[key] = stripRanges(item, options);
  }
  return out;
}

/** The program's statements without ranges: what "the same AST" means for the formatter. */
export function shape(program: Program): unknown {
  return stripRanges(program.body);
}

function positionProblem(position: Position | undefined, lines: LineIndex, where: string): string | null {
  if (position === undefined) return `${where}: missing position`;
  const { offset, line, column } = position;
  if (![offset, line, column].every(Number.isInteger)) return `${where}: non-integer position ${JSON.stringify(position)}`;
  if (offset < 0 || offset > lines.text.length) return `${where}: offset ${offset} outside the text`;
  if (line < 1 || line > lines.lineCount) return `${where}: line ${line} outside the text`;
  if (column < 1 || column > lines.lineText(line).length + 1) return `${where}: column ${column} outside line ${line}`;
  const expected = lines.position(offset);
  if (expected.line !== line || expected.column !== column) {
    return `${where}: offset ${offset} is ${expected.line}:${expected.column}, not ${line}:${column}`;
  }
  return null;
}

export function rangeProblem(range: SourceRange | undefined, lines: LineIndex, where: string): string | null {
  if (range === undefined) return `${where}: missing range`;
  const problem = positionProblem(range.start, lines, `${where}.start`) ?? positionProblem(range.end, lines, `${where}.end`);
  if (problem) return problem;
  return range.start.offset <= range.end.offset ? null : `${where}: range ends before it starts`;
}

const REQUIRED_FIELDS: Record<string, string[]> = {
  Program: ['file', 'body', 'comments'],
  Declaration: ['kind', 'kindRange', 'name', 'indices', 'value'],
  For: ['variable', 'iterable', 'body'],
  Import: ['path'],
  Identifier: ['name'],
  Comment: ['text'],
  NumberLiteral: ['value', 'raw'],
  PercentLiteral: ['value', 'raw'],
  Quantity: ['amount', 'unit', 'unitRaw', 'unitRange'],
  StringLiteral: ['value', 'raw'],
  BooleanLiteral: ['value'],
  List: ['items'],
  Record: ['entries'],
  RecordEntry: ['key', 'value'],
  Range: ['from', 'to'],
  Reference: ['name'],
  Member: ['object', 'property'],
  Index: ['object', 'index'],
  Argument: ['name', 'value'],
  Call: ['callee', 'args'],
  At: ['run', 'every', 'at'],
  Binary: ['operator', 'left', 'right'],
  Unary: ['operator', 'operand'],
  Paren: ['expression'],
  ErrorExpression: [],
};

/** Every problem with the tree's shape: unknown node types, missing fields, bad ranges. */
export function astProblems(program: Program, text: string): string[] {
  const lines = new LineIndex(text);
  const problems: string[] = [];
  const visit = (node: Node, path: string): void => {
    const required = REQUIRED_FIELDS[node.type];
    if (required === undefined) {
      problems.push(`${path}: unknown node type ${String(node.type)}`);
      return;
    }
    for (const field of required) {
      if ((node as unknown as Record<string, unknown>)[field] === undefined) problems.push(`${path}.${field} is undefined`);
    }
    const rangeIssue = rangeProblem(node.range, lines, path);
    if (rangeIssue) problems.push(rangeIssue);
    for (const [key, value] of Object.entries(node)) {
      if (key === 'range' || key === 'unitRange' || key === 'kindRange') continue;
      if (Array.isArray(value)) {
        value.forEach((item, i) => {
          if (item && typeof item === 'object' && 'type' in item) visit(item as Node, `${path}.${key}[${i}]`);
          else problems.push(`${path}.${key}[${i}] is not a node`);
        });
      } else if (value && typeof value === 'object' && 'type' in value) visit(value as Node, `${path}.${key}`);
    }
  };
  visit(program, 'program');
  return problems;
}
