// Every semantic error kind: the right line, column and message, in words a user understands.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileText, errors, PRELUDE } from './helpers.ts';

const LINE = PRELUDE.split('\n').length; // the first line after the prelude

function only(text: string, extra: Record<string, string> = {}): { file: string; line: number; column: number; message: string } {
  const found = errors(text, extra);
  assert.equal(found.length, 1, `expected one error, got:\n${found.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n')}`);
  return found[0]!;
}

const cases: { name: string; text: string; line: number; column: number; message: string; extra?: Record<string, string> }[] = [
  { name: 'unknown name, with a suggestion', text: 'train x = fit(thta0, like: dense)', line: LINE, column: 15, message: "unknown name 'thta0'; did you mean 'theta0'?" },
  { name: 'unknown function, with a suggestion', text: 'model m2 = mpl(input: 4, classes: 2)', line: LINE, column: 12, message: "unknown function 'mpl'; did you mean 'mlp'?" },
  { name: 'unknown argument, with a suggestion (and no second "missing" error)', text: 'mask m = magnitude(dense, rtae: 20%)', line: LINE, column: 27, message: "unknown argument 'rtae' of magnitude; did you mean 'rate'?" },
  { name: 'missing required argument, at the function name', text: 'mask m = magnitude(dense)', line: LINE, column: 10, message: "missing argument 'rate' of magnitude" },
  { name: 'a value that does not fit the declaration kind', text: 'model m2 = adam(lr: 0.1)', line: LINE, column: 12, message: 'model m2 must be a model, but adam(...) returns an optimizer' },
  { name: 'an argument of the wrong type', text: 'mask m = magnitude(opt, rate: 20%)', line: LINE, column: 20, message: "argument 'weights' of magnitude expects a training run or a checkpoint, but opt is an optimizer" },
  { name: 'an enum value, with a suggestion', text: 'mask m = magnitude(dense, rate: 20%, scope: globl)', line: LINE, column: 45, message: "argument 'scope' of magnitude must be one of global, layerwise, not 'globl'; did you mean 'global'?" },
  { name: 'a number out of range, shown as written', text: 'mask m = magnitude(dense, rate: 120%)', line: LINE, column: 33, message: "argument 'rate' of magnitude must be less than 1, but it is 1.2 (120%)" },
  { name: 'a string where a number is expected', text: 'mask m = magnitude(dense, rate: "big")', line: LINE, column: 33, message: "argument 'rate' of magnitude must be a number, but got a string" },
  { name: 'RUN @ k past the end of the run', text: 'mask m = magnitude(dense @ 500 steps, rate: 20%)', line: LINE, column: 28, message: 'dense @ 500 steps is outside dense, which trains from step 0 to step 240' },
  { name: 'a duplicate name, at the second declaration', text: 'train dense = fit(theta0, like: dense)', line: LINE, column: 7, message: 'dense is declared twice' },
  { name: 'a cycle between declarations names its members', text: 'train a = fit(b, like: dense)\ntrain b = fit(a, like: dense)', line: LINE + 1, column: 15, message: 'cycle between declarations: a → b → a' },
  { name: 'an unknown layer in skip, with a suggestion', text: 'mask m = magnitude(dense, rate: 20%, skip: ["ouptut"])', line: LINE, column: 45, message: "mlp has no prunable layer 'ouptut'; did you mean 'output'?" },
  { name: 'a member that no loop declares', text: 'for l in 1..3 { train t[l] = fit(theta0, like: dense, order: l) }\nprobe p = accuracy(t[7], on: d)', line: LINE + 1, column: 20, message: 't[7] is not declared (declared: t[1], t[2], t[3])' },
  { name: 'an unindexed declaration inside a loop', text: 'for l in 1..3 { train t = fit(theta0, like: dense, order: l) }', line: LINE, column: 23, message: 't is declared again in every iteration of the loop; index it, e.g. t[l]' },
  { name: 'too many positional arguments', text: 'mask m = magnitude(dense, 20%)', line: LINE, column: 27, message: 'magnitude takes 1 positional argument (weights); name this one' },
  { name: 'fit without a recipe', text: 'train x = fit(theta0, data: d)', line: LINE, column: 11, message: 'fit needs optimizer:, steps: (or like: RUN to copy them from another run)' },
  { name: 'an unknown split', text: 'probe p = accuracy(dense, on: d.tset)', line: LINE, column: 33, message: "a dataset has the splits .train and .test, not .tset; did you mean 'test'?" },
  { name: 'a mask of another model', text: 'model big = mlp(input: 64, hidden: [64], classes: 10)\ninit w = kaiming_normal(big)\nmask m = magnitude(dense, rate: 20%)\ntrain x = fit(rewind(w, mask: m), like: dense)', line: LINE + 3, column: 31, message: 'the mask was made for mlp(input: 64, hidden: [32], classes: 10, activation: "relu", …), but the weights are of mlp(input: 64, hidden: [64], classes: 10, activation: "relu", …)' },
  { name: 'an integer index that is not one', text: 'for l in 3..3 { train t[l * 0.5] = fit(theta0, like: dense, order: l) }', line: LINE, column: 25, message: 'an index of t must be an integer or a string, but this is 1.5' },
];

