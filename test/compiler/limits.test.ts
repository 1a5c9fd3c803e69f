// Programs that would grow without bound, values out of any sane range, chains of any length: each
// ends in a diagnostic at the place it concerns (or a usage error naming the `--set` flag the bad
// value came from), never in an exception, and what is within the limits compiles.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compile, type CompileOptions, type CompiledProgram } from '../../compiler/compile.ts';
import { closestName } from '../../core/suggest.ts';
import { standardLibrary } from '../../stdlib/library.ts';
import { LIMITS, type JsonSchema } from '../../stdlib/signature.ts';
import { compileOk, compileText, memoryHost, PRELUDE } from './helpers.ts';

const LINE = PRELUDE.split('\n').length; // the first line after the prelude

function compileWith(text: string, options: Partial<CompileOptions> = {}): CompiledProgram {
  return compile('main.ltx', { host: memoryHost({ 'main.ltx': text }), library: standardLibrary, ...options });
}

function errorsOf(program: CompiledProgram): string[] {
  return program.diagnostics.map((d) => `${d.range.start.line}:${d.range.start.column} ${d.message}`);
}

const ones = (terms: number): string => Array(terms).fill('1').join(' + ');

describe('the stage limit', () => {
  // The prelude makes 2 stages; each lottery 31 (its rewind point, then a mask, a rewind and a run per level).
  const lotteries = `${PRELUDE}for s in 1..20 {\n  lottery l[s] = imp(dense, rounds: 10, rate: 20%, rewind: 24 steps)\n}\n`;

  test('a program past the limit is refused once, at the call that passes it', () => {
    assert.deepEqual(errorsOf(compileWith(lotteries, { maxStages: 100 })), [
      `${LINE + 1}:18 the program makes more than 100 stages; raise the limit with --max-stages N`,
    ]);
  });

  test('maxStages raises the limit', () => {
    assert.deepEqual(errorsOf(compileWith(lotteries, { maxStages: 1000 })), []);
  });

  test('the default limit is 100,000 stages', () => {
    const big = `${PRELUDE}for s in 1..10 {\n  train t[s] = fit(theta0, like: dense, order: s)\n  lottery l[s] = imp(t[s], rounds: 5000, rate: 20%)\n}\n`;
    assert.deepEqual(errorsOf(compileWith(big)), [`${LINE + 2}:18 the program makes more than 100,000 stages; raise the limit with --max-stages N`]);
  });

  test("'@ every' counts the checkpoints it makes", () => {
    const everyStep = `${PRELUDE}probe p = mask_distance(dense @ every 1 steps)\n`;
    assert.deepEqual(errorsOf(compileWith(everyStep, { maxStages: 100 })), [
      `${LINE}:25 the program makes more than 100 stages; raise the limit with --max-stages N`,
    ]);
  });

  test('rounds: 1e12 is refused at the argument, before anything is built', () => {
    assert.deepEqual(errorsOf(compileText(`${PRELUDE}lottery l = imp(dense, rounds: 1e12, rate: 20%)\n`)), [
      `${LINE}:32 argument 'rounds' of imp must be at most 10,000, but it is 1,000,000,000,000`,
    ]);
  });
});

describe('loops', () => {
  test('a 1000 × 1000 loop is refused at the range of the loop whose iteration passes the limit', () => {
    const text = `${PRELUDE}for i in 1..1000 {\n  for j in 1..1000 {\n    init w[i][j] = kaiming_normal(net, seed: i * 1000 + j)\n  }\n}\n`;
    assert.deepEqual(errorsOf(compileWith(text)), [`${LINE + 1}:12 the for loops unroll to more than 100,000 iterations; raise the limit with --max-stages N`]);
  });

  test('a range of 10^15 values is refused without being listed', () => {
    assert.deepEqual(errorsOf(compileWith('for i in 1..1000000000000000 { }\n')), [
      '1:10 the for loops unroll to more than 100,000 iterations; raise the limit with --max-stages N',
    ]);
  });

  test('loops of 100,000 iterations in all are fine', () => {
    assert.deepEqual(errorsOf(compileWith('for i in 1..50000 { }\nfor j in 1..50000 { }\n')), []);
  });
});

