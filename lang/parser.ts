// The .ltx grammar as a Chevrotain CstParser with error recovery. It only recognizes text and
// builds a concrete syntax tree; `ast-builder.ts` turns that into the AST. Messages that need
// context (the name of the call, the declaration) are computed only when an error happens.
import {
  CstParser,
  EOF,
  tokenLabel,
  tokenMatcher,
  type ConsumeMethodOpts,
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
  NestedTooDeep,
  NumberToken,
  Percent,
  RBracket,
  RCurly,
  RParen,
  Star,
  StringToken,
  True,
} from './lexer.ts';
import { foundSuffix, isRealToken, syntaxMessages, unexpectedStatementStart } from './syntax-messages.ts';

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

  // The declaration being parsed (declarations do not nest), for its error messages.
  private declarationKind: IToken | undefined;
  private declarationName: IToken | undefined;

  /**
   * Options whose ERR_MSG is computed only when the token is missing, from the tokens already
   * read: the option objects are made once, so parsing allocates nothing for messages.
   */
  private expecting(message: () => string): ConsumeMethodOpts {
    return {
      get ERR_MSG(): string {
        return message();
      },
    };
  }

  /** `, found 'x'` for the token the parser is looking at. */
  private found(): string {
    return foundSuffix(this.LA(0), this.LA(1));
  }

  /** The relative position (≤ 0, for LA) of the innermost unclosed `opener`, if any. */
  private unclosed(opener: TokenType, closer: TokenType): number | undefined {
    let depth = 0;
    for (let k = 0; ; k--) {
      const token = this.LA(k);
      if (token.tokenType === EOF) return undefined;
      if (token.tokenType === closer) depth++;
      else if (token.tokenType === opener) {
        if (depth === 0) return k;
        depth--;
      }
    }
  }

  /** The token right before the innermost unclosed `opener` (a callee, an indexed name). */
  private beforeUnclosed(opener: TokenType, closer: TokenType): IToken | undefined {
    const at = this.unclosed(opener, closer);
    return at === undefined ? undefined : this.LA(at - 1);
  }

  /** The variable of the innermost for loop whose body is open. */
  private openLoopVariable(): string {
    const brace = this.unclosed(LCurly, RCurly);
    if (brace === undefined) return '';
    for (let k = brace - 1; ; k--) {
      const token = this.LA(k);
      if (token.tokenType === EOF) return '';
      if (token.tokenType === For) {
        const variable = this.LA(k + 1);
        return tokenMatcher(variable, Name) && variable.tokenType !== In ? variable.image : '';
      }
    }
  }

  /**
   * A closing bracket: "expected ')' to close the call to fit", or, when something stands on the
   * same line right after an element, "expected ',' or ')' in the call to fit, found 'x'".
   */
  private closing(opener: TokenType, closer: TokenType, what: () => string, commaSeparated = true): ConsumeMethodOpts {
    return this.expecting(() => {
      const previous = this.LA(0);
      const actual = this.LA(1);
      const betweenElements =
        commaSeparated &&
        isRealToken(actual) &&
        isRealToken(previous) &&
        actual.startLine === previous.endLine &&
        !tokenMatcher(previous, opener) &&
        !tokenMatcher(previous, Comma);
      if (betweenElements) return `expected ',' or ${tokenLabel(closer)} in ${what()}${foundSuffix(previous, actual)}`;
      return `expected ${tokenLabel(closer)} to close ${what()}${foundSuffix(previous, actual)}`;
    });
  }

  private readonly importPath = this.expecting(() => `expected a file name in quotes after 'import'${this.found()}`);
  private readonly loopIn = this.expecting(() => {
    const variable = this.LA(0);
    return tokenMatcher(variable, For)
      ? `expected a name after 'for'${this.found()}`
      : `expected 'in' after the loop variable ${variable.image}${this.found()}`;
  });
  private readonly loopOpen = this.expecting(() => {
    const iterable = tokenMatcher(this.LA(0), RBracket) ? 'list' : 'range';
    return `expected '{' after the ${iterable} of the for loop${this.found()}`;
  });
  private readonly loopClose = this.expecting(() => {
    if (this.LA(1).tokenType !== EOF) return unexpectedStatementStart(this.LA(1), true);
    const variable = this.openLoopVariable();
    return `expected '}' to close the for loop${variable ? ` over ${variable}` : ''}`;
  });
  private readonly declarationIndexClose = this.closing(
    LBracket,
    RBracket,
    () => `the index of ${this.imageOf(this.declarationName) || 'the declaration'}`,
    false,
  );
  private readonly declarationEquals = this.expecting(() => {
    const kind = this.imageOf(this.declarationKind);
    return isRealToken(this.declarationName)
      ? `expected '=' after the name of ${kind} ${this.declarationName.image}${this.found()}`
      : `expected a name after '${kind}'${this.found()}`;
  });
  private readonly callClose = this.closing(LParen, RParen, () => {
    const callee = this.beforeUnclosed(LParen, RParen);
    return callee !== undefined && tokenMatcher(callee, Identifier) ? `the call to ${callee.image}` : 'the call';
  });
  private readonly memberName = this.expecting(() => `expected a name after '.'${this.found()}`);
  private readonly indexClose = this.closing(
    LBracket,
    RBracket,
    () => {
      const object = this.beforeUnclosed(LBracket, RBracket);
      return object !== undefined && tokenMatcher(object, Name) ? `the index of ${object.image}` : 'the index';
    },
    false,
  );
  private readonly parenClose = this.closing(LParen, RParen, () => "the '('", false);
  private readonly listClose = this.closing(LBracket, RBracket, () => 'the list');
  private readonly recordClose = this.closing(LCurly, RCurly, () => 'the record');
  private readonly entryColon = this.expecting(() => `expected ':' after the field name ${this.imageOf(this.LA(0))}${this.found()}`);

  /** The image of a token, or '' for a missing one. */
  private imageOf(token: IToken | undefined): string {
    return isRealToken(token) ? token.image : '';
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
    this.CONSUME(StringToken, this.importPath);
  });

  forStatement = this.RULE('forStatement', () => {
    this.CONSUME(For);
    this.OPTION({ GATE: () => this.nameAhead([In]), DEF: () => this.CONSUME(Name, { LABEL: 'variable' }) });
    this.CONSUME(In, this.loopIn);
    this.SUBRULE(this.expression, { LABEL: 'iterable' });
    this.CONSUME(LCurly, this.loopOpen);
    this.MANY(() => this.SUBRULE(this.statement));
    this.CONSUME(RCurly, this.loopClose);
  });

  declaration = this.RULE('declaration', () => {
    this.declarationKind = this.CONSUME(Kind);
    this.declarationName = this.OPTION({
      GATE: () => this.nameAhead([Equals, LBracket]),
      DEF: () => this.CONSUME(Name, { LABEL: 'name' }),
    });
    this.MANY(() => {
      this.CONSUME(LBracket);
      this.SUBRULE(this.expression, { LABEL: 'index' });
      this.CONSUME(RBracket, this.declarationIndexClose);
    });
    this.CONSUME(Equals, this.declarationEquals);
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
        { ALT: () => this.CONSUME(NestedTooDeep) },
      ],
      ERR_MSG: 'an expression',
    });
    this.MANY2(() => this.SUBRULE(this.suffix));
    this.OPTION({ GATE: () => this.unitAhead(), DEF: () => this.CONSUME2(Identifier, { LABEL: 'unit' }) });
  });

  // A call `(args)`, a member `.name` or an index `[expr]` / `[*]`, applied left to right (or a call
  // or index nested too deeply, folded into one token).
  suffix = this.RULE('suffix', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(LParen);
          this.SUBRULE(this.arguments);
          this.CONSUME(RParen, this.callClose);
        },
      },
      {
        ALT: () => {
          this.CONSUME(Dot);
          this.CONSUME(Name, this.memberName);
        },
      },
      {
        ALT: () => {
          this.CONSUME(LBracket);
          this.OR2({
            DEF: [{ ALT: () => this.CONSUME(Star) }, { ALT: () => this.SUBRULE(this.expression) }],
            ERR_MSG: "an index or '*'",
          });
          this.CONSUME(RBracket, this.indexClose);
        },
      },
      { ALT: () => this.CONSUME2(NestedTooDeep) },
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
    this.CONSUME(RParen, this.parenClose);
  });

  list = this.RULE('list', () => {
    this.CONSUME(LBracket);
    this.OPTION(() => this.SUBRULE(this.expression));
    this.MANY(() => {
      this.CONSUME(Comma);
      this.OPTION2(() => this.SUBRULE2(this.expression));
    });
    this.CONSUME(RBracket, this.listClose);
  });

  record = this.RULE('record', () => {
    this.CONSUME(LCurly);
    this.OPTION(() => this.SUBRULE(this.recordEntry));
    this.MANY(() => {
      this.CONSUME(Comma);
      this.OPTION2(() => this.SUBRULE2(this.recordEntry));
    });
    this.CONSUME(RCurly, this.recordClose);
  });

  // A key is a name, a dotted name (`stage1.block1.conv1`: layer names hold dots) or a string.
  recordEntry = this.RULE('recordEntry', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(Name, { LABEL: 'key' });
          this.MANY(() => {
            this.CONSUME(Dot, { LABEL: 'keyDot' });
            this.CONSUME2(Name, { LABEL: 'key' });
          });
        },
      },
      { ALT: () => this.CONSUME(StringToken, { LABEL: 'quotedKey' }) },
    ]);
    this.CONSUME(Colon, this.entryColon);
    this.SUBRULE(this.expression);
  });
}

let sharedParser: LtxParser | undefined;

/** The one parser instance (building it analyses the grammar, which is worth doing once). */
export function ltxParser(): LtxParser {
  sharedParser ??= new LtxParser();
  return sharedParser;
}

