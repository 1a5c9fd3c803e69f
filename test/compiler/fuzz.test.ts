// Thousands of mutated programs (tokens deleted, inserted, duplicated, swapped, truncated, hostile text
// inserted): each ends in diagnostics or a compiled program, never an exception, and every diagnostic
// points inside its file. Then hostile programs (huge, deep, unbounded, reading devices and FIFOs) end
// in their clean diagnostic, never an exception or a hang.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { standardLibrary } from '../../stdlib/library.ts';
import { compileFile } from '../../cli/compile-file.ts';
import { compile } from '../../compiler/compile.ts';
import { createRng } from '../../stdlib/random.ts';
import { memoryHost } from './helpers.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const sources = readdirSync(EXAMPLES).filter((f) => f.endsWith('.ltx')).map((f) => readFileSync(EXAMPLES + f, 'utf8'));
const EXTRA_TOKENS = ['(', ')', '[', ']', '{', '}', ',', ':', '=', '@', 'every', '..', '%', '-', '*', '/', '"', '#', 'for', 'in', 'import',
  'train', 'mask', 'probe', 'x', '0', '1e9', '-1', '500 steps', '3 epochs', 'true', '[*]', '.mask', '\n', 'fit(', 'imp(', 'dense', 't[level]',
  // Hostile ones: past the doubles, past the nesting limit, long sums, long strings and names, huge counts.
  '1e400', '99999999999999999999', '-'.repeat(150), '('.repeat(150), '[1'.repeat(120), Array(500).fill('1').join(' + '),
  `"${'s'.repeat(5000)}"`, 'n'.repeat(300), 'rounds: 1e12', '1e300 steps', 'seed: 4294967296', 'for i in 1..1000000000 {'];

function tokens(text: string): string[] {
  return text.match(/\s+|[A-Za-z_][A-Za-z0-9_]*|\d+(\.\d+)?(e-?\d+)?%?|"(\\.|[^"\\])*"|\.\.|#[^\n]*|./g) ?? [];
}

function mutate(text: string, rng: ReturnType<typeof createRng>): string {
  const t = tokens(text);
  const edits = 1 + rng.int(4);
  for (let e = 0; e < edits; e++) {
    const i = rng.int(Math.max(1, t.length));
    switch (rng.int(5)) {
      case 0: t.splice(i, 1); break;
      case 1: t.splice(i, 0, EXTRA_TOKENS[rng.int(EXTRA_TOKENS.length)]!); break;
      case 2: t.splice(i, 0, t[rng.int(t.length)] ?? ''); break;
      case 3: { const j = rng.int(t.length); [t[i], t[j]] = [t[j]!, t[i]!]; break; }
      default: t.length = i;
    }
  }
  return t.join('');
}

test('mutated programs end in diagnostics, never an exception', () => {
  const rng = createRng(7, 'fuzz');
  let withErrors = 0;
  const N = 2000;
  for (let n = 0; n < N; n++) {
    const text = mutate(sources[n % sources.length]!, rng);
    let program;
    try {
      program = compile('main.ltx', { host: memoryHost({ 'main.ltx': text }), library: standardLibrary });
    } catch (error) {
      assert.fail(`compile threw on mutation ${n}: ${(error as Error).stack}\n--- program ---\n${text}`);
    }
    const lines = text.split('\n').length;
    for (const d of program.diagnostics) {
      assert.ok(d.range.start.line >= 1 && d.range.start.line <= lines + 1, `line ${d.range.start.line} of ${lines}: ${d.message}`);
      assert.ok(d.range.start.column >= 1, `column ${d.range.start.column}: ${d.message}`);
      assert.ok(d.message.length > 0);
    }
    if (program.diagnostics.length > 0) withErrors++;
  }
  // The mutations must actually break programs most of the time, or the test proves little.
  assert.ok(withErrors > N / 2, `only ${withErrors} of ${N} mutations produced diagnostics`);
});

const PRELUDE = `dataset d = digits()
model net = mlp(input: 64, hidden: [32], classes: 10)
init theta0 = kaiming_normal(net, seed: 0)
optimizer opt = sgd(lr: 0.1, batch: 60)
train dense = fit(theta0, data: d.train, optimizer: opt, steps: 240 steps)
`;

/** A language-model program on the text file at `path`; epochs need the file's size at compile time. */
const onText = (path: string): string => `dataset t = text(path: "${path}", context: 8)
model lm = transformer(vocab: 4, context: 8, width: 8, heads: 1, layers: 1)
optimizer o = adam(batch: 4)
train r = fit(normal(lm), data: t, optimizer: o, steps: 1 epoch)
`;

