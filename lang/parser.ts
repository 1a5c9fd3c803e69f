// The .ltx grammar as a Chevrotain CstParser with error recovery. It only recognizes text and
// builds a concrete syntax tree; `ast-builder.ts` turns that into the AST. Messages that need
// context (the name of the call, the declaration) are computed only when an error happens.
import {
  CstParser,
  EOF,
  tokenLabel,
  tokenMatcher,
  type ConsumeMethodOpts,
  type CstNode,
  type IToken,
  type TokenType,
} from 'chevrotain';
import {
  ALL_TOKENS,
  At,
  BinaryOperator,
  Colon,
  Comma,
  Dot,
  DotDot,
  Equals,
  Every,
  False,
  For,
  Identifier,
  Import,
  In,
  Keyword,
  Kind,
  LBracket,
  LCurly,
  LParen,
  Minus,
  Name,
  NumberToken,
  Percent,
  RBracket,
  RCurly,
  RParen,
  Star,
  StringToken,
  True,
} from './lexer.ts';
import { describeToken, foundSuffix, isRealToken, syntaxMessages, unexpectedStatementStart } from './syntax-messages.ts';

export class LtxParser extends CstParser {
  constructor() {
    super(ALL_TOKENS, {
      recoveryEnabled: true,
      nodeLocationTracking: 'full',
      errorMessageProvider: syntaxMessages,
      maxLookahead: 3,
    });
    this.performSelfAnalysis();
  }

  /** An option object whose ERR_MSG is computed only when the token is missing. */
  private expecting(message: () => string): ConsumeMethodOpts {
    return {
      get ERR_MSG(): string {
        return message();
      },
    };
  }

  /** The image of a consumed token, or '' while the grammar is being recorded or recovered. */
  private imageOf(token: IToken | undefined): string {
    return isRealToken(token) ? token.image : '';
  }

  /**
   * A closing bracket: "expected ')' to close the call to fit", or, when something stands on the
   * same line right after an element, "expected ',' or ')' in the call to fit, found 'x'".
   */
  private closing(closer: TokenType, what: () => string, opener: TokenType): ConsumeMethodOpts {
    return this.expecting(() => {
      const previous = this.LA(0);
      const actual = this.LA(1);
      const betweenElements =
        isRealToken(actual) &&
        isRealToken(previous) &&
        actual.startLine === previous.endLine &&
        !tokenMatcher(previous, opener) &&
        !tokenMatcher(previous, Comma);
      if (betweenElements) return `expected ',' or ${tokenLabel(closer)} in ${what()}${foundSuffix(previous, actual)}`;
      return `expected ${tokenLabel(closer)} to close ${what()}${foundSuffix(previous, actual)}`;
    });
  }

  /**
   * A declaration or loop variable name. Keywords are taken as names (and reported by the AST
   * builder) only where a name clearly stands: same line, right before one of `follow`.
   */
  private nameAhead(follow: readonly TokenType[]): boolean {
    const next = this.LA(1);
    if (next.tokenType === Identifier) return true;
    return (
      tokenMatcher(next, Keyword) &&
      next.startLine === this.LA(0).endLine &&
      follow.some((tokenType) => tokenMatcher(this.LA(2), tokenType))
    );
  }

  /** A unit is an identifier on the same line right after a value (and not a `name:` that follows). */
  private unitAhead(): boolean {
    const next = this.LA(1);
    const previous = this.LA(0);
    return (
      next.tokenType === Identifier &&
      isRealToken(previous) &&
      next.startLine === previous.endLine &&
      this.LA(2).tokenType !== Colon
    );
  }

  program = this.RULE('program', () => {
    this.MANY(() => this.SUBRULE(this.statement));
  });

