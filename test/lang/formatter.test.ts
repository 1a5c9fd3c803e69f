// The formatter: one canonical layout, idempotent, meaning-preserving, never losing a comment.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Expression, Node, Program } from '../../lang/ast.ts';
import { formatProgram } from '../../lang/formatter.ts';
import { tokenize } from '../../lang/lexer.ts';
import { parseProgram } from '../../lang/parse.ts';
import { createRng, type Rng } from '../../stdlib/random.ts';
import { fixtures, shape } from './helpers.ts';

function parseClean(text: string): Program {
  const { program, diagnostics } = parseProgram(text, 'test.ltx');
  assert.deepEqual(diagnostics, [], `diagnostics for:\n${text}`);
  return program;
}

function fmt(text: string): string {
  return formatProgram(parseClean(text), text);
}

const commentTexts = (program: Program): string[] => program.comments.map((comment) => comment.text);

/** Formatting `text` is idempotent, keeps the AST and keeps every comment exactly once. */
function assertRoundTrip(text: string, original: Program, label: string): string {
  const once = fmt(text);
  const reparsed = parseClean(once);
  assert.deepEqual(shape(reparsed), shape(original), `${label}: meaning changed`);
  assert.deepEqual(commentTexts(reparsed).sort(), commentTexts(original).sort(), `${label}: comments changed`);
  assert.equal(fmt(once), once, `${label}: formatting twice differs`);
  return once;
}

// -------------------------------------------------------------------------------------------
// Random re-layouts of a valid program.

interface Gap {
  /** Offset where text may be inserted (between two tokens or comments). */
  at: number;
  /** A line break here would change the meaning (the next token is a unit). */
  newlineForbidden: boolean;
}

function unitOffsets(program: Program): Set<number> {
  const offsets = new Set<number>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const typed = node as Node;
    if (typed.type === 'Quantity') offsets.add((typed as Expression & { type: 'Quantity' }).unitRange.start.offset);
    for (const [key, child] of Object.entries(node)) if (key !== 'range') visit(child);
  };
  visit(program.body);
  return offsets;
}

function gaps(text: string, program: Program): Gap[] {
  const { tokens, comments } = tokenize(text, 'relayout');
  const starts = [...tokens.map((token) => token.startOffset), ...comments.map((comment) => comment.range.start.offset)].sort((a, b) => a - b);
  const units = unitOffsets(program);
  return starts.map((start) => ({ at: start, newlineForbidden: units.has(start) }));
}

function insertAt(text: string, insertions: Map<number, string>): string {
  let out = '';
  let last = 0;
  for (const at of [...insertions.keys()].sort((a, b) => a - b)) {
    out += text.slice(last, at) + insertions.get(at)!;
    last = at;
  }
  return out + text.slice(last);
}

function relayout(text: string, program: Program, rng: Rng, options: { newlines: boolean }): string {
  const insertions = new Map<number, string>();
  for (const gap of gaps(text, program)) {
    if (rng.uniform() > 0.3) continue;
    const choices = options.newlines && !gap.newlineForbidden ? [' ', '   ', '\t', '\n', '\n\n  ', '\n\n\n'] : [' ', '   ', '\t'];
    insertions.set(gap.at, choices[rng.int(choices.length)]!);
  }
  return insertAt(text, insertions);
}

function withRandomComments(text: string, program: Program, rng: Rng): { text: string; added: number } {
  const insertions = new Map<number, string>();
  let added = 0;
  for (const gap of gaps(text, program)) {
    if (gap.newlineForbidden || rng.uniform() > 0.2) continue;
    added++;
    insertions.set(gap.at, rng.uniform() < 0.5 ? `  # added ${added}\n` : `\n# added ${added}\n`);
  }
  return { text: insertAt(text, insertions), added };
}

