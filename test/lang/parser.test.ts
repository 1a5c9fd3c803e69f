// The parser: every construct of LANGUAGE.md parses to the expected AST.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Declaration, Expression, ForStatement, Program } from '../../lang/ast.ts';
import { DECLARATION_KINDS } from '../../lang/ast.ts';
import { parseExpression, parseProgram } from '../../lang/parse.ts';
import { astProblems, fixtures, stripRanges } from './helpers.ts';

function parseClean(text: string): Program {
  const { program, diagnostics } = parseProgram(text, 'test.ltx');
  assert.deepEqual(diagnostics, [], `unexpected diagnostics for:\n${text}`);
  assert.deepEqual(astProblems(program, text), []);
  return program;
}

/** The value of `param x = SOURCE`, without ranges. */
function value(source: string): unknown {
  const statement = parseClean(`param x = ${source}\n`).body[0] as Declaration;
  return stripRanges(statement.value);
}

// Expected-tree builders (ranges are not compared by `value`).
const num = (raw: string) => ({ type: 'NumberLiteral', value: Number(raw), raw });
const ref = (name: string) => ({ type: 'Reference', name });
const id = (name: string) => ({ type: 'Identifier', name });
const arg = (name: string | null, argValue: unknown) => ({ type: 'Argument', name: name === null ? null : id(name), value: argValue });
const call = (callee: string, ...args: unknown[]) => ({ type: 'Call', callee: id(callee), args });
const bin = (operator: string, left: unknown, right: unknown) => ({ type: 'Binary', operator, left, right });
const qty = (amount: unknown, unit: string, unitRaw: string) => ({ type: 'Quantity', amount, unit, unitRaw });

describe('fixtures', () => {
  for (const fixture of fixtures()) {
    test(`${fixture.name} parses without diagnostics`, () => {
      parseClean(fixture.text);
    });
  }

  test('the long-form IMP example has its declarations, loop and comments', () => {
    const text = fixtures().find((fixture) => fixture.name === 'imp-long-form.ltx')!.text;
    const program = parseClean(text);
    const summary = program.body.map((statement) =>
      statement.type === 'Declaration' ? `${statement.kind} ${statement.name.name}` : statement.type,
    );
    assert.deepEqual(summary, [
      'param seed',
      'dataset fashion',
      'model lenet',
      'init theta0',
      'optimizer adam',
      'train dense',
      'train t',
      'For',
      'control reinit',
      'probe ctrl',
      'probe lmc',
    ]);
    const loop = program.body[7] as ForStatement;
    assert.equal(loop.variable.name, 'level');
    assert.deepEqual(stripRanges(loop.iterable), { type: 'Range', from: num('1'), to: num('10') });
    assert.deepEqual(
      loop.body.map((statement) => (statement as Declaration).kind),
      ['mask', 'train', 'probe'],
    );
    assert.deepEqual(
      program.comments.map((comment) => comment.text),
      [
        '# Iterative magnitude pruning with rewinding (Frankle & Carbin 2019; Frankle et al. 2020)',
        '# ltx run file.ltx --set seed=3',
        '# IDX files; path: "..." optional',
      ],
    );
  });
});

