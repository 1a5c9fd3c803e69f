// Public entry points of the front end: text → AST + diagnostics. No input makes them throw:
// every problem, however malformed the text, comes back as a diagnostic next to a well-formed
// (possibly partial) tree.
import type { CstNode, IRecognitionException } from 'chevrotain';
import type { Expression, Program } from './ast.ts';
import { AstBuilder } from './ast-builder.ts';
import type { Diagnostic } from '../core/diagnostics.ts';
import { tokenize, type TokenizeResult } from './lexer.ts';
import { ltxParser, type LtxParser } from './parser.ts';
import { LineIndex, pointRange } from './source-text.ts';
import { SyntaxAnchors } from './syntax-anchors.ts';

export interface ParseProgramResult {
  program: Program;
  diagnostics: Diagnostic[];
}

export interface ParseExpressionResult {
  /** Null when the text has syntax errors (or holds no expression). */
  expression: Expression | null;
  diagnostics: Diagnostic[];
}

export function parseProgram(text: string, file: string): ParseProgramResult {
  const parsed = parse(text, file, (parser) => parser.program(), (builder, cst, lexed) => builder.program(cst, text, lexed.comments));
  if (parsed === null) {
    const lines = new LineIndex(text);
    const empty: Program = { type: 'Program', file, body: [], comments: tokenize(text, file, lines).comments, range: lines.range(0, text.length) };
    return { program: empty, diagnostics: [tooDeep(file, lines)] };
  }
  return { program: parsed.tree, diagnostics: parsed.diagnostics };
}

export function parseExpression(text: string, file: string): ParseExpressionResult {
  const parsed = parse(text, file, (parser) => parser.expression(), (builder, cst, lexed) => builder.expression(cst, lexed.lines.position(0)));
  if (parsed === null) return { expression: null, diagnostics: [tooDeep(file, new LineIndex(text))] };
  const failed = parsed.diagnostics.some((diagnostic) => diagnostic.severity === 'error');
  return { expression: failed ? null : parsed.tree, diagnostics: parsed.diagnostics };
}

/**
 * Lex, parse with `rule`, build the tree and collect every diagnostic; null when the input is
 * nested so deeply that the stack runs out (the only way input can make parsing fail).
 */
function parse<T>(
  text: string,
  file: string,
  rule: (parser: LtxParser) => CstNode,
  build: (builder: AstBuilder, cst: CstNode, lexed: TokenizeResult) => T,
): { tree: T; diagnostics: Diagnostic[] } | null {
  const lexed = tokenize(text, file);
  const anchors = new SyntaxAnchors(lexed.tokens, lexed.lines);
  const builder = new AstBuilder(file, anchors);
  const parser = ltxParser();
  parser.input = lexed.tokens;
  try {
    const tree = build(builder, rule(parser), lexed);
    const grammar = syntaxDiagnostics(parser.errors, builder.grammarDiagnostics, lexed.diagnostics, anchors, file);
    return { tree, diagnostics: tidy([...lexed.diagnostics, ...grammar, ...builder.diagnostics]) };
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  } finally {
    parser.input = [];
  }
}

/** The parser's errors (plus grammar errors the AST builder found), as diagnostics. */
function syntaxDiagnostics(
  errors: readonly IRecognitionException[],
  fromTree: readonly Diagnostic[],
  lexical: readonly Diagnostic[],
  anchors: SyntaxAnchors,
  file: string,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const error of errors) {
    const namesToken = error.message.startsWith('unexpected');
    // `param x = $`: the lexer dropped the `$` and already said so; "expected an expression"
    // right before it would only repeat the same problem.
    if (!namesToken) {
      const gap = anchors.gapBefore(error.token);
      if (lexical.some((d) => d.range.start.offset >= gap.start && d.range.start.offset < gap.end)) continue;
    }
    // Messages that name the offending token point at it; "expected …" ones may point just after
    // the previous token when the offending one is on a later line.
    const range = anchors.forError(error.token, namesToken);
    diagnostics.push({ severity: 'error', code: 'syntax', message: error.message, file, range });
  }
  return firstPerLine([...diagnostics, ...fromTree]);
}

/**
 * After a syntax error the parser resynchronizes, and what it reads next on the same line is
 * usually a consequence of the first error (`param x y = 3` → a stray `=`), so only the first
 * grammar error of each line is kept.
 */
function firstPerLine(diagnostics: Diagnostic[]): Diagnostic[] {
  const byPosition = [...diagnostics].sort((a, b) => a.range.start.offset - b.range.start.offset);
  const seenLines = new Set<number>();
  return byPosition.filter((diagnostic) => {
    if (seenLines.has(diagnostic.range.start.line)) return false;
    seenLines.add(diagnostic.range.start.line);
    return true;
  });
}

function tooDeep(file: string, lines: LineIndex): Diagnostic {
  return {
    severity: 'error',
    code: 'syntax',
    message: 'the program is nested too deeply to be read',
    file,
    range: pointRange(lines.position(0)),
  };
}

/** Sort by position; of several errors at one position (a cascade), keep the first reported. */
function tidy(diagnostics: Diagnostic[]): Diagnostic[] {
  const sorted = diagnostics
    .map((diagnostic, order) => ({ diagnostic, order }))
    .sort((a, b) => a.diagnostic.range.start.offset - b.diagnostic.range.start.offset || a.order - b.order);
  const kept: Diagnostic[] = [];
  let lastOffset = -1;
  for (const { diagnostic } of sorted) {
    if (diagnostic.range.start.offset === lastOffset) continue;
    kept.push(diagnostic);
    lastOffset = diagnostic.range.start.offset;
  }
  return kept;
}