describe('round trip over the fixtures', () => {
  for (const fixture of fixtures()) {
    test(`${fixture.name}: idempotent, same AST, comments kept in order`, () => {
      const original = parseClean(fixture.text);
      const once = assertRoundTrip(fixture.text, original, fixture.name);
      assert.deepEqual(commentTexts(parseClean(once)), commentTexts(original));
    });

    test(`${fixture.name}: random re-layouts format to a fixed point with the same AST`, () => {
      const original = parseClean(fixture.text);
      const rng = createRng(1, `relayout/${fixture.name}`);
      for (let i = 0; i < 25; i++) {
        const copy = relayout(fixture.text, original, rng, { newlines: true });
        assertRoundTrip(copy, original, `${fixture.name} re-layout ${i}`);
      }
    });

    test(`${fixture.name}: extra spaces and tabs do not change the output`, () => {
      const original = parseClean(fixture.text);
      const expected = fmt(fixture.text);
      const rng = createRng(2, `spaces/${fixture.name}`);
      for (let i = 0; i < 10; i++) assert.equal(fmt(relayout(fixture.text, original, rng, { newlines: false })), expected);
    });

    test(`${fixture.name}: comments added anywhere are neither dropped nor duplicated`, () => {
      const original = parseClean(fixture.text);
      const rng = createRng(3, `comments/${fixture.name}`);
      for (let i = 0; i < 25; i++) {
        const { text, added } = withRandomComments(fixture.text, original, rng);
        const commented = parseClean(text);
        assert.equal(commented.comments.length, original.comments.length + added);
        assertRoundTrip(text, commented, `${fixture.name} comments ${i}`);
      }
    });
  }

  test('the sugar example comes out in canonical layout', () => {
    const fixture = fixtures().find((candidate) => candidate.name === 'imp-sugar.ltx')!;
    assert.equal(
      fmt(fixture.text),
      'lottery imp = imp(dense, rounds: 10, rate: 20%, scope: global, rewind: 500 steps, skip: ["output"])\n' +
        'probe acc = accuracy(imp, on: fashion.test)  # one row per level\n',
    );
  });
});

describe('canonical layout', () => {
  test('single spaces around =, no column alignment', () => {
    assert.equal(fmt('model   lenet   = mlp(input:784,hidden:[300,100])\noptimizer adam  = adam( lr : 1.2e-3 )'), 'model lenet = mlp(input: 784, hidden: [300, 100])\noptimizer adam = adam(lr: 1.2e-3)\n');
  });

  test('indexed declarations and expressions', () => {
    assert.equal(fmt('probe  acc [ s ] [ level ]=accuracy( t [ level-1 ] , on : d . test )'), 'probe acc[s][level] = accuracy(t[level - 1], on: d.test)\n');
    assert.equal(fmt('probe all = f( t [ * ] )'), 'probe all = f(t[*])\n');
  });

  test('checkpoints, ranges, units, arithmetic, parentheses', () => {
    assert.equal(fmt('train a = rewind(dense@500   steps)'), 'train a = rewind(dense @ 500 steps)\n');
    assert.equal(fmt('probe b = mask_distance(run@every 100 step)'), 'probe b = mask_distance(run @ every 100 step)\n');
    assert.equal(fmt('for v in 1 .. 10 {\n}'), 'for v in 1..10 {}\n');
    assert.equal(fmt('param c = - x*(1+2)/ -3'), 'param c = -x * (1 + 2) / -3\n');
  });

  test('record keys keep their spelling: dotted names and quoted strings', () => {
    const text = 'mask m = magnitude(t, rates: {stage1.block1.conv1: 20%, "block1.attn.query": 10%})\n';
    assert.equal(fmt(text), text);
  });

  test('literals keep their spelling; trailing commas go on one line', () => {
    assert.equal(fmt('param a = [1.50, 2E3, 07%, "x\\"y",]\nparam r = {a: true, b: false,}'), 'param a = [1.50, 2E3, 07%, "x\\"y"]\nparam r = {a: true, b: false}\n');
  });

  test('blank lines between statements are kept, runs collapsed to one, none at the edges', () => {
    assert.equal(fmt('\n\n\nparam a = 1\n\n\n\nparam b = 2\nparam c = 3\n\n\n'), 'param a = 1\n\nparam b = 2\nparam c = 3\n');
  });

  test('for bodies are indented by two spaces, without blank lines at their edges', () => {
    assert.equal(
      fmt('for s in [0,1] {\n\n\nfor level in 1..3 {\n\n  train t[s][level] = x\n\n\nprobe p[s][level] = y\n\n}\n\n}'),
      'for s in [0, 1] {\n  for level in 1..3 {\n    train t[s][level] = x\n\n    probe p[s][level] = y\n  }\n}\n',
    );
  });

  test('imports, and an empty program', () => {
    assert.equal(fmt('import   "a.ltx"\nimport "b\\n.ltx"'), 'import "a.ltx"\nimport "b\\n.ltx"\n');
    assert.equal(fmt(''), '');
    assert.equal(fmt('\n\n'), '');
  });
});