describe('statements', () => {
  test('every declaration kind', () => {
    const program = parseClean(DECLARATION_KINDS.map((kind, i) => `${kind} n${i} = ${i}`).join('\n'));
    assert.deepEqual(
      program.body.map((statement) => (statement as Declaration).kind),
      [...DECLARATION_KINDS],
    );
  });

  test('an indexed declaration keeps its index expressions', () => {
    const declaration = parseClean('probe acc[seed][level - 1] = 0').body[0] as Declaration;
    assert.equal(declaration.name.name, 'acc');
    assert.deepEqual(stripRanges(declaration.indices), [ref('seed'), bin('-', ref('level'), num('1'))]);
  });

  test('import takes a string path, unescaped', () => {
    const program = parseClean('import "lib/common.ltx"\nimport "a\\"b\\\\c\\nd"');
    assert.deepEqual(stripRanges(program.body), [
      { type: 'Import', path: { type: 'StringLiteral', value: 'lib/common.ltx', raw: '"lib/common.ltx"' } },
      { type: 'Import', path: { type: 'StringLiteral', value: 'a"b\\c\nd', raw: '"a\\"b\\\\c\\nd"' } },
    ]);
  });

  test('for loops over ranges and lists, and nest', () => {
    const program = parseClean('for s in [0, 1] {\n  for level in 1..3 {\n    train t[s][level] = x\n  }\n}');
    const outer = program.body[0] as ForStatement;
    assert.deepEqual(stripRanges(outer.iterable), { type: 'List', items: [num('0'), num('1')] });
    const inner = outer.body[0] as ForStatement;
    assert.equal(inner.type, 'For');
    assert.equal(inner.variable.name, 'level');
    assert.equal((inner.body[0] as Declaration).indices.length, 2);
  });

  test('an empty for body and an empty program are fine', () => {
    assert.equal((parseClean('for v in 1..2 {}').body[0] as ForStatement).body.length, 0);
    assert.equal(parseClean('').body.length, 0);
    assert.equal(parseClean('# just a comment\n').comments.length, 1);
  });

  test('statements need no separator but a newline', () => {
    const program = parseClean('param a = 1 param b = 2\nparam c = f(x)\n  param d = 3');
    assert.equal(program.body.length, 4);
  });
});

describe('literals', () => {
  test('numbers keep their spelling and value', () => {
    assert.deepEqual(value('3'), num('3'));
    assert.deepEqual(value('0.1'), num('0.1'));
    assert.deepEqual(value('1.2e-3'), { type: 'NumberLiteral', value: 0.0012, raw: '1.2e-3' });
    assert.deepEqual(value('2E+2'), { type: 'NumberLiteral', value: 200, raw: '2E+2' });
  });

  test('a minus sign is unary', () => {
    assert.deepEqual(value('-4'), { type: 'Unary', operator: '-', operand: num('4') });
    assert.deepEqual(value('--4'), { type: 'Unary', operator: '-', operand: { type: 'Unary', operator: '-', operand: num('4') } });
  });

  test('percentages are fractions', () => {
    assert.deepEqual(value('20%'), { type: 'PercentLiteral', value: 0.2, raw: '20%' });
    assert.deepEqual(value('7%'), { type: 'PercentLiteral', value: 0.07, raw: '7%' });
    assert.deepEqual(value('12.5%'), { type: 'PercentLiteral', value: 0.125, raw: '12.5%' });
  });

  test('strings decode \\", \\\\ and \\n', () => {
    assert.deepEqual(value('"a\\"b\\\\c\\nd"'), { type: 'StringLiteral', value: 'a"b\\c\nd', raw: '"a\\"b\\\\c\\nd"' });
    assert.deepEqual(value('""'), { type: 'StringLiteral', value: '', raw: '""' });
  });

  test('booleans', () => {
    assert.deepEqual(value('true'), { type: 'BooleanLiteral', value: true });
    assert.deepEqual(value('false'), { type: 'BooleanLiteral', value: false });
  });

  test('lists and records, with trailing commas or empty', () => {
    assert.deepEqual(value('[1, 2, 3,]'), { type: 'List', items: [num('1'), num('2'), num('3')] });
    assert.deepEqual(value('[]'), { type: 'List', items: [] });
    assert.deepEqual(value('{output: 10%, layer1: 20%,}'), {
      type: 'Record',
      entries: [
        { type: 'RecordEntry', key: id('output'), value: { type: 'PercentLiteral', value: 0.1, raw: '10%' } },
        { type: 'RecordEntry', key: id('layer1'), value: { type: 'PercentLiteral', value: 0.2, raw: '20%' } },
      ],
    });
    assert.deepEqual(value('{}'), { type: 'Record', entries: [] });
  });

  test('record keys may be dotted names or strings (layer names hold dots)', () => {
    assert.deepEqual(value('{stage1.block1.conv1: 1}'), { type: 'Record', entries: [{ type: 'RecordEntry', key: id('stage1.block1.conv1'), value: num('1') }] });
    assert.deepEqual(value('{"block1.attn.query": 1}'), {
      type: 'Record', entries: [{ type: 'RecordEntry', key: id('block1.attn.query'), quotedKey: '"block1.attn.query"', value: num('1') }],
    });
  });

  test('ranges are inclusive pairs of expressions', () => {
    assert.deepEqual(value('1..10'), { type: 'Range', from: num('1'), to: num('10') });
    assert.deepEqual(value('a + 1..n * 2'), { type: 'Range', from: bin('+', ref('a'), num('1')), to: bin('*', ref('n'), num('2')) });
  });
});

