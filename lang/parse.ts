// Public entry points of the front end: text → AST + diagnostics. They never throw: every
// problem, however malformed the input, comes back as a diagnostic next to a well-formed
// (possibly partial) tree.
import type { IRecognitionException } from 'chevrotain';
import type { Expression, Program } from './ast.ts';
import { AstBuilder } from './ast-builder.ts';
import type { Diagnostic } from './diagnostics.ts';
import { tokenize } from './lexer.ts';
import { ltxParser } from './parser.ts';
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
  const lines = new LineIndex(text);
  const lexed = tokenize(text, file, lines);
  const anchors = new SyntaxAnchors(lexed.tokens, lines);
  const builder = new AstBuilder(file, anchors);
  const parser = ltxParser();
  parser.input = lexed.tokens;
  try {
    const cst = parser.program();
    const parseDiagnostics = syntaxDiagnostics(parser.errors, lexed.diagnostics, anchors, file);
    const program = builder.program(cst, text, lexed.comments);
    return { program, diagnostics: tidy([...lexed.diagnostics, ...parseDiagnostics, ...builder.diagnostics]) };
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    // Only pathological nesting (thousands of open brackets) exhausts the stack.
    const empty: Program = { type: 'Program', file, body: [], comments: lexed.comments, range: lines.range(0, text.length) };
    return { program: empty, diagnostics: [tooDeep(file, anchors)] };
  } finally {
    parser.input = [];
  }
}

export function parseExpression(text: string, file: string): ParseExpressionResult {
  const lines = new LineIndex(text);
  const lexed = tokenize(text, file, lines);
  const anchors = new SyntaxAnchors(lexed.tokens, lines);
  const builder = new AstBuilder(file, anchors);
  const parser = ltxParser();
  parser.input = lexed.tokens;
  try {
    const cst = parser.expression();
    const parseDiagnostics = syntaxDiagnostics(parser.errors, lexed.diagnostics, anchors, file);
    const expression = builder.expression(cst, lines.position(0));
    const diagnostics = tidy([...lexed.diagnostics, ...parseDiagnostics, ...builder.diagnostics]);
    const failed = diagnostics.some((diagnostic) => diagnostic.severity === 'error');
    return { expression: failed ? null : expression, diagnostics };
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return { expression: null, diagnostics: [tooDeep(file, anchors)] };
  } finally {
    parser.input = [];
  }
}

function syntaxDiagnostics(
  errors: readonly IRecognitionException[],
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
  return firstPerLine(diagnostics);
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

function tooDeep(file: string, anchors: SyntaxAnchors): Diagnostic {
  return {
    severity: 'error',
    code: 'syntax',
    message: 'the program is nested too deeply to be read',
    file,
    range: pointRange(anchors.lines.position(0)),
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