describe('comments', () => {
  test('a trailing comment stays at the end of its line, two spaces after the code', () => {
    assert.equal(fmt('param seed = 0       # the seed\nparam x = 1#tight'), 'param seed = 0  # the seed\nparam x = 1  #tight\n');
  });

  test('an own-line comment stays before its statement, at its indentation', () => {
    assert.equal(fmt('# header\n\n# about a\nparam a = 1\nfor v in 1..2 {\n      # about b\n  param b = v\n}'), '# header\n\n# about a\nparam a = 1\nfor v in 1..2 {\n  # about b\n  param b = v\n}\n');
  });

  test('comments at the end of a block or of the file stay there', () => {
    assert.equal(fmt('for v in 1..2 {  # loop\n  param b = v\n\n  # end of body\n}  # after\n\n\n# end of file\n'), 'for v in 1..2 {  # loop\n  param b = v\n\n  # end of body\n}  # after\n\n# end of file\n');
    assert.equal(fmt('for v in 1..2 {\n  # only a comment\n}'), 'for v in 1..2 {\n  # only a comment\n}\n');
  });

  test('a comment inside an expression forces the broken layout and stays with its element', () => {
    assert.equal(
      fmt('model m = mlp(input: 784, # pixels\n hidden: [300, 100], classes: 10)'),
      'model m = mlp(\n  input: 784,  # pixels\n  hidden: [300, 100],\n  classes: 10,\n)\n',
    );
    assert.equal(
      fmt('model m = mlp(\n  # inputs\n  input: 784, hidden: [300, # wide\n 100])'),
      'model m = mlp(\n  # inputs\n  input: 784,\n  hidden: [\n    300,  # wide\n    100,\n  ],\n)\n',
    );
    assert.equal(fmt('param l = [  # numbers\n  1, 2,\n  # no more\n]'), 'param l = [  # numbers\n  1,\n  2,\n  # no more\n]\n');
  });

  test('a comment where no line can break moves next to its statement', () => {
    assert.equal(fmt('train t[ # which\n  level] = x'), 'train t[level] = x  # which\n');
    assert.equal(fmt('param x = a +\n  # why\n  b'), '# why\nparam x = a + b\n');
  });
});

describe('long lines', () => {
  test('a declaration that fits in 100 columns stays on one line; one more column breaks it', () => {
    const fits = `probe p = f(${'a'.repeat(40)}, ${'b'.repeat(45)})`;
    assert.equal(fits.length, 100);
    assert.equal(fmt(fits), `${fits}\n`);
    const tooLong = `probe p = f(${'a'.repeat(40)}, ${'b'.repeat(46)})`;
    assert.equal(fmt(tooLong), `probe p = f(\n  ${'a'.repeat(40)},\n  ${'b'.repeat(46)},\n)\n`);
  });

  test('only the outermost call breaks when its arguments then fit', () => {
    const text =
      'train t = fit(rewind(dense @ 500 steps, mask: m[level]), data: fashion.train, optimizer: adam, like: dense, order: seed)';
    assert.equal(
      fmt(text),
      'train t = fit(\n  rewind(dense @ 500 steps, mask: m[level]),\n  data: fashion.train,\n  optimizer: adam,\n  like: dense,\n  order: seed,\n)\n',
    );
  });

  test('nested calls and lists break the same way when still too long', () => {
    const inner = `inner(${Array.from({ length: 12 }, (_, i) => `argument_${i}`).join(', ')})`;
    const list = `[${Array.from({ length: 30 }, (_, i) => i * 1000).join(', ')}]`;
    const out = fmt(`probe p = outer(${inner}, values: ${list})`);
    assert.equal(
      out,
      [
        'probe p = outer(',
        '  inner(',
        ...Array.from({ length: 12 }, (_, i) => `    argument_${i},`),
        '  ),',
        '  values: [',
        ...Array.from({ length: 30 }, (_, i) => `    ${i * 1000},`),
        '  ],',
        ')',
        '',
      ].join('\n'),
    );
  });

  test('width is measured from the indentation inside a for body', () => {
    const declaration = `probe p[v] = f(${'a'.repeat(40)}, ${'b'.repeat(41)})`;
    assert.equal(declaration.length, 99);
    assert.equal(fmt(declaration), `${declaration}\n`);
    assert.equal(fmt(`for v in 1..2 {\n${declaration}\n}`), `for v in 1..2 {\n  probe p[v] = f(\n    ${'a'.repeat(40)},\n    ${'b'.repeat(41)},\n  )\n}\n`);
  });

  test('a trailing comment does not count towards the width', () => {
    const code = `probe p = f(${'a'.repeat(40)}, ${'b'.repeat(45)})`;
    assert.equal(fmt(`${code}  # a comment that runs well past the hundredth column of this line`), `${code}  # a comment that runs well past the hundredth column of this line\n`);
  });
});
