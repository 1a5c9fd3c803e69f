// The lexer: token kinds, keywords vs identifiers, literals, comments, lexical errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tokenize, unescapeString } from '../../lang/lexer.ts';

function kinds(text: string): string[] {
  const { tokens, diagnostics } = tokenize(text, 't.ltx');
  assert.deepEqual(diagnostics, []);
  return tokens.map((token) => `${token.tokenType.name}:${token.image}`);
}

test('keywords are whole words: longer names are identifiers', () => {
  assert.deepEqual(kinds('model models mask masks in init index every everyone true trueish for_'), [
    'Keyword_model:model',
    'Identifier:models',
    'Keyword_mask:mask',
    'Identifier:masks',
    'Keyword_in:in',
    'Keyword_init:init',
    'Identifier:index',
    'Keyword_every:every',
    'Identifier:everyone',
    'Keyword_true:true',
    'Identifier:trueish',
    'Identifier:for_',
  ]);
});

test('numbers, percentages and ranges', () => {
  assert.deepEqual(kinds('3 0.1 1.2e-3 4E5 20% 12.5% 1..10'), [
    'Number:3',
    'Number:0.1',
    'Number:1.2e-3',
    'Number:4E5',
    'Percent:20%',
    'Percent:12.5%',
    'Number:1',
    'DotDot:..',
    'Number:10',
  ]);
  assert.deepEqual(kinds('-4'), ['Minus:-', 'Number:4']);
});

test('punctuation, including * as an operator and as t[*]', () => {
  assert.deepEqual(
    kinds('= , : . @ ( ) [ ] { } + - * / t[*]').map((kind) => kind.split(':')[0]),
    ['Equals', 'Comma', 'Colon', 'Dot', 'At', 'LParen', 'RParen', 'LBracket', 'RBracket', 'LCurly', 'RCurly', 'Plus', 'Minus', 'Star', 'Slash', 'Identifier', 'LBracket', 'Star', 'RBracket'],
  );
});

test('strings with escapes', () => {
  assert.deepEqual(kinds('"a\\"b" "\\\\" "x\\ny"'), ['String:"a\\"b"', 'String:"\\\\"', 'String:"x\\ny"']);
  assert.equal(unescapeString('"a\\"b\\\\c\\nd"'), 'a"b\\c\nd');
});

test('comments are kept apart from the tokens, without their line break', () => {
  const { tokens, comments } = tokenize('param x = 1 # one\r\n# two\n', 't.ltx');
  assert.equal(tokens.length, 4);
  assert.deepEqual(
    comments.map((comment) => [comment.text, comment.range.start.line, comment.range.start.column]),
    [
      ['# one', 1, 13],
      ['# two', 2, 1],
    ],
  );
});

test('an unexpected character is reported at its position and skipped', () => {
  const { tokens, diagnostics } = tokenize('param x = 3 $ 4', 't.ltx');
  assert.deepEqual(tokens.map((token) => token.image), ['param', 'x', '=', '3', '4']);
  assert.deepEqual(
    diagnostics.map((d) => [d.message, d.range.start.column, d.range.end.column]),
    [["unexpected character '$'", 13, 14]],
  );
  assert.equal(tokenize('x = ~~', 't.ltx').diagnostics[0]!.message, "unexpected characters '~~'");
  assert.equal(tokenize('x = é', 't.ltx').diagnostics[0]!.message, "unexpected character 'é'");
  assert.equal(tokenize('x = \u0007', 't.ltx').diagnostics[0]!.message, "unexpected character '\\u{0007}'");
});

test('an unterminated string is one token and one error', () => {
  const { tokens, diagnostics } = tokenize('import "a.ltx\nparam x = 1', 't.ltx');
  assert.equal(tokens[1]!.tokenType.name, 'UnterminatedString');
  assert.equal(tokens[2]!.image, 'param');
  assert.deepEqual(
    diagnostics.map((d) => [d.message, d.range.start.line, d.range.start.column, d.range.end.column]),
    [['unterminated string: expected \'"\' before the end of the line', 1, 8, 14]],
  );
  assert.equal(unescapeString('"a.ltx'), 'a.ltx');
});

test('an unknown escape is reported at the backslash', () => {
  const { diagnostics } = tokenize('param p = "a\\tb\\x"', 't.ltx');
  assert.deepEqual(
    diagnostics.map((d) => [d.message, d.range.start.column, d.range.end.column]),
    [
      ['unknown escape \'\\t\' in a string (use \\", \\\\ or \\n)', 13, 15],
      ['unknown escape \'\\x\' in a string (use \\", \\\\ or \\n)', 16, 18],
    ],
  );
});