describe('names, members, indexes, calls', () => {
  test('identifiers may start with a keyword', () => {
    assert.deepEqual(value('models'), ref('models'));
    assert.deepEqual(value('train_set'), ref('train_set'));
    assert.deepEqual(value('index'), ref('index'));
  });

  test('members, also named like keywords', () => {
    assert.deepEqual(value('fashion.train'), { type: 'Member', object: ref('fashion'), property: id('train') });
    assert.deepEqual(value('run.mask'), { type: 'Member', object: ref('run'), property: id('mask') });
  });

  test('indexes, the whole family t[*], and chains', () => {
    assert.deepEqual(value('t[level - 1]'), { type: 'Index', object: ref('t'), index: bin('-', ref('level'), num('1')) });
    assert.deepEqual(value('t[*]'), { type: 'Index', object: ref('t'), index: null });
    assert.deepEqual(value('acc[s][*].mask'), {
      type: 'Member',
      object: { type: 'Index', object: { type: 'Index', object: ref('acc'), index: ref('s') }, index: null },
      property: id('mask'),
    });
  });

  test('calls take positional then named arguments; names may be keywords', () => {
    assert.deepEqual(value('magnitude(t[3], rate: 20%)'), call('magnitude', arg(null, { type: 'Index', object: ref('t'), index: num('3') }), arg('rate', { type: 'PercentLiteral', value: 0.2, raw: '20%' })));
    assert.deepEqual(value('rewind(x, mask: m, train: true, every: 1, in: 2)'), call('rewind', arg(null, ref('x')), arg('mask', ref('m')), arg('train', { type: 'BooleanLiteral', value: true }), arg('every', num('1')), arg('in', num('2'))));
    assert.deepEqual(value('f()'), call('f'));
    assert.deepEqual(value('f(a, b,)'), call('f', arg(null, ref('a')), arg(null, ref('b'))));
  });

  test('record keys may be keywords', () => {
    assert.deepEqual(value('{train: 1}'), { type: 'Record', entries: [{ type: 'RecordEntry', key: id('train'), value: num('1') }] });
  });

  test('a call can span lines', () => {
    assert.deepEqual(value('f(\n  a,\n  b: 2,\n)'), call('f', arg(null, ref('a')), arg('b', num('2'))));
  });
});

describe('checkpoints, quantities, arithmetic', () => {
  test('RUN @ QUANTITY and RUN @ every QUANTITY', () => {
    assert.deepEqual(value('dense @ 500 steps'), { type: 'At', run: ref('dense'), every: false, at: qty(num('500'), 'steps', 'steps') });
    assert.deepEqual(value('run @ every 100 steps'), { type: 'At', run: ref('run'), every: true, at: qty(num('100'), 'steps', 'steps') });
  });

  test('units: step, steps, epoch, epochs, after any value on the same line', () => {
    assert.deepEqual(value('1 step'), qty(num('1'), 'steps', 'step'));
    assert.deepEqual(value('3 epochs'), qty(num('3'), 'epochs', 'epochs'));
    assert.deepEqual(value('1 epoch'), qty(num('1'), 'epochs', 'epoch'));
    assert.deepEqual(value('k steps'), qty(ref('k'), 'steps', 'steps'));
    assert.deepEqual(value('(k*100) steps'), qty({ type: 'Paren', expression: bin('*', ref('k'), num('100')) }, 'steps', 'steps'));
  });

  test('a unit binds tighter than arithmetic and minus', () => {
    assert.deepEqual(value('2 * 3 steps'), bin('*', num('2'), qty(num('3'), 'steps', 'steps')));
    assert.deepEqual(value('-4 steps'), { type: 'Unary', operator: '-', operand: qty(num('4'), 'steps', 'steps') });
  });

  test('a name on the next line is not a unit', () => {
    const program = parseClean('param a = 3\nparam b = 4');
    assert.deepEqual(stripRanges((program.body[0] as Declaration).value), num('3'));
    assert.equal(parseProgram('param a = 3\nsteps', 't.ltx').diagnostics.length, 1);
  });

  test('* and / bind tighter than + and -, all left-associative', () => {
    assert.deepEqual(value('1 + 2 * 3 - 4 / 2'), bin('-', bin('+', num('1'), bin('*', num('2'), num('3'))), bin('/', num('4'), num('2'))));
    assert.deepEqual(value('8 / 4 / 2'), bin('/', bin('/', num('8'), num('4')), num('2')));
    assert.deepEqual(value('-a * b'), bin('*', { type: 'Unary', operator: '-', operand: ref('a') }, ref('b')));
  });

  test('parentheses are kept as written', () => {
    assert.deepEqual(value('(1 + 2) * 3'), bin('*', { type: 'Paren', expression: bin('+', num('1'), num('2')) }, num('3')));
    assert.deepEqual(value('((x))'), { type: 'Paren', expression: { type: 'Paren', expression: ref('x') } });
  });
});

