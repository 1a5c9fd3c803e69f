// Brackets nested past MAX_NESTING. The parser descends recursively, one set of rule calls per level,
// so before it runs the group that passes the limit is reported where it opens and folded, up to its
// matching closer, into a single NestedTooDeep token: the parser never goes deeper than the limit.
import { createTokenInstance, type IToken, type TokenType } from 'chevrotain';
import { LBracket, LCurly, LParen, NestedTooDeep, RBracket, RCurly, RParen } from './lexer.ts';
import { formatCount } from '../core/limits.ts';
import { MAX_NESTING } from './limits.ts';

const OPENERS: readonly TokenType[] = [LParen, LBracket, LCurly];
const CLOSERS: readonly TokenType[] = [RParen, RBracket, RCurly];

export function nestingMessage(): string {
  return `nested more than ${formatCount(MAX_NESTING)} levels deep (each bracket, '-' sign, call, index and .member is a level)`;
}

/** Index of the token closing the group opened at `open` (any closer closes any opener), or the last token. */
function matchingCloser(tokens: readonly IToken[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const type = tokens[i]!.tokenType;
    if (OPENERS.includes(type)) depth++;
    else if (CLOSERS.includes(type) && --depth === 0) return i;
  }
  return tokens.length - 1;
}

function folded(first: IToken, last: IToken, text: string): IToken {
  const end = last.endOffset ?? last.startOffset + last.image.length - 1;
  return createTokenInstance(
    NestedTooDeep, text.slice(first.startOffset, end + 1), first.startOffset, end,
    first.startLine ?? 1, last.endLine ?? 1, first.startColumn ?? 1, last.endColumn ?? 1,
  );
}

/** The tokens with every group opened past the limit folded; `report` is called with each opener that passes it. */
export function foldDeepNesting(tokens: readonly IToken[], text: string, report: (opener: IToken) => void): IToken[] {
  const out: IToken[] = [];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (OPENERS.includes(token.tokenType)) {
      if (depth === MAX_NESTING) {
        const close = matchingCloser(tokens, i);
        report(token);
        out.push(folded(token, tokens[close]!, text));
        i = close;
        continue;
      }
      depth++;
    } else if (CLOSERS.includes(token.tokenType) && depth > 0) depth--;
    out.push(token);
  }
  return out;
}