for (const c of cases) {
  test(`error: ${c.name}`, () => {
    const e = only(PRELUDE + c.text, c.extra);
    assert.deepEqual({ line: e.line, column: e.column, message: e.message }, { line: c.line, column: c.column, message: c.message });
  });
}

test('error: an import cycle names the chain, at the import that closes it', () => {
  const e = only(`import "b.ltx"\n${PRELUDE}`, { 'b.ltx': 'import "main.ltx"\n' });
  assert.deepEqual(e, { file: 'b.ltx', line: 1, column: 8, message: 'import cycle: main.ltx → b.ltx → main.ltx' });
});

test('error: an imported file that does not exist', () => {
  const e = only(`import "nope.ltx"\n${PRELUDE}`);
  assert.equal(e.message, "cannot read imported file 'nope.ltx'");
});

test('error: epochs of a dataset whose size is unknown at compile time', () => {
  const e = only('dataset c = text("/nonexistent.txt", context: 8)\nmodel lm = transformer(vocab: 10, context: 8, width: 8, heads: 2, layers: 1)\ninit w = normal(lm)\noptimizer o = adam()\ntrain r = fit(w, data: c, optimizer: o, steps: 2 epochs)');
  assert.equal(e.message, 'epochs of text cannot be converted to steps: its size is not known before it is read; give steps instead');
});

test('all errors of a program are reported, not only the first', () => {
  const found = errors(`${PRELUDE}model a = adam()\nmask m = magnitude(dense, rate: 2)\ntrain x = fit(thta0, like: dense)`);
  assert.equal(found.length, 3);
});

test('the type error has a note at the declaration kind', () => {
  const d = compileText(`${PRELUDE}model m2 = adam(lr: 0.1)`).diagnostics[0]!;
  assert.equal(d.related?.[0]?.message, 'declared as model here');
  assert.equal(d.related?.[0]?.range.start.column, 1);
});

test('--set of an unknown param is a usage error naming the flag', () => {
  const p = compileText(`param seed = 0\n${PRELUDE}`, [{ name: 'sed', value: '3' }]);
  assert.deepEqual(p.usageErrors, ["--set sed=3: the program has no param 'sed'; did you mean 'seed'?"]);
});

test('--set with a value that is not a literal is a usage error', () => {
  const p = compileText(`param seed = 0\n${PRELUDE}`, [{ name: 'seed', value: 'dense' }]);
  assert.match(p.usageErrors[0]!, /^--set seed=dense: a param takes a literal/);
});

test('the same model written with its arguments in another order is one model (no mismatch)', () => {
  const found = errors(`${PRELUDE}model same = mlp(classes: 10, hidden: [32], input: 64)
init w = kaiming_normal(same)
mask m = magnitude(dense, rate: 20%)
train x = fit(rewind(w, mask: m), like: dense)`);
  assert.deepEqual(found, []);
});