describe('long expressions and chains', () => {
  test('a sum of 2,000 terms evaluates', () => {
    const program = compileOk(`model m = mlp(input: ${ones(2000)}, classes: 2)\ninit w = kaiming_normal(m)\n`);
    const init = program.stages.find((stage) => stage.kind === 'init')!;
    assert.equal((init.params.model as { params: { input: number } }).params.input, 2000);
  });

  test('arithmetic whose result is not a finite number is an error at the expression', () => {
    assert.deepEqual(errorsOf(compileWith('param x = 1 + 1e308 * 10\n')), ['1:15 the result of this arithmetic is not a finite number (the largest is about 1.8e308)']);
    assert.deepEqual(errorsOf(compileWith(`${PRELUDE}train t = fit(theta0, like: dense, steps: 1e308 steps * 10)\n`)), [
      `${LINE}:43 the result of this arithmetic is not a finite number (the largest is about 1.8e308)`,
    ]);
  });

  test('a chain of 1,000 declarations, each trained from the next one declared, compiles', () => {
    const text = `${PRELUDE}train t[1001] = dense\nfor i in 1..1000 {\n  train t[i] = fit(rewind(t[i + 1] @ 120 steps, mask: magnitude(t[i + 1], rate: 20%)), like: dense)\n}\n`;
    const program = compileOk(text);
    assert.equal(program.stages.filter((stage) => stage.kind === 'rewind').length, 1000);
  });

  test('a probe declared before a lottery of 3,000 levels compiles', () => {
    const text = `probe p = accuracy(l[3000], on: d)\n${PRELUDE}lottery l = imp(dense, rounds: 3000, rate: 1%)\n`;
    const program = compileOk(text);
    assert.equal(program.stages.filter((stage) => stage.kind === 'mask').length, 3000);
  });

  test('a chain of 20,000 params, each declared before the one it uses, compiles', () => {
    const params = Array.from({ length: 20_000 }, (_, i) => (i === 0 ? 'param p0 = 1' : `param p${i} = p${i - 1} + 1`)).reverse();
    const program = compileOk(`model m = mlp(input: p19999, classes: 2)\ninit w = kaiming_normal(m)\n${params.join('\n')}\n`);
    assert.equal((program.stages[0]!.params.model as { params: { input: number } }).params.input, 20_000);
  });

  test('a cycle through hundreds of params is reported as a cycle', () => {
    const params = Array.from({ length: 300 }, (_, i) => `param p${i} = p${(i + 299) % 300} + 1`);
    const program = compileWith(`${params.join('\n')}\n`);
    assert.equal(program.diagnostics.length, 1);
    assert.equal(program.diagnostics[0]!.code, 'cycle');
    assert.match(program.diagnostics[0]!.message, /^cycle between declarations: p\d+ → … → /);
  });
});

describe('seeds', () => {
  test('a seed past 2^32 − 1 is refused at the argument', () => {
    assert.deepEqual(errorsOf(compileText(`${PRELUDE}init w = kaiming_normal(net, seed: 4294967296)\n`)), [
      `${LINE}:36 argument 'seed' of kaiming_normal must be at most 4,294,967,295, but it is 4,294,967,296`,
    ]);
    assert.deepEqual(errorsOf(compileText(`${PRELUDE}init w = kaiming_normal(net, seed: 4294967295)\n`)), []);
  });

  test('a dataset seed of twenty digits is an error at the argument, not an internal error', () => {
    assert.deepEqual(errorsOf(compileText('dataset d = digits(seed: 99999999999999999999)\n')), [
      "1:26 argument 'seed' of digits must be at most 4,294,967,295, but it is 100000000000000000000",
    ]);
  });

  test('every seed of the standard library (seed:, order:) has the one range', () => {
    let seeds = 0;
    for (const signature of standardLibrary.ops.values()) {
      for (const [name, schema] of Object.entries((signature.schema.properties ?? {}) as Record<string, JsonSchema>)) {
        if (name !== 'seed' && name !== 'order') continue;
        assert.deepEqual([schema.type, schema.minimum, schema.maximum], ['integer', 0, LIMITS.seed], `${signature.name}(${name}:)`);
        seeds++;
      }
    }
    assert.ok(seeds >= 15, `${seeds} seeds`);
  });

  const SEEDED = `param seed = 0\nparam next = seed + 1\n${PRELUDE}init w = kaiming_normal(net, seed: next)\n`;

  test('--set of a seed out of range is a usage error naming the flag, the argument and where it is used', () => {
    const program = compileText(SEEDED, [{ name: 'seed', value: '99999999999999999999' }]);
    assert.deepEqual(program.diagnostics, []);
    assert.deepEqual(program.usageErrors, [
      `--set seed=99999999999999999999: argument 'seed' of kaiming_normal must be at most 4,294,967,295, but it is 100000000000000000000 (at main.ltx:${LINE + 2}:36)`,
    ]);
  });

  test('a step count out of range from --set is a usage error as well', () => {
    const program = compileText(`param n = 240 steps\n${PRELUDE}train t = fit(theta0, like: dense, steps: n)\n`, [{ name: 'n', value: '2000000000 steps' }]);
    assert.deepEqual(program.usageErrors, [
      `--set n=2000000000 steps: steps names step 2,000,000,000, past the 1,000,000,000 steps a run may have (at main.ltx:${LINE + 1}:43)`,
    ]);
  });

  test('the same value written in the program is an error at the argument', () => {
    assert.deepEqual(errorsOf(compileText(SEEDED.replace('param seed = 0', 'param seed = 99999999999999999999'))), [
      `${LINE + 2}:36 argument 'seed' of kaiming_normal must be at most 4,294,967,295, but it is 100000000000000000000`,
    ]);
  });
});

