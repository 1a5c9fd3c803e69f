// Where a syntax error points. An error about something missing points at the token that stands
// in its place when that token is on the same line, otherwise just after the last real token (so
// "expected ')'" at the end of a line or file points at that line, never at -1 or NaN).
import type { IToken } from 'chevrotain';
import type { Position, SourceRange } from './ast.ts';
import { LineIndex, pointRange } from './source-text.ts';
import { isRealToken } from './syntax-messages.ts';

export class SyntaxAnchors {
  readonly tokens: readonly IToken[];
  readonly lines: LineIndex;

  constructor(tokens: readonly IToken[], lines: LineIndex) {
    this.tokens = tokens;
    this.lines = lines;
  }

  tokenRange(token: IToken): SourceRange {
    return { start: this.tokenStart(token), end: this.tokenEnd(token) };
  }

  tokenStart(token: IToken): Position {
    return { offset: token.startOffset, line: token.startLine ?? 1, column: token.startColumn ?? 1 };
  }

  tokenEnd(token: IToken): Position {
    const endOffset = token.endOffset ?? token.startOffset + token.image.length - 1;
    return { offset: endOffset + 1, line: token.endLine ?? 1, column: (token.endColumn ?? 0) + 1 };
  }

  /** Index of the first token starting at or after `offset`. */
  private indexAtOrAfter(offset: number): number {
    let low = 0;
    let high = this.tokens.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.tokens[mid]!.startOffset < offset) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** The end of the last token before `offset`, or the start of the text. */
  private endBefore(offset: number): Position {
    const index = this.indexAtOrAfter(offset) - 1;
    return index >= 0 ? this.tokenEnd(this.tokens[index]!) : this.lines.position(0);
  }

  /** The end of the text's last token (where "at the end of the file" errors point). */
  endOfLastToken(): Position {
    const last = this.tokens[this.tokens.length - 1];
    return last ? this.tokenEnd(last) : this.lines.position(0);
  }

  /**
   * The range of an error raised while looking at `actual`. Errors naming the token itself
   * ("unexpected 'x'") point at it wherever it is.
   */
  forError(actual: IToken | undefined, pointsAtActual: boolean): SourceRange {
    if (!isRealToken(actual)) return pointRange(this.endOfLastToken());
    const previousEnd = this.endBefore(actual.startOffset);
    const sameLine = previousEnd.offset === 0 || previousEnd.line === actual.startLine;
    return pointsAtActual || sameLine ? this.tokenRange(actual) : pointRange(previousEnd);
  }

  /** The offsets between the token before `actual` and `actual` (or the end of the text). */
  gapBefore(actual: IToken | undefined): { start: number; end: number } {
    const end = isRealToken(actual) ? actual.startOffset : this.lines.text.length;
    return { start: this.endBefore(end).offset, end };
  }

  /** Where something missing right after `token` is reported. */
  missingAfter(token: IToken): SourceRange {
    const next = this.tokens[this.indexAtOrAfter(token.startOffset + 1)];
    if (next !== undefined && next.startLine === token.endLine) return this.tokenRange(next);
    return pointRange(this.tokenEnd(token));
  }
}
