// The stage keys of every example and fixture program, pinned. A key is the cache's promise: when one
// changes, every cached result under it is recomputed. So a change of this file is a decision (an op's
// numbers changed and its version was bumped, or the identity rules changed on purpose), never a
// by-product of moving code. Regenerate with `LTX_PIN_KEYS=1 npx node --test test/compiler/key-snapshot.test.ts`
// and say why in the commit.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compileFile } from '../../cli/compile-file.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pinFile = fileURLToPath(new URL('./fixtures/stage-keys.json', import.meta.url));

// The other fixtures under test/lang/ are syntax cases, not whole programs.
const programDirs = ['examples', 'test/compiler/fixtures/key-corpus'];
const programFiles = ['test/lang/fixtures/imp-long-form.ltx'];

function programs(): string[] {
  const listed = programDirs.flatMap((dir) => readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.ltx'))
    .map((f) => join(dir, f)));
  return [...listed, ...programFiles].sort();
}

type Pins = { [file: string]: { [stageName: string]: string } };

async function currentKeys(): Promise<Pins> {
  const pins: Pins = {};
  for (const file of programs()) {
    const program = await compileFile(join(root, file), { sets: [] });
    const errors = program.diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors.map((d) => d.message), [], `${file} must compile`);
    const byName: { [stageName: string]: string } = {};
    for (const stage of [...program.stages].sort((a, b) => a.name.localeCompare(b.name) || a.key.localeCompare(b.key))) {
      byName[stage.name in byName ? `${stage.name} (${stage.key.slice(0, 8)})` : stage.name] = stage.key;
    }
    pins[file] = byName;
  }
  return pins;
}

test('every stage key of every example and fixture program is the pinned one', async () => {
  const current = await currentKeys();
  if (process.env.LTX_PIN_KEYS === '1') writeFileSync(pinFile, JSON.stringify(current, null, 1) + '\n');
  const pinned = JSON.parse(readFileSync(pinFile, 'utf8')) as Pins;
  assert.deepEqual(Object.keys(current).sort(), Object.keys(pinned).sort(), 'the pinned programs');
  for (const file of Object.keys(pinned)) assert.deepEqual(current[file], pinned[file], `stage keys of ${file}`);
});
