// Hostile program text: whatever its size or depth, reading it ends in a diagnostic where the limit
// is passed (never a stack overflow, never memory without bound), and what is within the limits works,
// a sum of thousands of terms included.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Program } from '../../lang/ast.ts';
import { formatProgram } from '../../lang/formatter.ts';
import { MAX_NESTING } from '../../lang/limits.ts';
import { parseExpression, parseProgram } from '../../lang/parse.ts';
import { formatDiagnostic } from '../../lang/print-diagnostic.ts';

const NESTING = "nested more than 100 levels deep (each bracket, '-' sign, call, index and .member is a level)";

function errorsOf(text: string): string[] {
  return parseProgram(text, 'f.ltx').diagnostics.map((d) => `${d.range.start.line}:${d.range.start.column} ${d.message}`);
}

function valueOf(program: Program) {
  const statement = program.body[0]!;
  assert.equal(statement.type, 'Declaration');
  return statement.value;
}

const sum = (terms: number): string => Array.from({ length: terms }, (_, i) => String(i + 1)).join(' + ');
const PREFIX = 'param x = ';

describe('sizes of the text', () => {
  test('a file past 1,048,576 characters is refused where it passes the limit, without reading on', () => {
    const text = `${PREFIX}"${'a'.repeat(10_000_000)}"\n`;
    assert.deepEqual(errorsOf(text), ['1:1048577 the file goes on past 1,048,576 characters, the most ltx reads of a program file']);
  });

  test('a file of more than 200,000 tokens is refused at the token that passes the limit', () => {
    const text = `${PREFIX}[${'1,'.repeat(100_000)}]\n`;
    // param, x, = and [ are tokens 0 to 3, item m is token 4 + 2m: token 200,000 is item 99,998.
    assert.deepEqual(errorsOf(text), [`1:${PREFIX.length + 1 + 2 * 99_998 + 1} the file holds more than 200,000 tokens (names, numbers, brackets, comments, …), the most ltx reads`]);
  });

  test('comments count as tokens', () => {
    const { diagnostics } = parseProgram('# c\n'.repeat(200_001), 'f.ltx');
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]!.range.start.line, 200_001);
  });

  test('the token limit passed in is what is left to a file of a program that other files already used', () => {
    const { diagnostics } = parseProgram('param a = 1\nparam b = 2\n', 'f.ltx', { maxTokens: 5 });
    assert.deepEqual(diagnostics.map((d) => `${d.range.start.line}:${d.range.start.column} ${d.message}`), [
      '2:7 with the files it imports, the program holds more than 200,000 tokens (names, numbers, brackets, comments, …), the most ltx reads',
    ]);
  });

  test('a string of a million characters is reported at the string (the lexer does not recurse on it)', () => {
    assert.deepEqual(errorsOf(`${PREFIX}"${'a'.repeat(1_000_000)}"\n`), [`1:${PREFIX.length + 1} a string may be at most 4,096 characters long, and this one has 1,000,002`]);
  });

  test('a string of a million escapes, closed or not, is read without running out of stack', () => {
    assert.deepEqual(errorsOf(`${PREFIX}"${'\\n'.repeat(500_000)}"\n`), [`1:${PREFIX.length + 1} a string may be at most 4,096 characters long, and this one has 1,000,002`]);
    assert.deepEqual(errorsOf(`${PREFIX}"${'\\n'.repeat(500_000)}\n`).map((e) => e.split(' ').slice(1).join(' ')), [
      'a string may be at most 4,096 characters long, and this one has 1,000,001',
    ]);
  });

  test('a string of 4,096 characters (quotes included) is fine', () => {
    assert.deepEqual(errorsOf(`${PREFIX}"${'a'.repeat(4094)}"\n`), []);
  });

  test('a name longer than 256 characters is refused at the name', () => {
    assert.deepEqual(errorsOf(`param ${'a'.repeat(300_000)} = 1\n`), ['1:7 a name may be at most 256 characters long, and this one has 300,000']);
    assert.deepEqual(errorsOf(`param ${'a'.repeat(256)} = 1\n`), []);
  });

  test('a number past the doubles is refused at the literal', () => {
    assert.deepEqual(errorsOf('optimizer o = sgd(lr: 1e309)\n'), ['1:23 1e309 is not a finite number (the largest is about 1.8e308)']);
    assert.deepEqual(errorsOf(`${PREFIX}1e400%\n`), ['1:11 1e400 is not a finite number (the largest is about 1.8e308)']);
    assert.deepEqual(errorsOf(`${PREFIX}1.7e308\n`), []);
  });

  test('a --set value past the doubles is refused as well', () => {
    const { expression, diagnostics } = parseExpression('1e309', '--set lr');
    assert.equal(expression, null);
    assert.equal(diagnostics[0]!.message, '1e309 is not a finite number (the largest is about 1.8e308)');
  });
});

