// An op's version reaches every key it produces: raising one op's version re-keys exactly the stages
// that op computes or describes (a dataset, model or optimizer enters the params of the stages that use
// it) and their descendants, and nothing else. Checked for every op of the standard library, on a
// program that calls each of them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLibrary, stageOpOf } from '../../core/library.ts';
import type { Json } from '../../core/json.ts';
import type { OpModule } from '../../core/op.ts';
import type { Stage } from '../../core/stage.ts';
import { compile, type CompiledProgram } from '../../compiler/compile.ts';
import { standardModules } from '../../stdlib/library.ts';
import { memoryHost } from './helpers.ts';

const corpusDir = new URL('./fixtures/key-corpus/', import.meta.url);
const program = readFileSync(new URL('every-op.ltx', corpusDir), 'utf8');
const text = readFileSync(new URL('tiny.txt', corpusDir), 'utf8');

function compileWith(modules: readonly OpModule[]): CompiledProgram {
  const host = memoryHost({ 'main.ltx': program });
  // The text dataset's size comes from its file, as the CLI reads it.
  const lines = text.length;
  const compiled = compile('main.ltx', {
    host, library: createLibrary(modules),
    datasetSizes: (op) => (op === 'text' ? { train: Math.floor(lines * 0.9) - 16, test: Math.ceil(lines * 0.1) - 16 } : undefined),
  });
  assert.deepEqual(compiled.diagnostics.map((d) => d.message), []);
  return compiled;
}

/** Whether a stage's params name the op as a descriptor (`{op: NAME, version, …}`) or as its init scheme. */
function mentions(value: Json, name: string): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => mentions(v, name));
  if (value.op === name || value.scheme === name) return true;
  return Object.values(value).some((v) => mentions(v, name));
}

/** The stages an op is responsible for: the stages of its stage op that it made, and those whose params describe it. */
function stagesOfOp(compiled: CompiledProgram, module: OpModule): Set<string> {
  const own = (stage: Stage): boolean => {
    if (module.lowering.rule === 'lottery') return false;
    if (module.lowering.rule === 'init') return stage.op === stageOpOf(module) && stage.params.scheme === module.name;
    return stage.op === stageOpOf(module);
  };
  const keys = new Set<string>();
  for (const stage of compiled.stages) if (own(stage) || mentions(stage.params, module.name)) keys.add(stage.key);
  const queue = [...keys];
  while (queue.length > 0) {
    for (const child of compiled.graph.outNeighbors(queue.pop()!)) {
      if (!keys.has(child)) {
        keys.add(child);
        queue.push(child);
      }
    }
  }
  return keys;
}

const base = compileWith(standardModules);
const baseKeys = new Set(base.stages.map((s) => s.key));

test('the corpus program calls every op of the standard library', () => {
  const called = new Set(base.stages.flatMap((s) => standardModules.filter((m) => mentions(s.params, m.name) || s.op === stageOpOf(m)).map((m) => m.name)));
  const sugar = standardModules.filter((m) => m.lowering.rule === 'lottery').map((m) => m.name);
  const missing = standardModules.map((m) => m.name).filter((n) => !called.has(n) && !sugar.includes(n));
  assert.deepEqual(missing, []);
});

for (const module of standardModules) {
  test(`raising ${module.name}'s version re-keys exactly its stages and their descendants`, () => {
    const bumped = standardModules.map((m) => (m === module ? { ...m, version: m.version + 1 } : m));
    const after = compileWith(bumped);
    const afterKeys = new Set(after.stages.map((s) => s.key));
    const changed = new Set([...baseKeys].filter((k) => !afterKeys.has(k)));
    const expected = stagesOfOp(base, module);
    assert.deepEqual([...changed].sort(), [...expected].sort());
    if (module.lowering.rule === 'lottery') assert.equal(changed.size, 0, 'sugar makes the stages of the ops it stands for');
    else assert.ok(changed.size > 0, `${module.name} makes or describes some stage of the corpus`);
  });
}