  statement = this.RULE('statement', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.importStatement) },
      { ALT: () => this.SUBRULE(this.forStatement) },
      { ALT: () => this.SUBRULE(this.declaration) },
    ]);
  });

  importStatement = this.RULE('importStatement', () => {
    this.CONSUME(Import);
    this.CONSUME(StringToken, this.expecting(() => `expected a file name in quotes after 'import'${foundSuffix(this.LA(0), this.LA(1))}`));
  });

  forStatement = this.RULE('forStatement', () => {
    this.CONSUME(For);
    const variable = this.OPTION({ GATE: () => this.nameAhead([In]), DEF: () => this.CONSUME(Name, { LABEL: 'variable' }) });
    this.CONSUME(
      In,
      this.expecting(() =>
        isRealToken(variable)
          ? `expected 'in' after the loop variable ${variable.image}${foundSuffix(this.LA(0), this.LA(1))}`
          : `expected a name after 'for'${foundSuffix(this.LA(0), this.LA(1))}`,
      ),
    );
    this.SUBRULE(this.expression, { LABEL: 'iterable' });
    this.CONSUME(
      LCurly,
      this.expecting(() => {
        const iterable = tokenMatcher(this.LA(0), RBracket) ? 'list' : 'range';
        return `expected '{' after the ${iterable} of the for loop${foundSuffix(this.LA(0), this.LA(1))}`;
      }),
    );
    this.MANY(() => this.SUBRULE(this.statement));
    this.CONSUME(
      RCurly,
      this.expecting(() =>
        this.LA(1).tokenType === EOF
          ? `expected '}' to close the for loop${isRealToken(variable) ? ` over ${variable.image}` : ''}`
          : unexpectedStatementStart(this.LA(1), true),
      ),
    );
  });

  declaration = this.RULE('declaration', () => {
    const kind = this.CONSUME(Kind);
    const name = this.OPTION({
      GATE: () => this.nameAhead([Equals, LBracket]),
      DEF: () => this.CONSUME(Name, { LABEL: 'name' }),
    });
    this.MANY(() => {
      this.CONSUME(LBracket);
      this.SUBRULE(this.expression, { LABEL: 'index' });
      this.CONSUME(RBracket, this.closing(RBracket, () => `the index of ${this.imageOf(name) || 'the declaration'}`, LBracket));
    });
    this.CONSUME(
      Equals,
      this.expecting(() =>
        isRealToken(name)
          ? `expected '=' after the name of ${kind.image} ${name.image}${foundSuffix(this.LA(0), this.LA(1))}`
          : `expected a name after '${kind.image}'${foundSuffix(this.LA(0), this.LA(1))}`,
      ),
    );
    this.SUBRULE2(this.expression, { LABEL: 'value' });
  });

  // expression := range ('@' 'every'? range)?      range := operation ('..' operation)?
  // (inlined: every rule level costs a CST node per value, and programs are mostly values).
  expression = this.RULE('expression', () => {
    this.SUBRULE(this.operation, { LABEL: 'from' });
    this.OPTION(() => {
      this.CONSUME(DotDot);
      this.SUBRULE2(this.operation, { LABEL: 'to' });
    });
    this.OPTION2(() => {
      this.CONSUME(At);
      this.OPTION3(() => this.CONSUME(Every));
      this.SUBRULE3(this.operation, { LABEL: 'atFrom' });
      this.OPTION4(() => {
        this.CONSUME2(DotDot, { LABEL: 'atDotDot' });
        this.SUBRULE4(this.operation, { LABEL: 'atTo' });
      });
    });
  });

  // Operands joined by + - * /; the AST builder applies precedence (* and / bind tighter).
  operation = this.RULE('operation', () => {
    this.SUBRULE(this.atom);
    this.MANY(() => {
      this.CONSUME(BinaryOperator);
      this.SUBRULE2(this.atom);
    });
  });

  // atom := '-'* primary suffix* UNIT?
  atom = this.RULE('atom', () => {
    this.MANY(() => this.CONSUME(Minus));
    this.OR({
      DEF: [
        { ALT: () => this.CONSUME(NumberToken) },
        { ALT: () => this.CONSUME(Percent) },
        { ALT: () => this.CONSUME(StringToken) },
        { ALT: () => this.CONSUME(True) },
        { ALT: () => this.CONSUME(False) },
        { ALT: () => this.CONSUME(Identifier) },
        { ALT: () => this.SUBRULE(this.list) },
        { ALT: () => this.SUBRULE(this.record) },
        { ALT: () => this.SUBRULE(this.parenthesized) },
      ],
      ERR_MSG: 'an expression',
    });
    this.MANY2(() => this.SUBRULE(this.suffix));
    this.OPTION({ GATE: () => this.unitAhead(), DEF: () => this.CONSUME2(Identifier, { LABEL: 'unit' }) });
  });

  // A call `(args)`, a member `.name` or an index `[expr]` / `[*]`, applied left to right.
  suffix = this.RULE('suffix', () => {
    this.OR([
      {
        ALT: () => {
          const callee = this.LA(0);
          this.CONSUME(LParen);
          this.SUBRULE(this.arguments);
          this.CONSUME(
            RParen,
            this.closing(RParen, () => (tokenMatcher(callee, Identifier) ? `the call to ${callee.image}` : 'the call'), LParen),
          );
        },
      },
      {
        ALT: () => {
          this.CONSUME(Dot);
          this.CONSUME(Name, this.expecting(() => `expected a name after '.'${foundSuffix(this.LA(0), this.LA(1))}`));
        },
      },
      {
        ALT: () => {
          const object = this.LA(0);
          this.CONSUME(LBracket);
          this.OR2({
            DEF: [{ ALT: () => this.CONSUME(Star) }, { ALT: () => this.SUBRULE(this.expression) }],
            ERR_MSG: "an index or '*'",
          });
          this.CONSUME(
            RBracket,
            this.closing(RBracket, () => (tokenMatcher(object, Name) ? `the index of ${object.image}` : 'the index'), LBracket),
          );
        },
      },
    ]);
  });

  // Empty slots (`f(a,,b)`, `f(,a)`) are accepted here and reported by the AST builder, which
  // keeps one stray comma from hiding the rest of the call.
  arguments = this.RULE('arguments', () => {
    this.OPTION(() => this.SUBRULE(this.argument));
    this.MANY(() => {
      this.CONSUME(Comma);
      this.OPTION2(() => this.SUBRULE2(this.argument));
    });
  });

  argument = this.RULE('argument', () => {
    this.OPTION(() => {
      this.CONSUME(Name, { LABEL: 'name' });
      this.CONSUME(Colon);
    });
    this.SUBRULE(this.expression);
  });

  parenthesized = this.RULE('parenthesized', () => {
    this.CONSUME(LParen);
    this.SUBRULE(this.expression);
    this.CONSUME(RParen, this.closing(RParen, () => "the '('", LParen));
  });

  list = this.RULE('list', () => {
    this.CONSUME(LBracket);
    this.OPTION(() => this.SUBRULE(this.expression));
    this.MANY(() => {
      this.CONSUME(Comma);
      this.OPTION2(() => this.SUBRULE2(this.expression));
    });
    this.CONSUME(RBracket, this.closing(RBracket, () => 'the list', LBracket));
  });

  record = this.RULE('record', () => {
    this.CONSUME(LCurly);
    this.OPTION(() => this.SUBRULE(this.recordEntry));
    this.MANY(() => {
      this.CONSUME(Comma);
      this.OPTION2(() => this.SUBRULE2(this.recordEntry));
    });
    this.CONSUME(RCurly, this.closing(RCurly, () => 'the record', LCurly));
  });

  recordEntry = this.RULE('recordEntry', () => {
    const key = this.CONSUME(Name, { LABEL: 'key' });
    this.CONSUME(
      Colon,
      this.expecting(() => `expected ':' after the field name ${this.imageOf(key)}${foundSuffix(this.LA(0), this.LA(1))}`),
    );
    this.SUBRULE(this.expression);
  });
}

let sharedParser: LtxParser | undefined;

/** The one parser instance (building it analyses the grammar, which is worth doing once). */
export function ltxParser(): LtxParser {
  sharedParser ??= new LtxParser();
  return sharedParser;
}

export type { CstNode };
export { describeToken };
