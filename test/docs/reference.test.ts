// docs/language.md documents every standard-library function exactly as the compiler accepts it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { standardLibrary } from '../../stdlib/library.ts';
import { REFERENCE_END, REFERENCE_START, renderReference } from '../../stdlib/reference.ts';

const doc = readFileSync(fileURLToPath(new URL('../../docs/language.md', import.meta.url)), 'utf8');

test('the generated reference in docs/language.md is up to date (npm run docs rewrites it)', () => {
  const generated = doc.slice(doc.indexOf(REFERENCE_START) + REFERENCE_START.length, doc.indexOf(REFERENCE_END)).trim();
  assert.equal(generated, renderReference().trim());
});

test('every function of the standard library has a section with its parameters', () => {
  for (const [name, sig] of standardLibrary.ops) {
    assert.ok(doc.includes(`### \`${name}(`), `${name} is documented`);
    for (const param of Object.keys((sig.schema.properties ?? {}) as object)) {
      assert.ok(doc.includes(`\`${param}\``), `${name}'s parameter ${param} is documented`);
    }
  }
});

test('every declaration kind of the language is documented', () => {
  for (const kind of ['param', 'dataset', 'model', 'init', 'optimizer', 'train', 'control', 'mask', 'lottery', 'probe']) {
    assert.match(doc, new RegExp(`\`${kind}\``));
  }
});