/** What each hostile program must end in: its first error (or null: it compiles). */
function hostilePrograms(scratch: string): [string, string, RegExp | null][] {
  const fifo = join(scratch, 'fifo');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
  return [
    ['a sum of 2,000 terms', `param x = ${Array(2000).fill('1').join(' + ')}\n`, null],
    ['a sum of 60,000 terms in a model', `model m = mlp(input: ${Array(60_000).fill('1').join(' + ')}, classes: 2)\n`, null],
    ['5,000 minus signs', `param x = ${'-'.repeat(5000)}1\n`, /^1:111 nested more than 100 levels deep/],
    ['20,000 parentheses', `param x = ${'('.repeat(20_000)}1${')'.repeat(20_000)}\n`, /^1:111 nested more than 100 levels deep/],
    ['a string of 10 million characters', `param x = "${'a'.repeat(10_000_000)}"\n`, /^1:1048577 the file goes on past 1,048,576 characters/],
    ['a string of a million characters', `param x = "${'a'.repeat(1_000_000)}"\n`, /^1:11 a string may be at most 4,096 characters long/],
    ['two names of 300,000 characters', `param ${'a'.repeat(300_000)} = ${'b'.repeat(300_000)}\n`, /^1:7 a name may be at most 256 characters long/],
    ['1e309', `${PRELUDE}optimizer o2 = sgd(lr: 1e309)\n`, /^6:24 1e309 is not a finite number/],
    ['rounds: 1e12', `${PRELUDE}lottery l = imp(dense, rounds: 1e12, rate: 20%)\n`, /^6:32 argument 'rounds' of imp must be at most 10,000/],
    ['steps: 1e300 steps', `${PRELUDE}train t = fit(theta0, like: dense, steps: 1e300 steps)\n`, /^6:43 steps names step 1e\+300/],
    ['hidden: [1e15]', 'model m = mlp(input: 4, hidden: [1e15], classes: 2)\n', /^1:34 0 in argument 'hidden' of mlp must be at most 1,000,000/],
    ['a seed of 20 digits', 'dataset d = digits(seed: 99999999999999999999)\n', /^1:26 argument 'seed' of digits must be at most 4,294,967,295/],
    ['a 1000 × 1000 loop', `${PRELUDE}for i in 1..1000 { for j in 1..1000 { init w[i][j] = kaiming_normal(net, seed: i + j) } }\n`, /^6:29 the for loops unroll to more than 100,000 iterations/],
    ['a loop of 10^15 iterations', 'for i in 1..1000000000000000 { }\n', /^1:10 the for loops unroll to more than 100,000 iterations/],
    ['a family of 50,000 used in each of 50,000 iterations', `${PRELUDE}for i in 1..50000 { init w[i] = kaiming_normal(net, seed: i) }\nfor j in 1..50000 { init v[j] = w }\n`,
      /^7:33 init v\[1\] must be an init, but this is a family/],
    ['a missing member and a misspelt name in each of 50,000 iterations',
      `${PRELUDE}for i in 1..50000 { init w[i] = kaiming_normal(net, seed: i) }\nfor j in 1..50000 { init v[j] = kaiming_normal(nett, seed: j)\n init u[j] = w[j + 50000] }\n`,
      /^7:48 unknown name 'nett'; did you mean 'net'\?/],
    ['a thousand lotteries of a thousand rounds', `${PRELUDE}for s in 1..1000 { lottery l[s] = imp(fit(theta0, like: dense, order: s), rounds: 1000, rate: 20%) }\n`,
      /^6:35 the program makes more than 100,000 stages/],
    ['text from /dev/zero', onText('/dev/zero'), /^1:24 text file \/dev\/zero is a character device, not a regular file/],
    ['text from a FIFO', onText(fifo), /^1:24 text file .*fifo is a FIFO \(named pipe\), not a regular file/],
    ['text from a directory', onText(scratch), /^1:24 text file .* is a directory, not a regular file/],
    ['text from /proc/self/mem', onText('/proc/self/mem'), /^1:24 cannot read \/proc\/self\/mem: EIO/],
    ['mnist from /dev/zero', `dataset m = mnist(path: "/dev/zero")\n`, /^1:25 mnist: path \/dev\/zero is a character device, not a directory/],
  ];
}

test('hostile programs end in their diagnostic, never an exception or a hang', async (t) => {
  const scratch = mkdtempSync(join(tmpdir(), 'ltx-fuzz-'));
  t.after(() => rmSync(scratch, { recursive: true, force: true }));
  for (const [what, text, expected] of hostilePrograms(scratch)) {
    let program;
    try {
      // Through the command line's compilation, which reads data files' sizes (and refuses what is not a file).
      program = await compileFile('main.ltx', { sets: [] }, memoryHost({ 'main.ltx': text }));
    } catch (error) {
      assert.fail(`${what}: ${(error as Error).stack}`);
    }
    const found = program.diagnostics.map((d) => `${d.range.start.line}:${d.range.start.column} ${d.message}`);
    if (expected === null) assert.deepEqual(found, [], what);
    else assert.match(found[0] ?? '(no diagnostic)', expected, what);
  }
});