describe('nesting', () => {
  const cases: [string, (n: number) => string, number][] = [
    // [what, text nested n levels, column of the level that passes the limit]
    ['parentheses', (n) => `${PREFIX}${'('.repeat(n)}1${')'.repeat(n)}\n`, PREFIX.length + 101],
    ['lists', (n) => `${PREFIX}${'['.repeat(n)}1${']'.repeat(n)}\n`, PREFIX.length + 101],
    ['records', (n) => `${PREFIX}${'{a: '.repeat(n)}1${'}'.repeat(n)}\n`, PREFIX.length + 4 * 100 + 1],
    ['calls with named arguments', (n) => `${PREFIX}${'f(a: '.repeat(n)}1${')'.repeat(n)}\n`, PREFIX.length + 5 * 100 + 2],
    ['indexes', (n) => `${PREFIX}${'t['.repeat(n)}1${']'.repeat(n)}\n`, PREFIX.length + 2 * 100 + 2],
    ['minus signs', (n) => `${PREFIX}${'-'.repeat(n)}1\n`, PREFIX.length + 101],
    ['members', (n) => `${PREFIX}a${'.b'.repeat(n)}\n`, PREFIX.length + 2 + 2 * 100],
    ['minus signs inside calls', (n) => `${PREFIX}${'-f('.repeat(n / 2)}1${')'.repeat(n / 2)}\n`, PREFIX.length + 3 * 50 + 1],
  ];

  for (const [what, nested, column] of cases) {
    test(`${what}: ${MAX_NESTING} levels are fine, one more is an error where it opens`, () => {
      assert.deepEqual(errorsOf(nested(MAX_NESTING)), []);
      assert.deepEqual(errorsOf(nested(MAX_NESTING + 2)), [`1:${column} ${NESTING}`]);
    });
  }

  test('20,000 levels are the same error, not a stack overflow, and the parser is fine afterwards', () => {
    assert.deepEqual(errorsOf(`${PREFIX}${'('.repeat(20_000)}1${')'.repeat(20_000)}\n`), [`1:${PREFIX.length + 101} ${NESTING}`]);
    assert.deepEqual(errorsOf(`${PREFIX}${'-'.repeat(5000)}1\n`), [`1:${PREFIX.length + 101} ${NESTING}`]);
    assert.deepEqual(errorsOf(`${PREFIX}f((1))\n`), []);
  });

  test('for loops nest up to the limit too', () => {
    const loops = (n: number): string => `${'for i in [1] {\n'.repeat(n)}${'}\n'.repeat(n)}`;
    assert.deepEqual(errorsOf(loops(MAX_NESTING)), []);
    assert.equal(errorsOf(loops(MAX_NESTING + 1))[0], `101:10 ${NESTING}`);
  });

  test('the most deeply nested program within the limits formats and formats back to itself', () => {
    const text = `${PREFIX}${'f(a: '.repeat(MAX_NESTING)}1${')'.repeat(MAX_NESTING)}\n`;
    const once = formatProgram(parseProgram(text, 'f.ltx').program, text);
    assert.deepEqual(parseProgram(once, 'f.ltx').diagnostics, []);
    assert.equal(formatProgram(parseProgram(once, 'f.ltx').program, once), once);
  });
});

describe('a long sum is not deep nesting', () => {
  test('a sum of 2,000 terms parses into a left-leaning chain', () => {
    const { program, diagnostics } = parseProgram(`${PREFIX}${sum(2000)}\n`, 'f.ltx');
    assert.deepEqual(diagnostics, []);
    const value = valueOf(program);
    assert.equal(value.type === 'Binary' && value.right.type === 'NumberLiteral' && value.right.value, 2000);
  });

  test('a sum of 50,000 terms formats as written, and a comment inside it keeps its place', () => {
    const text = `${PREFIX}${sum(50_000)}\n`;
    assert.equal(formatProgram(parseProgram(text, 'f.ltx').program, text), text);
    const commented = `param x = [\n  ${sum(3000)},  # the sum\n  2,\n]\n`;
    assert.equal(formatProgram(parseProgram(commented, 'f.ltx').program, commented), commented);
  });
});

describe('code frames of long lines', () => {
  test('show a window around the range, marked with … where the line goes on', () => {
    const text = `${PREFIX}[${'1, '.repeat(300)}1e309]\n`;
    const [diagnostic] = parseProgram(text, 'f.ltx').diagnostics;
    const frame = formatDiagnostic(diagnostic!, text, { color: false }).split('\n');
    assert.equal(frame[0], `f.ltx:1:${PREFIX.length + 2 + 900} error: 1e309 is not a finite number (the largest is about 1.8e308)`.replace(' error', ': error'));
    assert.match(frame[1]!, /^1 \| … ?1, 1, .*1e309\]$/);
    assert.ok(frame[1]!.length < 200, frame[1]);
    // The caret stands under the literal.
    assert.equal(frame[2]!.indexOf('^'), frame[1]!.indexOf('1e309'));
  });
});
