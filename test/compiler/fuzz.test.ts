// Thousands of mutated programs (tokens deleted, inserted, duplicated, swapped, truncated): each ends in
// diagnostics or a compiled program, never an exception, and every diagnostic points inside its file.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { standardLibrary } from '../../stdlib/library.ts';
import { compile } from '../../compiler/compile.ts';
import { createRng } from '../../stdlib/random.ts';
import { memoryHost } from './helpers.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const sources = readdirSync(EXAMPLES).filter((f) => f.endsWith('.ltx')).map((f) => readFileSync(EXAMPLES + f, 'utf8'));
const EXTRA_TOKENS = ['(', ')', '[', ']', '{', '}', ',', ':', '=', '@', 'every', '..', '%', '-', '*', '/', '"', '#', 'for', 'in', 'import',
  'train', 'mask', 'probe', 'x', '0', '1e9', '-1', '500 steps', '3 epochs', 'true', '[*]', '.mask', '\n', 'fit(', 'imp(', 'dense', 't[level]'];

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
