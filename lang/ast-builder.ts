// CST → AST. Walks the parser's concrete syntax tree (possibly partial after error recovery) and
// builds AST nodes with source ranges. Anything recovery left out becomes an ErrorExpression (or an
// empty name), so a partial AST is still well formed. Also reports the errors that are easier to
// see on the tree than in the grammar: keywords used as names, unknown units, positional arguments
// after named ones, empty slots between commas, calls of something that is not a name.
import { tokenMatcher, type CstElement, type CstNode, type IToken } from 'chevrotain';
import type {
  Argument,
  BinaryOperator,
  Comment,
  Declaration,
  DeclarationKind,
  ErrorExpression,
  Expression,
  ForStatement,
  Identifier,
  ImportStatement,
  Position,
  Program,
  RecordEntry,
  SourceRange,
  Statement,
  StringLiteral,
  Unit,
} from './ast.ts';
import type { Diagnostic } from '../core/diagnostics.ts';
import {
  At,
  BinaryOperator as BinaryOperatorToken,
  Colon,
  Comma,
  Dot,
  Every,
  False,
  For,
  Identifier as IdentifierToken,
  Import,
  In,
  Keyword,
  Kind,
  LBracket,
  LCurly,
  LParen,
  Minus,
  NestedTooDeep,
  NumberToken,
  Percent,
  RBracket,
  RCurly,
  RParen,
  Star,
  StringToken,
  True,
  quoteSource,
  unescapeString,
} from './lexer.ts';
import { MAX_NESTING } from './limits.ts';
import { nestingMessage } from './nesting.ts';
import { coverRanges, pointRange, spanOf } from './source-text.ts';
import type { SyntaxAnchors } from './syntax-anchors.ts';
import { isRealToken } from './syntax-messages.ts';

// The children of an atom node that hold its primary value (tokens by token name, rules by rule name).
const PRIMARY_KEYS = [
  NumberToken.name, Percent.name, StringToken.name, True.name, False.name, IdentifierToken.name, NestedTooDeep.name, 'list', 'record', 'parenthesized',
];

// The tokens a suffix can start with.
const SUFFIX_STARTS = [LParen.name, Dot.name, LBracket.name, NestedTooDeep.name];

export const UNITS: Readonly<Record<string, Unit>> = { step: 'steps', steps: 'steps', epoch: 'epochs', epochs: 'epochs' };

function childNodes(node: CstNode | undefined, key: string): CstNode[] {
  return (node?.children[key] ?? []) as CstNode[];
}

function childNode(node: CstNode | undefined, key: string, index = 0): CstNode | undefined {
  return childNodes(node, key)[index];
}

/** Tokens under `key` that were read from the text (recovery's inventions are left out). */
function childTokens(node: CstNode | undefined, key: string): IToken[] {
  const elements = node?.children[key];
  return elements === undefined ? [] : (elements as IToken[]).filter(isRealToken);
}

function childToken(node: CstNode | undefined, key: string): IToken | undefined {
  const elements = node?.children[key];
  if (elements === undefined) return undefined;
  for (const element of elements as IToken[]) if (isRealToken(element)) return element;
  return undefined;
}

function isCstNode(element: CstElement): element is CstNode {
  return 'children' in element;
}

/** The start offset of a CST element, or undefined when recovery left it empty. */
function startOffsetOf(element: CstElement): number | undefined {
  if (!isCstNode(element)) return isRealToken(element) ? element.startOffset : undefined;
  const offset = element.location?.startOffset;
  return offset !== undefined && Number.isFinite(offset) && offset >= 0 ? offset : undefined;
}

export class AstBuilder {
  private readonly file: string;
  private readonly anchors: SyntaxAnchors;
  /** Independent checks on the tree (keywords as names, units, argument order, …). */
  readonly diagnostics: Diagnostic[] = [];
  /** Missing names: grammar errors found on the tree, which cascade like the parser's own. */
  readonly grammarDiagnostics: Diagnostic[] = [];
  /** Nesting levels open around the expression being built (see MAX_NESTING). */
  private nesting = 0;

  constructor(file: string, anchors: SyntaxAnchors) {
    this.file = file;
    this.anchors = anchors;
  }

  private report(range: SourceRange, message: string, into: Diagnostic[] = this.diagnostics): void {
    into.push({ severity: 'error', code: 'syntax', message, file: this.file, range });
  }

  private range(token: IToken): SourceRange {
    return this.anchors.tokenRange(token);
  }

