// Words for syntax errors: how tokens are named in messages, and the parser's error-message
// provider (used where a rule gives no message of its own).
import { EOF, tokenLabel, tokenMatcher, type IParserErrorMessageProvider, type IToken } from 'chevrotain';
import { quoteSource, RBracket, RCurly, shortened, StringToken } from './lexer.ts';

/** True for a token read from the text (not EOF, not one invented by error recovery). */
export function isRealToken(token: IToken | undefined): token is IToken {
  return token !== undefined && token.tokenType !== EOF && !token.isInsertedInRecovery && token.startOffset >= 0;
}

/** `'xyz'`, `the string "abc"`, `the end of the file`. */
export function describeToken(token: IToken | undefined): string {
  if (token === undefined || token.tokenType === EOF) return 'the end of the file';
  if (token.isInsertedInRecovery || token.startOffset < 0) return tokenLabel(token.tokenType);
  if (tokenMatcher(token, StringToken)) return `the string ${shortened(token.image)}`;
  return quoteSource(token.image);
}

/** `, found 'x'` when the offending token sits on the line where the error is (else nothing). */
export function foundSuffix(previous: IToken | undefined, actual: IToken | undefined): string {
  if (!isRealToken(actual)) return '';
  if (isRealToken(previous) && actual.startLine !== previous.endLine) return '';
  return `, found ${describeToken(actual)}`;
}

const STATEMENT_EXPECTATION = "a declaration (param, dataset, model, …), 'for' or 'import'";
const BLOCK_STATEMENT_EXPECTATION = "a declaration (param, dataset, model, …), 'for', 'import' or '}'";

/** The message for a token where a statement should start. */
export function unexpectedStatementStart(actual: IToken | undefined, insideBlock: boolean): string {
  return `unexpected ${describeToken(actual)}: expected ${insideBlock ? BLOCK_STATEMENT_EXPECTATION : STATEMENT_EXPECTATION}`;
}

function after(previous: IToken | undefined): string {
  return previous === undefined || previous.tokenType === EOF ? '' : ` after ${describeToken(previous)}`;
}

export const syntaxMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, previous, ruleName }) {
    if (expected === EOF) return unexpectedStatementStart(actual, false);
    if (expected === RCurly && ruleName === 'forStatement') return unexpectedStatementStart(actual, true);
    if (expected === RBracket && ruleName === 'list') {
      return `expected ',' or ']' in the list${foundSuffix(previous, actual)}`;
    }
    if (expected === RCurly && ruleName === 'record') {
      return `expected ',' or '}' in the record${foundSuffix(previous, actual)}`;
    }
    return `expected ${tokenLabel(expected)}${after(previous)}${foundSuffix(previous, actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant, ruleName }) {
    if (ruleName === 'expression') return `unexpected ${describeToken(firstRedundant)} after the value`;
    return unexpectedStatementStart(firstRedundant, false);
  },
  buildNoViableAltMessage({ actual, previous, customUserDescription }) {
    const wanted = customUserDescription ?? 'an expression';
    return `expected ${wanted}${after(previous)}${foundSuffix(previous, actual[0])}`;
  },
  buildEarlyExitMessage({ actual, previous, customUserDescription }) {
    const wanted = customUserDescription ?? 'more input';
    return `expected ${wanted}${after(previous)}${foundSuffix(previous, actual[0])}`;
  },
};
