// Public entry points of the front end: text → AST + diagnostics. No input makes them throw:
// every problem, however malformed the text, comes back as a diagnostic next to a well-formed
// (possibly partial) tree.
import type { CstNode, IRecognitionException } from 'chevrotain';
import type { Expression, Program } from './ast.ts';
import { AstBuilder } from './ast-builder.ts';
import type { Diagnostic } from '../core/diagnostics.ts';
import { tokenize, type TokenizeResult } from './lexer.ts';
import { ltxParser, type LtxParser } from './parser.ts';
import { formatCount } from '../core/limits.ts';
import { MAX_SOURCE_LENGTH, MAX_TOKENS } from './limits.ts';
import { foldDeepNesting, nestingMessage } from './nesting.ts';
import { LineIndex, pointRange } from './source-text.ts';
import { SyntaxAnchors } from './syntax-anchors.ts';

export interface ParseProgramResult {
  program: Program;
  diagnostics: Diagnostic[];
  /** Tokens and comments the file holds (0 when it was refused before it was read). */
  tokenCount: number;
}

export interface ParseExpressionResult {
  /** Null when the text has syntax errors (or holds no expression). */
  expression: Expression | null;
  diagnostics: Diagnostic[];
}

export interface ParseOptions {
  /** Tokens (comments included) the text may hold: what the program's MAX_TOKENS leaves for this file. */
  maxTokens?: number;
}

export function parseProgram(text: string, file: string, options: ParseOptions = {}): ParseProgramResult {
  const parsed = parse(text, file, options, (parser) => parser.program(), (builder, cst, lexed) => builder.program(cst, text, lexed.comments));
  if ('refusal' in parsed) {
    const lines = new LineIndex(text);
    const empty: Program = { type: 'Program', file, body: [], comments: [], range: lines.range(0, text.length) };
    return { program: empty, diagnostics: [parsed.refusal], tokenCount: parsed.tokenCount };
  }
  return { program: parsed.tree, diagnostics: parsed.diagnostics, tokenCount: parsed.tokenCount };
}

export function parseExpression(text: string, file: string): ParseExpressionResult {
  const parsed = parse(text, file, {}, (parser) => parser.expression(), (builder, cst, lexed) => builder.expression(cst, lexed.lines.position(0)));
  if ('refusal' in parsed) return { expression: null, diagnostics: [parsed.refusal] };
  const failed = parsed.diagnostics.some((diagnostic) => diagnostic.severity === 'error');
  return { expression: failed ? null : parsed.tree, diagnostics: parsed.diagnostics };
}

type Parsed<T> = { tree: T; diagnostics: Diagnostic[]; tokenCount: number } | { refusal: Diagnostic; tokenCount: number };

/**
 * Lex, parse with `rule`, build the tree and collect every diagnostic; a refusal instead when the
 * text is past one of the limits that keep reading it bounded in time, memory and stack.
 */
function parse<T>(
  text: string,
  file: string,
  options: ParseOptions,
  rule: (parser: LtxParser) => CstNode,
  build: (builder: AstBuilder, cst: CstNode, lexed: TokenizeResult) => T,
): Parsed<T> {
  const refuse = (offset: number, message: string, tokenCount = 0): Parsed<T> => ({
    refusal: { severity: 'error', code: 'syntax', message, file, range: pointRange(new LineIndex(text).position(offset)) },
    tokenCount,
  });
  if (text.length > MAX_SOURCE_LENGTH) {
    return refuse(MAX_SOURCE_LENGTH, `the file goes on past ${formatCount(MAX_SOURCE_LENGTH)} characters, the most ltx reads of a program file`);
  }
  const lexed = tokenize(text, file);
  const tokenCount = lexed.tokens.length + lexed.comments.length;
  const maxTokens = options.maxTokens ?? MAX_TOKENS;
  if (tokenCount > maxTokens) {
    const scope = maxTokens < MAX_TOKENS ? 'with the files it imports, the program holds' : 'the file holds';
    return refuse(
      offsetOfToken(lexed, maxTokens),
      `${scope} more than ${formatCount(MAX_TOKENS)} tokens (names, numbers, brackets, comments, …), the most ltx reads`,
      tokenCount,
    );
  }
  const nesting: Diagnostic[] = [];
  const tokens = foldDeepNesting(lexed.tokens, text, (opener) => {
    nesting.push({ severity: 'error', code: 'syntax', message: nestingMessage(), file, range: lexed.lines.range(opener.startOffset, opener.startOffset + 1) });
  });
  const anchors = new SyntaxAnchors(tokens, lexed.lines);
  const builder = new AstBuilder(file, anchors);
  const parser = ltxParser();
  parser.input = tokens;
  try {
    const tree = build(builder, rule(parser), lexed);
    const lexical = [...lexed.diagnostics, ...nesting];
    const grammar = syntaxDiagnostics(parser.errors, builder.grammarDiagnostics, lexical, anchors, file);
    return { tree, diagnostics: tidy([...lexical, ...grammar, ...builder.diagnostics]), tokenCount };
  } catch (error) {
    // A last line of defence: the limits above keep the parser far from the end of the stack.
    if (error instanceof RangeError) return refuse(0, 'the program is nested too deeply to be read', tokenCount);
    throw error;
  } finally {
    parser.input = [];
  }
}

/** The offset of the token or comment at 0-based position `index` in source order. */
function offsetOfToken(lexed: TokenizeResult, index: number): number {
  let t = 0;
  let c = 0;
  for (let seen = 0; ; seen++) {
    const token = lexed.tokens[t];
    const comment = lexed.comments[c];
    const tokenFirst = comment === undefined || (token !== undefined && token.startOffset < comment.range.start.offset);
    const offset = tokenFirst ? token?.startOffset : comment.range.start.offset;
    if (offset === undefined) return lexed.lines.text.length;
    if (seen === index) return offset;
    if (tokenFirst) t++;
    else c++;
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