describe('sizes', () => {
  test('steps: 1e300 steps is refused at the argument', () => {
    assert.deepEqual(errorsOf(compileText(`${PRELUDE}train t = fit(theta0, like: dense, steps: 1e300 steps)\n`)), [
      `${LINE}:43 steps names step 1e+300, past the 1,000,000,000 steps a run may have`,
    ]);
  });

  test('epochs are bounded once converted to steps', () => {
    // digits: 1438 training examples in batches of 60, 24 steps an epoch.
    assert.deepEqual(errorsOf(compileText(`${PRELUDE}train t = fit(theta0, like: dense, steps: 100000000 epochs)\n`)), [
      `${LINE}:43 steps names step 2,400,000,000, past the 1,000,000,000 steps a run may have`,
    ]);
  });

  test('hidden: [1e15] is refused at the item', () => {
    assert.deepEqual(errorsOf(compileText('model m = mlp(input: 4, hidden: [8, 1e15], classes: 2)\n')), [
      "1:37 1 in argument 'hidden' of mlp must be at most 1,000,000, but it is 1,000,000,000,000,000",
    ]);
  });

  test('a model of more than a billion weights is refused at the call', () => {
    assert.deepEqual(errorsOf(compileText('model m = mlp(input: 1000000, hidden: [100000], classes: 10)\n')), [
      '1:11 mlp(...) would have 100,001,100,010 weights, more than the 1,000,000,000 a model may have',
    ]);
  });

  test('every size and count of the standard library has a finite maximum', () => {
    const unbounded: string[] = [];
    const visit = (where: string, schema: JsonSchema): void => {
      if (schema.type === 'integer' && typeof schema.maximum !== 'number') unbounded.push(where);
      if (schema.type === 'array') {
        if (typeof schema.maxItems !== 'number') unbounded.push(`${where} (items)`);
        visit(`${where}[]`, (schema.items ?? {}) as JsonSchema);
      }
    };
    for (const signature of standardLibrary.ops.values()) {
      for (const [name, schema] of Object.entries((signature.schema.properties ?? {}) as Record<string, JsonSchema>)) {
        // Layer names and decay steps are bounded by the program text that writes them.
        if (['skip', 'at'].includes(name)) continue;
        visit(`${signature.name}(${name}:)`, schema);
      }
    }
    assert.deepEqual(unbounded, []);
  });
});

describe('suggestions', () => {
  test('no suggestion is computed for names longer than 256 characters', () => {
    const long = 'a'.repeat(300_000);
    assert.equal(closestName(long, [`${long.slice(1)}b`]), undefined);
    assert.equal(closestName('a'.repeat(256), [`${'a'.repeat(255)}b`]), `${'a'.repeat(255)}b`);
  });
});

describe('data files', () => {
  test('a data file the host refuses is an error at the path: argument', () => {
    const refused = { refused: 'text file /dev/zero is a character device, not a regular file' };
    const program = compileWith('dataset t = text(path: "/dev/zero", context: 8)\n', { datasetSizes: () => refused });
    assert.deepEqual(errorsOf(program), [`1:24 ${refused.refused}`]);
  });

  test("a data set's own check of its parameters is an error at the call, not an internal error", () => {
    assert.deepEqual(errorsOf(compileText('dataset d = digits(test: 0.01%)\n')), [
      '1:13 digits: a test share of 0.0001 of 1797 examples leaves 1797 for training and 0 for testing; both splits need at least one example',
    ]);
  });
});

describe('imports', () => {
  test('the token limit is the whole program\'s, imports included', () => {
    const half = `param big = [${'1,'.repeat(60_000)}]\n`;
    const files = { 'main.ltx': 'import "a.ltx"\nimport "b.ltx"\n', 'a.ltx': half, 'b.ltx': half.replace('big', 'other') };
    const program = compile('main.ltx', { host: memoryHost(files), library: standardLibrary });
    assert.deepEqual(program.diagnostics.map((d) => `${d.file} ${d.message}`), [
      'b.ltx with the files it imports, the program holds more than 200,000 tokens (names, numbers, brackets, comments, …), the most ltx reads',
    ]);
  });

  test('a chain of 150 files importing one another is refused at the import that passes 100', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 150; i++) files[`f${i}.ltx`] = `import "f${i + 1}.ltx"\n`;
    files['f150.ltx'] = 'param x = 1\n';
    const program = compile('f0.ltx', { host: memoryHost(files), library: standardLibrary });
    assert.deepEqual(program.diagnostics.map((d) => `${d.file}:${d.range.start.line}:${d.range.start.column} ${d.message}`), [
      'f99.ltx:1:8 imports nested more than 100 files deep',
    ]);
  });
});
