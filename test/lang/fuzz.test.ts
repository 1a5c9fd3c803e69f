// Robustness: thousands of seeded mutations of the fixtures (tokens deleted, inserted, duplicated,
// swapped, the text cut short). Whatever the input, parsing returns a well-formed Program and
// diagnostics that point inside the file, and printing those diagnostics works. Mutants that
// happen to be valid must format idempotently.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tokenize } from '../../lang/lexer.ts';
import { parseExpression, parseProgram } from '../../lang/parse.ts';
import { formatDiagnostic } from '../../lang/print-diagnostic.ts';
import { formatProgram } from '../../lang/formatter.ts';
import { createRng, type Rng } from '../../stdlib/random.ts';
import { astProblems, fixtures, rangeProblem, shape } from './helpers.ts';
import { LineIndex } from '../../lang/source-text.ts';

const MUTANTS = 3000;

const INSERTABLE = [
  '=', ',', ':', '.', '..', '@', '(', ')', '[', ']', '{', '}', '+', '-', '*', '/', 'model', 'for', 'in', 'every',
  'import', 'true', '3', '0.5', '20%', '"s"', '"open', 'x', 'steps', 'epoch', '#c\n', '\n', '$', '\\', '"\\q"',
];

interface Span {
  start: number;
  end: number;
}

function tokenSpans(text: string): Span[] {
  const { tokens, comments } = tokenize(text, 'fixture');
  const spans = tokens.map((token) => ({ start: token.startOffset, end: token.startOffset + token.image.length }));
  for (const comment of comments) spans.push({ start: comment.range.start.offset, end: comment.range.end.offset });
  return spans.sort((a, b) => a.start - b.start);
}

function mutate(text: string, rng: Rng): string {
  const spans = tokenSpans(text);
  if (spans.length === 0) return text;
  const pick = (): Span => spans[rng.int(spans.length)]!;
  switch (rng.int(5)) {
    case 0: {
      const span = pick();
      return text.slice(0, span.start) + text.slice(span.end);
    }
    case 1: {
      const span = pick();
      const insert = INSERTABLE[rng.int(INSERTABLE.length)]!;
      return `${text.slice(0, span.end)} ${insert} ${text.slice(span.end)}`;
    }
    case 2: {
      const span = pick();
      return text.slice(0, span.end) + ' ' + text.slice(span.start, span.end) + text.slice(span.end);
    }
    case 3: {
      const index = rng.int(Math.max(1, spans.length - 1));
      const a = spans[index]!;
      const b = spans[index + 1] ?? a;
      if (a === b) return text;
      return text.slice(0, a.start) + text.slice(b.start, b.end) + text.slice(a.end, b.start) + text.slice(a.start, a.end) + text.slice(b.end);
    }
    default:
      return text.slice(0, rng.int(text.length + 1));
  }
}

test(`parsing ${MUTANTS} mutated programs never throws and always yields well-formed results`, () => {
  const rng = createRng(7, 'lang-fuzz');
  const sources = fixtures().map((fixture) => fixture.text);
  let valid = 0;
  for (let i = 0; i < MUTANTS; i++) {
    let text = sources[rng.int(sources.length)]!;
    const mutations = 1 + rng.int(3);
    for (let m = 0; m < mutations; m++) text = mutate(text, rng);

    const { program, diagnostics } = parseProgram(text, 'mutant.ltx');
    assert.equal(program.type, 'Program');
    assert.deepEqual(astProblems(program, text), [], `mutant ${i}:\n${text}`);
    const lines = new LineIndex(text);
    for (const diagnostic of diagnostics) {
      assert.equal(rangeProblem(diagnostic.range, lines, 'diagnostic'), null, `mutant ${i}: ${diagnostic.message}\n${text}`);
      assert.ok(diagnostic.message.length > 0);
      const printed = formatDiagnostic(diagnostic, text, { color: i % 2 === 0 });
      assert.ok(printed.replace(/\u001b\[[0-9;]*m/g, '').startsWith(`mutant.ltx:${diagnostic.range.start.line}:${diagnostic.range.start.column}`));
    }
    if (diagnostics.length === 0) {
      valid++;
      const once = formatProgram(program, text);
      const reparsed = parseProgram(once, 'mutant.ltx');
      assert.deepEqual(reparsed.diagnostics, [], `mutant ${i} formats to invalid text:\n${once}`);
      assert.deepEqual(shape(reparsed.program), shape(program), `mutant ${i} changes meaning when formatted`);
      assert.equal(formatProgram(reparsed.program, once), once, `mutant ${i} formats differently twice`);
    }
  }
  // The mutations must not be so gentle that nothing breaks, nor so harsh that nothing survives.
  assert.ok(valid > 0 && valid < MUTANTS, `valid mutants: ${valid}`);
});

test('parseExpression never throws on mutated expressions', () => {
  const rng = createRng(11, 'lang-fuzz-expression');
  const seeds = ['fit(theta0, data: fashion.train, steps: 5000 steps)', 'dense @ every 100 steps', '[1, 2, {a: 20%}]', 't[level - 1]'];
  for (let i = 0; i < 500; i++) {
    const text = mutate(seeds[rng.int(seeds.length)]!, rng);
    const { expression, diagnostics } = parseExpression(text, '--set');
    assert.equal(expression === null, diagnostics.length > 0);
    const lines = new LineIndex(text);
    for (const diagnostic of diagnostics) assert.equal(rangeProblem(diagnostic.range, lines, 'diagnostic'), null, text);
  }
});
