// Semantic tokens: the lexer's tokens, with names told apart by the syntax tree (a declared name, a
// function, an argument name, a member, a loop variable, an enum value) and keywords used as names
// (`.train`, `mask:`) shown as the names they are.
import { tokenMatcher, type IToken } from 'chevrotain';
import type { SemanticTokens, SemanticTokensLegend } from 'vscode-languageserver';
import type { ProgramSymbols } from '../../compiler/symbols.ts';
import type { Library } from '../../core/library.ts';
import type { Program } from '../../lang/ast.ts';
import { BinaryOperator, Keyword, NumberToken, Percent, StringToken, tokenize } from '../../lang/lexer.ts';
import { allNodes } from '../../lang/syntax-walk.ts';

const TYPES = ['keyword', 'variable', 'function', 'parameter', 'property', 'number', 'string', 'comment', 'operator', 'enumMember'] as const;
const MODIFIERS = ['declaration', 'readonly', 'defaultLibrary'] as const;

type TokenType = (typeof TYPES)[number];
type Modifier = (typeof MODIFIERS)[number];

export const SEMANTIC_LEGEND: SemanticTokensLegend = { tokenTypes: [...TYPES], tokenModifiers: [...MODIFIERS] };

interface Classified {
  type: TokenType;
  modifiers: Modifier[];
}

interface Token {
  line: number;
  column: number;
  length: number;
  classified: Classified;
}

export function semanticTokens(program: Program, text: string, symbols: ProgramSymbols, library: Library): SemanticTokens {
  const names = classifyNames(program, symbols, library);
  const lexed = tokenize(text, program.file);
  const tokens: Token[] = [];
  const push = (token: IToken, classified: Classified | undefined): void => {
    if (classified) tokens.push({ line: token.startLine! - 1, column: token.startColumn! - 1, length: token.image.length, classified });
  };
  for (const token of lexed.tokens) push(token, names.get(token.startOffset) ?? byTokenType(token));
  for (const comment of lexed.comments) {
    tokens.push({ line: comment.range.start.line - 1, column: comment.range.start.column - 1, length: comment.text.length, classified: { type: 'comment', modifiers: [] } });
  }
  tokens.sort((a, b) => a.line - b.line || a.column - b.column);
  const data: number[] = [];
  let line = 0;
  let column = 0;
  for (const token of tokens) {
    const deltaLine = token.line - line;
    data.push(deltaLine, deltaLine === 0 ? token.column - column : token.column, token.length, TYPES.indexOf(token.classified.type), modifierBits(token.classified.modifiers));
    line = token.line;
    column = token.column;
  }
  return { data };
}

function modifierBits(modifiers: Modifier[]): number {
  return modifiers.reduce((bits, m) => bits | (1 << MODIFIERS.indexOf(m)), 0);
}

function byTokenType(token: IToken): Classified | undefined {
  if (tokenMatcher(token, Keyword)) return { type: 'keyword', modifiers: [] };
  if (tokenMatcher(token, NumberToken) || tokenMatcher(token, Percent)) return { type: 'number', modifiers: [] };
  if (tokenMatcher(token, StringToken)) return { type: 'string', modifiers: [] };
  if (tokenMatcher(token, BinaryOperator)) return { type: 'operator', modifiers: [] };
  return undefined;
}

/** What each name of the tree is, by the offset of its first token. */
function classifyNames(program: Program, symbols: ProgramSymbols, library: Library): Map<number, Classified> {
  const names = new Map<number, Classified>();
  const mark = (offset: number, type: TokenType, ...modifiers: Modifier[]): void => {
    names.set(offset, { type, modifiers });
  };
  for (const node of allNodes(program)) {
    switch (node.type) {
      case 'Declaration': mark(node.name.range.start.offset, 'variable', 'declaration', ...(node.kind === 'param' ? ['readonly' as const] : [])); break;
      case 'For': mark(node.variable.range.start.offset, 'variable', 'declaration', 'readonly'); break;
      case 'Call': mark(node.callee.range.start.offset, 'function', ...(library.op(node.callee.name) ? ['defaultLibrary' as const] : [])); break;
      case 'Argument': if (node.name) mark(node.name.range.start.offset, 'parameter'); break;
      case 'Member': mark(node.property.range.start.offset, 'property'); break;
      case 'RecordEntry': if (node.quotedKey === undefined) mark(node.key.range.start.offset, 'property'); break;
      case 'Quantity': mark(node.unitRange.start.offset, 'keyword'); break;
      default: break;
    }
  }
  for (const o of symbols.occurrences) {
    if (o.file !== program.file || o.role === 'declaration') continue;
    const offset = o.range.start.offset;
    if (o.role === 'loop-variable') {
      if (!names.has(offset)) mark(offset, 'variable', 'readonly');
    } else if (symbols.declarations.has(o.name)) mark(offset, 'variable');
    // An undeclared bare name in an argument is an enum value (`scope: global`), or a mistake the diagnostics name.
    else mark(offset, 'enumMember');
  }
  return names;
}
