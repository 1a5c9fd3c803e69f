// Syntax errors, golden files: each `errors/<case>.ltx` is parsed and its diagnostics, printed
// without colour, must equal `errors/<case>.expected`. Run with UPDATE_GOLDEN=1 to rewrite the
// expected files (then read the diff by eye).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseProgram } from '../../lang/parse.ts';
import { formatDiagnostic, formatDiagnostics } from '../../lang/print-diagnostic.ts';
import { HERE } from './helpers.ts';

const ERRORS_DIR = join(HERE, 'errors');
const update = process.env['UPDATE_GOLDEN'] === '1';

function render(name: string, text: string): string {
  const { diagnostics } = parseProgram(text, name);
  return `${formatDiagnostics(diagnostics, text, { color: false })}\n`;
}

describe('golden syntax errors', () => {
  const cases = readdirSync(ERRORS_DIR).filter((name) => name.endsWith('.ltx')).sort();
  for (const name of cases) {
    test(name, () => {
      const text = readFileSync(join(ERRORS_DIR, name), 'utf8');
      const actual = render(name, text);
      const expectedPath = join(ERRORS_DIR, name.replace(/\.ltx$/, '.expected'));
      if (update) writeFileSync(expectedPath, actual);
      assert.equal(actual, readFileSync(expectedPath, 'utf8'));
    });
  }

  test('every case reports at least one error, all with the syntax code', () => {
    for (const name of cases) {
      const { diagnostics } = parseProgram(readFileSync(join(ERRORS_DIR, name), 'utf8'), name);
      assert.ok(diagnostics.length > 0, name);
      for (const diagnostic of diagnostics) {
        assert.equal(diagnostic.code, 'syntax');
        assert.equal(diagnostic.severity, 'error');
      }
    }
  });
});

describe('error reporting', () => {
  test('every error of a file is reported, in order, once', () => {
    const text = 'model m mlp()\ntrain = fit(x)\nparam p = [1 2]\nxyz\nparam q = 1\n';
    const { program, diagnostics } = parseProgram(text, 'f.ltx');
    assert.deepEqual(
      diagnostics.map((d) => `${d.range.start.line}:${d.range.start.column} ${d.message}`),
      [
        "1:9 expected '=' after the name of model m, found 'mlp'",
        "2:7 expected a name after 'train'",
        "3:14 expected ',' or ']' in the list, found '2'",
        "4:1 unexpected 'xyz': expected a declaration (param, dataset, model, …), 'for' or 'import'",
      ],
    );
    // Recovery keeps what it can: the last, correct declaration is there.
    const last = program.body[program.body.length - 1]!;
    assert.equal(last.type === 'Declaration' && last.name.name, 'q');
  });

  test('a missing token at the end of a line points just after the previous token', () => {
    const { diagnostics } = parseProgram('train t = fit(x\nparam y = 2\n', 'f.ltx');
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]!.message, "expected ')' to close the call to fit");
    assert.deepEqual(diagnostics[0]!.range.start, { offset: 15, line: 1, column: 16 });
  });

  test('an error at the end of the file points after the last token', () => {
    const text = 'param p = 1 +\n\n';
    const { diagnostics } = parseProgram(text, 'f.ltx');
    assert.equal(diagnostics[0]!.message, "expected an expression after '+'");
    assert.deepEqual(diagnostics[0]!.range.start, { offset: 13, line: 1, column: 14 });
  });

  test('a recovered declaration keeps an ErrorExpression where its value was missing', () => {
    const { program } = parseProgram('model m =\nparam x = 1', 'f.ltx');
    const [broken, fine] = program.body;
    assert.equal(broken?.type === 'Declaration' && broken.value.type, 'ErrorExpression');
    assert.equal(fine?.type === 'Declaration' && fine.name.name, 'x');
  });

  test('a character the lexer drops is reported once, not again as a missing expression', () => {
    const { diagnostics } = parseProgram('param x = $\n', 'f.ltx');
    assert.deepEqual(diagnostics.map((d) => d.message), ["unexpected character '$'"]);
  });

  test('absurd nesting is an error at the bracket that passes the limit, not a crash', () => {
    const { diagnostics } = parseProgram(`param x = ${'('.repeat(20_000)}1`, 'deep.ltx');
    assert.equal(diagnostics[0]!.message, "nested more than 100 levels deep (each bracket, '-' sign, call, index and .member is a level)");
    assert.equal(diagnostics[0]!.range.start.column, 'param x = '.length + 101);
    // The shared parser is still usable afterwards.
    assert.deepEqual(parseProgram('param x = f((1))', 'after.ltx').diagnostics, []);
  });
});

describe('formatDiagnostic', () => {
  const source = 'param seed = 0\nmodel m mlp(input: 784)\n';
  const diagnostic = parseProgram(source, 'net.ltx').diagnostics[0]!;

  test('prints the location, the message and a code frame with the line before', () => {
    assert.equal(
      formatDiagnostic(diagnostic, source, { color: false }),
      [
        "net.ltx:2:9: error: expected '=' after the name of model m, found 'mlp'",
        '1 | param seed = 0',
        '2 | model m mlp(input: 784)',
        '  |         ^~~',
      ].join('\n'),
    );
  });

  test('without the source only the first line is printed', () => {
    assert.equal(formatDiagnostic(diagnostic, undefined, { color: false }), "net.ltx:2:9: error: expected '=' after the name of model m, found 'mlp'");
  });

  test('colour is ANSI escapes, only when asked for', () => {
    assert.ok(formatDiagnostic(diagnostic, source, { color: true }).includes('\u001b[31m'));
    assert.ok(!formatDiagnostic(diagnostic, source, { color: false }).includes('\u001b['));
  });

  test('related information becomes notes', () => {
    const withNote = {
      ...diagnostic,
      severity: 'warning' as const,
      message: 'duplicate name m',
      related: [{ file: 'net.ltx', range: diagnostic.range, message: 'first declared here' }],
    };
    const lines = formatDiagnostic(withNote, source, { color: false }).split('\n');
    assert.equal(lines[0], 'net.ltx:2:9: warning: duplicate name m');
    assert.equal(lines[4], 'net.ltx:2:9: note: first declared here');
  });

  test('the gutter widens with the line number and tabs keep the caret aligned', () => {
    const text = `${'\n'.repeat(9)}\tparam x = 3 $\n`;
    const [error] = parseProgram(text, 't.ltx').diagnostics;
    assert.equal(formatDiagnostic(error!, text, { color: false }), ["t.ltx:10:14: error: unexpected character '$'", ' 9 |', '10 | \tparam x = 3 $', '   | \t            ^'].join('\n'));
  });
});
