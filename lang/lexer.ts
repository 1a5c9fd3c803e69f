// The .ltx lexer: token types (shared with the parser), and `tokenize`, which turns text into the
// token vector, the comments (kept for the formatter) and lexical diagnostics.
import { createToken, Lexer, tokenMatcher, type IToken, type TokenType } from 'chevrotain';
import type { Comment } from './ast.ts';
import type { Diagnostic } from '../core/diagnostics.ts';
import { formatCount } from '../core/limits.ts';
import { MAX_NAME_LENGTH, MAX_STRING_LENGTH } from './limits.ts';
import { LineIndex } from './source-text.ts';

// Categories: a token may belong to several, and the parser consumes categories where any member
// will do (`Name` accepts identifiers and keywords after `.`, before `:` and as record keys).
export const Name = createToken({ name: 'Name', pattern: Lexer.NA, label: 'a name' });
export const Keyword = createToken({ name: 'Keyword', pattern: Lexer.NA, label: 'a keyword' });
export const Kind = createToken({ name: 'Kind', pattern: Lexer.NA, label: 'a declaration kind' });
export const StringToken = createToken({ name: 'StringToken', pattern: Lexer.NA, label: 'a string' });
export const BinaryOperator = createToken({ name: 'BinaryOperator', pattern: Lexer.NA, label: 'an operator' });

export const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /[ \t\f\v\r\n\uFEFF]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});
export const LineComment = createToken({ name: 'LineComment', pattern: /#[^\n\r]*/, group: 'comments' });

export const Identifier = createToken({
  name: 'Identifier',
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  categories: [Name],
  label: 'a name',
});

function keyword(word: string, categories: TokenType[] = []): TokenType {
  return createToken({
    name: `Keyword_${word}`,
    pattern: new RegExp(word),
    longer_alt: Identifier,
    categories: [Keyword, Name, ...categories],
    label: `'${word}'`,
  });
}

export const KIND_KEYWORDS = [
  'param', 'dataset', 'model', 'init', 'optimizer', 'train', 'mask', 'lottery', 'control', 'probe',
] as const;

const kindTokens = KIND_KEYWORDS.map((word) => keyword(word, [Kind]));
export const For = keyword('for');
export const In = keyword('in');
export const Import = keyword('import');
export const Every = keyword('every');
export const True = keyword('true');
export const False = keyword('false');

export const KEYWORDS: ReadonlySet<string> = new Set([...KIND_KEYWORDS, 'for', 'in', 'import', 'every', 'true', 'false']);

const NUMBER_SOURCE = String.raw`(?:\d+\.\d+|\d+)(?:[eE][+-]?\d+)?`;
export const Percent = createToken({ name: 'Percent', pattern: new RegExp(`${NUMBER_SOURCE}%`), label: 'a percentage' });
export const NumberToken = createToken({ name: 'Number', pattern: new RegExp(NUMBER_SOURCE), label: 'a number' });

/**
 * Where the string starting at `offset` ends, and whether a closing quote ends it (rather than the
 * end of its line). A loop, not a regular expression: V8's backtracking matcher runs out of stack on
 * strings of some millions of characters.
 */
function scanString(text: string, offset: number): { end: number; closed: boolean } {
  let at = offset + 1;
  while (at < text.length) {
    const ch = text.charCodeAt(at);
    if (ch === 0x22 /* " */) return { end: at + 1, closed: true };
    if (ch === 0x0a || ch === 0x0d) break;
    if (ch === 0x5c /* \ */) {
      const next = text.charCodeAt(at + 1);
      // A backslash right before the end of the line belongs to the unterminated string.
      if (Number.isNaN(next) || next === 0x0a || next === 0x0d) return { end: at + 1, closed: false };
      at += 2;
      continue;
    }
    at++;
  }
  return { end: at, closed: false };
}

function stringPattern(closed: boolean): { exec: (text: string, offset: number) => [string] | null } {
  return {
    exec(text, offset) {
      if (text.charCodeAt(offset) !== 0x22) return null;
      const scanned = scanString(text, offset);
      return scanned.closed === closed ? [text.slice(offset, scanned.end)] : null;
    },
  };
}

export const StringLiteral = createToken({
  name: 'String',
  pattern: stringPattern(true),
  start_chars_hint: ['"'],
  line_breaks: false,
  categories: [StringToken],
  label: 'a string',
});
// A string cut off by the end of its line: accepted by the parser (so one missing quote does not
// cascade) and reported by `tokenize`.
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  pattern: stringPattern(false),
  start_chars_hint: ['"'],
  line_breaks: false,
  categories: [StringToken],
  label: 'a string',
});