  private end(token: IToken): Position {
    return this.anchors.tokenEnd(token);
  }

  private errorExpression(range: SourceRange): ErrorExpression {
    return { type: 'ErrorExpression', range };
  }

  /** The text a CST node was built from, or a point at `after` when recovery left it empty. */
  private nodeRange(node: CstNode, after: Position): SourceRange {
    const start = startOffsetOf(node);
    const end = node.location?.endOffset;
    if (start === undefined || end === undefined || !Number.isFinite(end)) return pointRange(after);
    return this.anchors.lines.range(start, end + 1);
  }

  /**
   * What `build` makes, one nesting level deeper per opener; null, after reporting at the opener that
   * passes MAX_NESTING, when they do not fit. Keeps every later tree walk within the call stack.
   */
  private nested<T>(openers: readonly SourceRange[], build: () => T): T | null {
    const room = MAX_NESTING - this.nesting;
    if (openers.length > room) {
      this.report(openers[room]!, nestingMessage());
      return null;
    }
    this.nesting += openers.length;
    try {
      return build();
    } finally {
      this.nesting -= openers.length;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Statements

  program(cst: CstNode | undefined, text: string, comments: Comment[]): Program {
    const whole = this.anchors.lines.range(0, text.length);
    return { type: 'Program', file: this.file, body: this.statements(cst), comments, range: whole };
  }

  private statements(owner: CstNode | undefined): Statement[] {
    const body: Statement[] = [];
    for (const statement of childNodes(owner, 'statement')) {
      const built = this.statement(statement);
      if (built !== null) body.push(built);
    }
    return body;
  }

  private statement(node: CstNode): Statement | null {
    const importNode = childNode(node, 'importStatement');
    if (importNode) return this.importStatement(importNode);
    const forNode = childNode(node, 'forStatement');
    if (forNode) return this.forStatement(forNode);
    const declarationNode = childNode(node, 'declaration');
    if (declarationNode) return this.declaration(declarationNode);
    return null;
  }

  private importStatement(node: CstNode): ImportStatement | null {
    const keyword = childToken(node, Import.name);
    if (!keyword) return null;
    const pathToken = childToken(node, StringToken.name);
    const path: StringLiteral = pathToken
      ? { type: 'StringLiteral', value: unescapeString(pathToken.image), raw: pathToken.image, range: this.range(pathToken) }
      : { type: 'StringLiteral', value: '', raw: '', range: pointRange(this.end(keyword)) };
    return { type: 'Import', path, range: coverRanges(this.range(keyword), path.range)! };
  }

  /** A declared name or loop variable; keywords are reported, a missing name becomes ''. */
  private declaredName(nameToken: IToken | undefined, after: IToken): Identifier {
    if (!nameToken) {
      this.report(this.anchors.missingAfter(after), `expected a name after '${after.image}'`, this.grammarDiagnostics);
      return { type: 'Identifier', name: '', range: pointRange(this.end(after)) };
    }
    if (tokenMatcher(nameToken, Keyword)) {
      this.report(this.range(nameToken), `'${nameToken.image}' is a keyword and cannot be a name`);
    }
    return { type: 'Identifier', name: nameToken.image, range: this.range(nameToken) };
  }

  private forStatement(node: CstNode): ForStatement | null {
    const forToken = childToken(node, For.name);
    if (!forToken) return null;
    const variable = this.declaredName(childToken(node, 'variable'), forToken);
    const inToken = childToken(node, In.name);
    const iterableAfter = inToken ? this.end(inToken) : variable.range.end;
    const iterable = this.expression(childNode(node, 'iterable'), iterableAfter);
    const body = this.statements(node);
    const open = childToken(node, LCurly.name);
    const close = childToken(node, RCurly.name);
    const range = coverRanges(
      this.range(forToken),
      variable.range,
      iterable.range,
      open && this.range(open),
      spanOf(body),
      close && this.range(close),
    )!;
    return { type: 'For', variable, iterable, body, range };
  }

  private declaration(node: CstNode): Declaration | null {
    const kindToken = childToken(node, Kind.name);
    if (!kindToken) return null;
    const kind = kindToken.image as DeclarationKind;
    const name = this.declaredName(childToken(node, 'name'), kindToken);

    const opens = childTokens(node, LBracket.name);
    const closes = childTokens(node, RBracket.name);
    const indices = childNodes(node, 'index').map((index, i) =>
      this.expression(index, opens[i] ? this.end(opens[i]) : name.range.end),
    );
    const equals = childToken(node, 'Equals');
    const lastBeforeValue = equals ? this.end(equals) : coverRanges(name.range, spanOf(indices))!.end;
    const value = this.expression(childNode(node, 'value'), lastBeforeValue);
    const range = coverRanges(
      this.range(kindToken),
      name.range,
      spanOf(indices),
      closes.length > 0 ? this.range(closes[closes.length - 1]!) : undefined,
      equals && this.range(equals),
      value.range,
    )!;
    return { type: 'Declaration', kind, kindRange: this.range(kindToken), name, indices, value, range };
  }

  // -------------------------------------------------------------------------------------------
  // Expressions. `after` is where the expression would start: an empty (recovered) subtree
  // becomes an ErrorExpression there.

  expression(node: CstNode | undefined, after: Position): Expression {
    const run = this.rangeExpression(node, 'from', 'DotDot', 'to', after);
    const at = childToken(node, At.name);
    if (!at) return run;
    const every = childToken(node, Every.name);
    const target = this.rangeExpression(node, 'atFrom', 'atDotDot', 'atTo', this.end(every ?? at));
    return { type: 'At', run, every: every !== undefined, at: target, range: coverRanges(run.range, this.range(at), target.range)! };
  }

  /** `from..to` (or just `from`) out of the expression node's labelled children. */
  private rangeExpression(node: CstNode | undefined, fromKey: string, dotsKey: string, toKey: string, after: Position): Expression {
    const from = this.operation(childNode(node, fromKey), after);
    const dots = childToken(node, dotsKey);
    if (!dots) return from;
    const to = this.operation(childNode(node, toKey), this.end(dots));
    return { type: 'Range', from, to, range: coverRanges(from.range, this.range(dots), to.range)! };
  }

  /** `a + b * c - d`: `*` and `/` bind tighter than `+` and `-`; all are left-associative. */
  private operation(node: CstNode | undefined, after: Position): Expression {
    const atoms = childNodes(node, 'atom');
    const operators = childTokens(node, BinaryOperatorToken.name);
    const binary = (left: Expression, operator: IToken, right: Expression): Expression => ({
      type: 'Binary',
      operator: operator.image as BinaryOperator,
      left,
      right,
      range: coverRanges(left.range, this.range(operator), right.range)!,
    });
    let sum: { left: Expression; operator: IToken } | undefined;
    let term = this.atom(atoms[0], after);
    operators.forEach((operator, i) => {
      const right = this.atom(atoms[i + 1], this.end(operator));
      if (operator.image === '*' || operator.image === '/') {
        term = binary(term, operator, right);
      } else {
        sum = { left: sum ? binary(sum.left, sum.operator, term) : term, operator };
        term = right;
      }
    });
    return sum ? binary(sum.left, sum.operator, term) : term;
  }

  /** `-`* primary suffix* unit? Each `-` and each suffix nests what it applies to one level deeper. */
  private atom(node: CstNode | undefined, after: Position): Expression {
    const minuses = childTokens(node, Minus.name);
    const suffixes = childNodes(node, 'suffix');
    const openers = [...minuses.map((minus) => this.range(minus)), ...suffixes.flatMap((suffix) => this.suffixStart(suffix))];
    const built = this.nested(openers, () => {
      const primaryAfter = minuses.length > 0 ? this.end(minuses[minuses.length - 1]!) : after;
      let value = this.primary(node, primaryAfter);
      for (const suffix of suffixes) value = this.applySuffix(value, suffix);
      const unitToken = childToken(node, 'unit');
      if (unitToken) value = this.quantity(value, unitToken);
      for (let i = minuses.length - 1; i >= 0; i--) {
        const minus = minuses[i]!;
        value = { type: 'Unary', operator: '-', operand: value, range: coverRanges(this.range(minus), value.range)! };
      }
      return value;
    });
    return built ?? this.errorExpression(node ? this.nodeRange(node, after) : pointRange(after));
  }

  /** The range of the token a suffix starts with (none when recovery left the suffix empty). */
  private suffixStart(suffix: CstNode): SourceRange[] {
    for (const key of SUFFIX_STARTS) {
      const token = childToken(suffix, key);
      if (token) return [this.range(token)];
    }
    return [];
  }

  private quantity(amount: Expression, unitToken: IToken): Expression {
    const unit = UNITS[unitToken.image];
    const range = coverRanges(amount.range, this.range(unitToken))!;
    if (unit === undefined) {
      this.report(this.range(unitToken), `unknown unit ${quoteSource(unitToken.image)} (expected steps or epochs)`);
      return this.errorExpression(range);
    }
    return { type: 'Quantity', amount, unit, unitRaw: unitToken.image, unitRange: this.range(unitToken), range };
  }

  private applySuffix(object: Expression, suffix: CstNode): Expression {
    // Reported when it was folded (nesting.ts).
    const tooDeep = childToken(suffix, NestedTooDeep.name);
    if (tooDeep) return this.errorExpression(coverRanges(object.range, this.range(tooDeep))!);
    const openParen = childToken(suffix, LParen.name);
    if (openParen) return this.call(object, suffix, openParen);

    const dot = childToken(suffix, Dot.name);
    if (dot) {
      const nameToken = childToken(suffix, 'Name');
      if (!nameToken) return this.errorExpression(coverRanges(object.range, this.range(dot))!);
      const property: Identifier = { type: 'Identifier', name: nameToken.image, range: this.range(nameToken) };
      return { type: 'Member', object, property, range: coverRanges(object.range, property.range)! };
    }

    const openBracket = childToken(suffix, LBracket.name);
    if (!openBracket) return object;
    const star = childToken(suffix, Star.name);
    const indexNode = childNode(suffix, 'expression');
    const index = star ? null : this.expression(indexNode, this.end(openBracket));
    const close = childToken(suffix, RBracket.name);
    const range = coverRanges(object.range, this.range(openBracket), star && this.range(star), index?.range, close && this.range(close))!;
    return { type: 'Index', object, index, range };
  }

  private call(calleeExpression: Expression, suffix: CstNode, openParen: IToken): Expression {
    const args = this.arguments(childNode(suffix, 'arguments'), openParen);
    const close = childToken(suffix, RParen.name);
    const range = coverRanges(calleeExpression.range, this.range(openParen), spanOf(args), close && this.range(close))!;
    if (calleeExpression.type !== 'Reference') {
      if (calleeExpression.type !== 'ErrorExpression') this.report(this.range(openParen), 'only a function name can be called');
      return this.errorExpression(range);
    }
    const callee: Identifier = { type: 'Identifier', name: calleeExpression.name, range: calleeExpression.range };
    return { type: 'Call', callee, args, range };
  }

  private arguments(node: CstNode | undefined, openParen: IToken): Argument[] {
    const argumentNodes = childNodes(node, 'argument');
    this.reportEmptySlots(argumentNodes, childTokens(node, Comma.name), 'an argument');
    let after = this.end(openParen);
    let firstNamed: Argument | undefined;
    const args: Argument[] = [];
    for (const argumentNode of argumentNodes) {
      const nameToken = childToken(argumentNode, 'name');
      const colon = childToken(argumentNode, Colon.name);
      const name: Identifier | null = nameToken ? { type: 'Identifier', name: nameToken.image, range: this.range(nameToken) } : null;
      const value = this.expression(childNode(argumentNode, 'expression'), colon ? this.end(colon) : after);
      const argument: Argument = { type: 'Argument', name, value, range: coverRanges(name?.range, value.range)! };
      if (name !== null) firstNamed ??= argument;
      else if (firstNamed !== undefined && value.type !== 'ErrorExpression') {
        this.report(argument.range, `positional argument after the named argument '${firstNamed.name!.name}': positional arguments come first`);
      }
      args.push(argument);
      after = argument.range.end;
    }
    return args;
  }

  /**
   * `f(a,,b)` and `f(,a)`: the grammar accepts empty slots between commas (so one stray comma
   * does not swallow the rest of the call); each is reported here at its comma.
   */
  private reportEmptySlots(elements: CstNode[], commas: IToken[], what: string): void {
    if (commas.length < elements.length) return; // n elements need n - 1 commas (n with a trailing one)
    // Both lists are in source order: one pass finds the element (if any) between two commas.
    const elementOffsets = elements.map(startOffsetOf).filter((offset): offset is number => offset !== undefined);
    let next = 0;
    let previousCommaOffset = -1;
    for (const comma of commas) {
      while (next < elementOffsets.length && elementOffsets[next]! <= previousCommaOffset) next++;
      const filled = next < elementOffsets.length && elementOffsets[next]! < comma.startOffset;
      if (!filled) this.report(this.range(comma), `unexpected ',': expected ${what} before it`);
      previousCommaOffset = comma.startOffset;
    }
  }

  /** The primary value of an atom node (its other children are minus signs, suffixes, the unit). */
  private primary(node: CstNode | undefined, after: Position): Expression {
    if (node === undefined) return this.errorExpression(pointRange(after));
    const children = node.children;
    for (const key of PRIMARY_KEYS) {
      if (children[key] === undefined) continue;
      const element = children[key]![0];
      if (element === undefined) continue;
      if (isCstNode(element)) {
        const bracketed = this.bracketed(key, element, after);
        if (bracketed) return bracketed;
        continue;
      }
      if (!isRealToken(element)) continue;
      const range = this.range(element);
      const raw = element.image;
      switch (key) {
        case NumberToken.name:
          return { type: 'NumberLiteral', value: Number(raw), raw, range };
        case Percent.name:
          return { type: 'PercentLiteral', value: Number(raw.slice(0, -1)) / 100, raw, range };
        case StringToken.name:
          return { type: 'StringLiteral', value: unescapeString(raw), raw, range };
        case True.name:
          return { type: 'BooleanLiteral', value: true, range };
        case False.name:
          return { type: 'BooleanLiteral', value: false, range };
        case IdentifierToken.name:
          return { type: 'Reference', name: raw, range };
        case NestedTooDeep.name:
          // Reported when it was folded (nesting.ts).
          return this.errorExpression(range);
      }
    }
    return this.errorExpression(pointRange(after));
  }

  /** A list, record or parenthesized expression (by its CST key): one nesting level deeper than its holder. */
  private bracketed(key: string, node: CstNode, after: Position): Expression | undefined {
    const builders: Record<string, (node: CstNode, after: Position) => Expression> = {
      list: (n, a) => this.list(n, a),
      record: (n, a) => this.record(n, a),
      parenthesized: (n, a) => this.parenthesized(n, a),
    };
    const build = builders[key];
    if (!build) return undefined;
    const opener = childToken(node, LBracket.name) ?? childToken(node, LCurly.name) ?? childToken(node, LParen.name);
    const built = this.nested([opener ? this.range(opener) : this.nodeRange(node, after)], () => build(node, after));
    return built ?? this.errorExpression(this.nodeRange(node, after));
  }

  private list(node: CstNode, after: Position): Expression {
    const open = childToken(node, LBracket.name);
    const itemNodes = childNodes(node, 'expression');
    this.reportEmptySlots(itemNodes, childTokens(node, Comma.name), 'a list item');
    const start = open ? this.end(open) : after;
    const items = itemNodes.map((item) => this.expression(item, start));
    const close = childToken(node, RBracket.name);
    const range = coverRanges(open && this.range(open), spanOf(items), close && this.range(close)) ?? pointRange(after);
    return { type: 'List', items, range };
  }

  private record(node: CstNode, after: Position): Expression {
    const open = childToken(node, LCurly.name);
    const entryNodes = childNodes(node, 'recordEntry');
    this.reportEmptySlots(entryNodes, childTokens(node, Comma.name), 'a field (name: value)');
    const entries: RecordEntry[] = [];
    for (const entryNode of entryNodes) {
      const parts = childTokens(entryNode, 'key');
      const quoted = childToken(entryNode, 'quotedKey');
      if (parts.length === 0 && !quoted) continue;
      const key: Identifier = quoted
        ? { type: 'Identifier', name: unescapeString(quoted.image), range: this.range(quoted) }
        : { type: 'Identifier', name: parts.map((t) => t.image).join('.'), range: coverRanges(...parts.map((t) => this.range(t)))! };
      const colon = childToken(entryNode, Colon.name);
      const value = this.expression(childNode(entryNode, 'expression'), colon ? this.end(colon) : key.range.end);
      const entry: RecordEntry = { type: 'RecordEntry', key, value, range: coverRanges(key.range, value.range)! };
      if (quoted) entry.quotedKey = quoted.image;
      entries.push(entry);
    }
    const close = childToken(node, RCurly.name);
    const range =
      coverRanges(open && this.range(open), spanOf(entries), close && this.range(close)) ?? pointRange(after);
    return { type: 'Record', entries, range };
  }

  private parenthesized(node: CstNode, after: Position): Expression {
    const open = childToken(node, LParen.name);
    const inner = this.expression(childNode(node, 'expression'), open ? this.end(open) : after);
    const close = childToken(node, RParen.name);
    const range = coverRanges(open && this.range(open), inner.range, close && this.range(close))!;
    return { type: 'Paren', expression: inner, range };
  }
}
