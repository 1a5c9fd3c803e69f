// The .ltx abstract syntax tree. Every node carries the source range it was built from, so that
// every later phase (resolution, schema checks, stage building) can point diagnostics at the text.

import type { Position, SourceRange } from '../core/source.ts';

export type { Position, SourceRange };

export type DeclarationKind =
  | 'param'
  | 'dataset'
  | 'model'
  | 'init'
  | 'optimizer'
  | 'train'
  | 'mask'
  | 'lottery'
  | 'control'
  | 'probe';

export const DECLARATION_KINDS: readonly DeclarationKind[] = [
  'param', 'dataset', 'model', 'init', 'optimizer', 'train', 'mask', 'lottery', 'control', 'probe',
];

interface NodeBase {
  range: SourceRange;
}

export interface Identifier extends NodeBase {
  type: 'Identifier';
  name: string;
}

// ---------------------------------------------------------------------------------------------
// Expressions

export interface NumberLiteral extends NodeBase {
  type: 'NumberLiteral';
  value: number;
  /** The text as written (`1.2e-3`), kept for the formatter; never used for identity. */
  raw: string;
}

/** `20%`: value is the fraction (0.2). */
export interface PercentLiteral extends NodeBase {
  type: 'PercentLiteral';
  value: number;
  raw: string;
}

export type Unit = 'steps' | 'epochs';

/** `500 steps`, `3 epochs`, `k steps` (a unit after any numeric primary). */
export interface QuantityExpression extends NodeBase {
  type: 'Quantity';
  amount: Expression;
  unit: Unit;
  /** The unit as written (`step`, `steps`, `epoch`, `epochs`). */
  unitRaw: string;
  unitRange: SourceRange;
}

export interface StringLiteral extends NodeBase {
  type: 'StringLiteral';
  /** The unescaped value. */
  value: string;
  /** The text as written, quotes included. */
  raw: string;
}

export interface BooleanLiteral extends NodeBase {
  type: 'BooleanLiteral';
  value: boolean;
}

export interface ListExpression extends NodeBase {
  type: 'List';
  items: Expression[];
}

export interface RecordEntry extends NodeBase {
  type: 'RecordEntry';
  /** The key's name: `stage1.block1.conv1` whether written dotted or quoted. */
  key: Identifier;
  /** A quoted key as written (`"stage1.block1"`), for the formatter; absent for a bare or dotted name. */
  quotedKey?: string;
  value: Expression;
}

export interface RecordExpression extends NodeBase {
  type: 'Record';
  entries: RecordEntry[];
}

/** `1..10`, inclusive at both ends. */
export interface RangeExpression extends NodeBase {
  type: 'Range';
  from: Expression;
  to: Expression;
}

export interface Reference extends NodeBase {
  type: 'Reference';
  name: string;
}

/** `fashion.train`, `run.mask`. */
export interface MemberExpression extends NodeBase {
  type: 'Member';
  object: Expression;
  property: Identifier;
}

/** `t[level - 1]`; `t[*]` has `index: null` (the whole family). */
export interface IndexExpression extends NodeBase {
  type: 'Index';
  object: Expression;
  index: Expression | null;
}

export interface Argument extends NodeBase {
  type: 'Argument';
  /** Null for a positional argument. */
  name: Identifier | null;
  value: Expression;
}

export interface CallExpression extends NodeBase {
  type: 'Call';
  callee: Identifier;
  args: Argument[];
}

/** `RUN @ 500 steps` (every = false) or `RUN @ every 500 steps` (every = true). */
export interface AtExpression extends NodeBase {
  type: 'At';
  run: Expression;
  every: boolean;
  at: Expression;
}

export type BinaryOperator = '+' | '-' | '*' | '/';

export interface BinaryExpression extends NodeBase {
  type: 'Binary';
  operator: BinaryOperator;
  left: Expression;
  right: Expression;
}

export interface UnaryExpression extends NodeBase {
  type: 'Unary';
  operator: '-';
  operand: Expression;
}

/** `(expr)`: kept so the formatter can keep the user's grouping. */
export interface ParenExpression extends NodeBase {
  type: 'Paren';
  expression: Expression;
}

/**
 * Stands where the parser recovered from a syntax error. Later phases skip it silently: the
 * syntax error has already been reported.
 */
export interface ErrorExpression extends NodeBase {
  type: 'ErrorExpression';
}

export type Expression =
  | NumberLiteral
  | PercentLiteral
  | QuantityExpression
  | StringLiteral
  | BooleanLiteral
  | ListExpression
  | RecordExpression
  | RangeExpression
  | Reference
  | MemberExpression
  | IndexExpression
  | CallExpression
  | AtExpression
  | BinaryExpression
  | UnaryExpression
  | ParenExpression
  | ErrorExpression;

// ---------------------------------------------------------------------------------------------
// Statements

/** `KIND NAME = EXPR`, `KIND NAME[I] = EXPR`, `KIND NAME[I][J] = EXPR`. */
export interface Declaration extends NodeBase {
  type: 'Declaration';
  kind: DeclarationKind;
  kindRange: SourceRange;
  name: Identifier;
  indices: Expression[];
  value: Expression;
}

/** `for VAR in 1..10 { ... }` or `for VAR in [0, 1, 2] { ... }`. */
export interface ForStatement extends NodeBase {
  type: 'For';
  variable: Identifier;
  iterable: Expression;
  body: Statement[];
}

/** `import "other.ltx"`. */
export interface ImportStatement extends NodeBase {
  type: 'Import';
  path: StringLiteral;
}

export type Statement = Declaration | ForStatement | ImportStatement;

export interface Comment extends NodeBase {
  type: 'Comment';
  /** The comment text including the leading `#`, without the line break. */
  text: string;
}

export interface Program extends NodeBase {
  type: 'Program';
  /** The path the program was read from, as given by the user (for diagnostics only). */
  file: string;
  body: Statement[];
  /** All comments of the file in source order, for the formatter. */
  comments: Comment[];
}

export type Node =
  | Program
  | Statement
  | Expression
  | Identifier
  | Argument
  | RecordEntry
  | Comment;