export const DotDot = createToken({ name: 'DotDot', pattern: /\.\./, label: "'..'" });
export const Dot = createToken({ name: 'Dot', pattern: /\./, label: "'.'" });
export const Equals = createToken({ name: 'Equals', pattern: /=/, label: "'='" });
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: "','" });
export const Colon = createToken({ name: 'Colon', pattern: /:/, label: "':'" });
export const At = createToken({ name: 'At', pattern: /@/, label: "'@'" });
export const LParen = createToken({ name: 'LParen', pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, label: "')'" });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/, label: "'['" });
export const RBracket = createToken({ name: 'RBracket', pattern: /]/, label: "']'" });
export const LCurly = createToken({ name: 'LCurly', pattern: /{/, label: "'{'" });
export const RCurly = createToken({ name: 'RCurly', pattern: /}/, label: "'}'" });
export const Plus = createToken({ name: 'Plus', pattern: /\+/, categories: [BinaryOperator], label: "'+'" });
export const Minus = createToken({ name: 'Minus', pattern: /-/, categories: [BinaryOperator], label: "'-'" });
// `*` is also the whole-family index `t[*]`; the grammar tells the two apart.
export const Star = createToken({ name: 'Star', pattern: /\*/, categories: [BinaryOperator], label: "'*'" });
export const Slash = createToken({ name: 'Slash', pattern: /\//, categories: [BinaryOperator], label: "'/'" });

// A bracket group nested past MAX_NESTING, folded into one token before parsing (nesting.ts): it is
// never lexed, and the parser takes it where a value or a suffix stands.
export const NestedTooDeep = createToken({ name: 'NestedTooDeep', pattern: Lexer.NA, label: 'an expression' });

/** Every token type, in the order the lexer tries them (first match wins). */
export const ALL_TOKENS: TokenType[] = [
  WhiteSpace,
  LineComment,
  ...kindTokens,
  For,
  In,
  Import,
  Every,
  True,
  False,
  Identifier,
  Percent,
  NumberToken,
  StringLiteral,
  UnterminatedString,
  DotDot,
  Dot,
  Equals,
  Comma,
  Colon,
  At,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LCurly,
  RCurly,
  Plus,
  Minus,
  Star,
  Slash,
  // Categories and folded groups are not lexed but must be known to the parser.
  NestedTooDeep,
  Name,
  Keyword,
  Kind,
  StringToken,
  BinaryOperator,
];

let sharedLexer: Lexer | undefined;

function lexer(): Lexer {
  sharedLexer ??= new Lexer(ALL_TOKENS, { ensureOptimizations: true, positionTracking: 'full' });
  return sharedLexer;
}

export interface TokenizeResult {
  /** The tokens the parser reads (no whitespace, no comments). */
  tokens: IToken[];
  comments: Comment[];
  diagnostics: Diagnostic[];
  lines: LineIndex;
}

export function tokenize(text: string, file: string, lines: LineIndex = new LineIndex(text)): TokenizeResult {
  const result = lexer().tokenize(text);
  const diagnostics: Diagnostic[] = [];
  const syntaxError = (start: number, end: number, message: string): void => {
    diagnostics.push({ severity: 'error', code: 'syntax', message, file, range: lines.range(start, end) });
  };

  for (const error of result.errors) {
    const bad = text.slice(error.offset, error.offset + error.length);
    const plural = [...bad].length > 1 ? 'characters' : 'character';
    syntaxError(error.offset, error.offset + error.length, `unexpected ${plural} ${quoteSource(bad)}`);
  }
  for (const token of result.tokens) {
    const problem = tokenProblem(token);
    if (problem) syntaxError(token.startOffset, token.startOffset + token.image.length, problem);
    if (token.tokenType === UnterminatedString) {
      syntaxError(token.startOffset, token.startOffset + token.image.length, 'unterminated string: expected \'"\' before the end of the line');
    }
    if (token.tokenType === StringLiteral || token.tokenType === UnterminatedString) {
      for (const escape of invalidEscapes(token.image)) {
        const start = token.startOffset + escape.index;
        syntaxError(start, start + escape.text.length, `unknown escape ${quoteSource(escape.text)} in a string (use \\", \\\\ or \\n)`);
      }
    }
  }

  const comments: Comment[] = (result.groups['comments'] ?? []).map((token) => ({
    type: 'Comment',
    text: token.image,
    range: lines.range(token.startOffset, token.startOffset + token.image.length),
  }));
  return { tokens: result.tokens, comments, diagnostics, lines };
}

/** Tokens the grammar accepts but ltx does not: overlong names and strings, numbers past the doubles. */
function tokenProblem(token: IToken): string | undefined {
  const length = token.image.length;
  if (token.tokenType === Identifier && length > MAX_NAME_LENGTH) {
    return `a name may be at most ${formatCount(MAX_NAME_LENGTH)} characters long, and this one has ${formatCount(length)}`;
  }
  if (tokenMatcher(token, StringToken) && length > MAX_STRING_LENGTH) {
    return `a string may be at most ${formatCount(MAX_STRING_LENGTH)} characters long, and this one has ${formatCount(length)}`;
  }
  if (token.tokenType === NumberToken || token.tokenType === Percent) {
    const digits = token.tokenType === Percent ? token.image.slice(0, -1) : token.image;
    if (!Number.isFinite(Number(digits))) return `${shortened(digits)} is not a finite number (the largest is about 1.8e308)`;
  }
  return undefined;
}

const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', n: '\n' };

function invalidEscapes(raw: string): { index: number; text: string }[] {
  const found: { index: number; text: string }[] = [];
  for (let i = 1; i < raw.length; i++) {
    if (raw[i] !== '\\') continue;
    const next = raw.codePointAt(i + 1);
    // A lone backslash at the very end belongs to an unterminated string, reported as such.
    if (next === undefined) break;
    const text = `\\${String.fromCodePoint(next)}`;
    if (ESCAPES[String.fromCodePoint(next)] === undefined) found.push({ index: i, text });
    i += text.length - 1;
  }
  return found;
}

/** The value of a string token: quotes removed, known escapes decoded, unknown ones kept as written. */
export function unescapeString(raw: string): string {
  const closed = raw.length >= 2 && raw.endsWith('"') && !endsInEscapedQuote(raw);
  const body = raw.slice(1, closed ? -1 : undefined);
  return body.replace(/\\(.?)/gsu, (whole, ch: string) => ESCAPES[ch] ?? whole);
}

function endsInEscapedQuote(raw: string): boolean {
  // `"abc\"` (unterminated) ends in an escaped quote: count the backslashes before the last quote.
  let backslashes = 0;
  for (let i = raw.length - 2; i >= 1 && raw[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 1;
}

/** Characters of source text quoted in a message; longer text is cut short with '…'. */
const QUOTED_LENGTH = 40;

/** `text`, or its beginning and '…' when it is too long to repeat in a message. */
export function shortened(text: string): string {
  return text.length > QUOTED_LENGTH ? `${text.slice(0, QUOTED_LENGTH)}…` : text;
}

/** Source text for a message: `'$'`, with invisible characters spelled out and long text cut short. */
export function quoteSource(text: string): string {
  const visible = [...shortened(text)]
    .map((ch) => {
      const code = ch.codePointAt(0)!;
      if (ch === "'") return "\\'";
      if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0) || code === 0xfeff || code === 0x200b) {
        return `\\u{${code.toString(16).padStart(4, '0')}}`;
      }
      return ch;
    })
    .join('');
  return `'${visible}'`;
}