describe('source ranges', () => {
  const text = 'param seed = 0\ntrain dense = fit(w, steps: 500 steps)  # note\n';
  const program = parseClean(text);
  const dense = program.body[1] as Declaration;

  test('a declaration spans from its kind to the end of its value', () => {
    assert.deepEqual(dense.range, { start: { offset: 15, line: 2, column: 1 }, end: { offset: 53, line: 2, column: 39 } });
    assert.deepEqual(dense.kindRange, { start: { offset: 15, line: 2, column: 1 }, end: { offset: 20, line: 2, column: 6 } });
    assert.deepEqual(dense.name.range.start, { offset: 21, line: 2, column: 7 });
  });

  test('nested nodes and units have their own ranges', () => {
    const fit = dense.value as Expression & { type: 'Call' };
    assert.equal(text.slice(fit.range.start.offset, fit.range.end.offset), 'fit(w, steps: 500 steps)');
    const steps = fit.args[1]!;
    assert.equal(text.slice(steps.range.start.offset, steps.range.end.offset), 'steps: 500 steps');
    const quantity = steps.value as Expression & { type: 'Quantity' };
    assert.equal(text.slice(quantity.unitRange.start.offset, quantity.unitRange.end.offset), 'steps');
    assert.deepEqual(quantity.unitRange.start, { offset: 47, line: 2, column: 33 });
  });

  test('comments are collected with their ranges', () => {
    assert.deepEqual(program.comments, [
      { type: 'Comment', text: '# note', range: { start: { offset: 55, line: 2, column: 41 }, end: { offset: 61, line: 2, column: 47 } } },
    ]);
  });

  test('CRLF and CR line breaks count as one line each', () => {
    const crlf = parseClean('param a = 1\r\nparam b = 2\rparam c = 3');
    assert.deepEqual(crlf.body.map((statement) => statement.range.start.line), [1, 2, 3]);
    assert.deepEqual(crlf.body[2]!.range.start, { offset: 25, line: 3, column: 1 });
  });
});

describe('parseExpression (for --set NAME=VALUE)', () => {
  test('parses a whole value', () => {
    assert.deepEqual(stripRanges(parseExpression('[1, 2]', '--set').expression), { type: 'List', items: [num('1'), num('2')] });
    assert.deepEqual(stripRanges(parseExpression(' 3 steps ', '--set').expression), qty(num('3'), 'steps', 'steps'));
  });

  test('returns null with a diagnostic when the text is not one expression', () => {
    for (const text of ['', '1 2', 'f(', 'model m = 3']) {
      const result = parseExpression(text, '--set');
      assert.equal(result.expression, null, text);
      assert.ok(result.diagnostics.length > 0, text);
    }
    assert.equal(parseExpression('1 2', '--set').diagnostics[0]!.message, "unexpected '2' after the value");
  });
});

test('a program of 10,000 declarations parses', () => {
  const lines: string[] = [];
  for (let i = 0; i < 10_000; i++) lines.push(`mask m${i} = magnitude(t[${i}], rate: 20%, scope: global)`);
  const { program, diagnostics } = parseProgram(lines.join('\n'), 'big.ltx');
  assert.equal(diagnostics.length, 0);
  assert.equal(program.body.length, 10_000);
  assert.equal((program.body[9_999] as Declaration).name.name, 'm9999');
});
