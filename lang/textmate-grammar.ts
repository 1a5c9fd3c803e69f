// The TextMate grammar editors colour .ltx with (editors/vscode/syntaxes/ltx.tmLanguage.json, written
// by `npm run grammar`), built from the lexer's own token definitions: the same keywords, declaration
// kinds, number, identifier, string and comment patterns, and units. A test tokenizes every example
// with it and checks each lexer token got the scope of its kind.
import { UNITS } from './ast-builder.ts';
import { Identifier, KEYWORDS, KIND_KEYWORDS, LineComment, NumberToken } from './lexer.ts';

type Rule = { [key: string]: unknown };

function source(pattern: unknown): string {
  if (!(pattern instanceof RegExp)) throw new Error('a token the grammar is built from has no regular expression');
  return pattern.source;
}

const words = (list: readonly string[]): string => `\\b(?:${list.join('|')})\\b`;

export function textmateGrammar(): Rule {
  const name = source(Identifier.PATTERN);
  // A number is not the tail of a name (`layer1`) or of another number.
  const number = `(?<![A-Za-z0-9_])${source(NumberToken.PATTERN)}`;
  const kinds = KIND_KEYWORDS.join('|');
  const controlWords = [...KEYWORDS].filter((w) => !(KIND_KEYWORDS as readonly string[]).includes(w) && w !== 'true' && w !== 'false');
  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    name: 'ltx',
    scopeName: 'source.ltx',
    fileTypes: ['ltx'],
    patterns: [{ include: '#comment' }, { include: '#declaration' }, { include: '#loop' }, { include: '#expression' }],
    repository: {
      comment: { name: 'comment.line.number-sign.ltx', match: source(LineComment.PATTERN) },
      declaration: {
        match: `^\\s*(${kinds})\\s+(${name})`,
        captures: { 1: { name: 'storage.type.declaration.ltx' }, 2: { name: 'entity.name.variable.ltx' } },
      },
      loop: {
        match: `\\b(for)\\s+(${name})\\s+(in)\\b`,
        captures: { 1: { name: 'keyword.control.loop.ltx' }, 2: { name: 'variable.other.loop.ltx' }, 3: { name: 'keyword.control.loop.ltx' } },
      },
      expression: {
        patterns: [
          { include: '#comment' },
          { include: '#string' },
          { name: 'constant.numeric.percentage.ltx', match: `${number}%` },
          { name: 'constant.numeric.ltx', match: number },
          { name: 'constant.language.boolean.ltx', match: words(['true', 'false']) },
          { match: `(\\.)(${name})`, captures: { 1: { name: 'punctuation.accessor.ltx' }, 2: { name: 'variable.other.property.ltx' } } },
          { match: `(${name})\\s*(:)`, captures: { 1: { name: 'variable.parameter.ltx' }, 2: { name: 'punctuation.separator.key-value.ltx' } } },
          { match: `(${name})\\s*(?=\\()`, captures: { 1: { name: 'entity.name.function.ltx' } } },
          { name: 'keyword.control.ltx', match: words(controlWords) },
          { name: 'keyword.other.unit.ltx', match: `(?<![A-Za-z0-9_.])${words(Object.keys(UNITS))}` },
          { name: 'storage.type.declaration.ltx', match: words([...KIND_KEYWORDS]) },
          { name: 'variable.other.ltx', match: name },
          { name: 'keyword.operator.range.ltx', match: '\\.\\.' },
          { name: 'keyword.operator.at.ltx', match: '@' },
          { name: 'keyword.operator.ltx', match: '[-+*/=]' },
          { name: 'punctuation.separator.comma.ltx', match: ',' },
          { name: 'punctuation.bracket.ltx', match: '[()\\[\\]{}]' },
        ],
      },
      string: {
        name: 'string.quoted.double.ltx',
        begin: '"',
        end: '"|$',
        patterns: [
          { name: 'constant.character.escape.ltx', match: '\\\\["\\\\n]' },
          { name: 'invalid.illegal.escape.ltx', match: '\\\\.' },
        ],
      },
    },
  };
}
