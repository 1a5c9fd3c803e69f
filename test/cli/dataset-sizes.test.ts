// The sizes the compiler could not know without a file come from the dataset op's own probe, found
// through the Library the program is compiled against.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DatasetSizeCache } from '../../cli/dataset-sizes.ts';
import { createLibrary } from '../../core/library.ts';
import type { OpModule } from '../../core/op.ts';
import { standardModules } from '../../stdlib/library.ts';

const probed: string[] = [];
const tape: OpModule = {
  name: 'tape', category: 'dataset', returns: 'dataset', version: 1, positional: ['path'],
  summary: 'A dataset whose size only its file tells.',
  schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'], additionalProperties: false },
  lowering: { rule: 'dataset', sizes: () => undefined },
  dataset: {
    load: () => Promise.reject(new Error('not loaded in this test')),
    probeSizes: async (params) => {
      probed.push(String(params.path));
      if (params.path === '/data/missing.bin') throw new Error('no such file');
      return { train: 90, test: 10 };
    },
    files: async () => ({}),
  },
};
const library = createLibrary([...standardModules, tape]);

test('a size asked for is probed once through the op module, its relative path from the program\'s directory', async () => {
  const cache = new DatasetSizeCache(library, '/data');
  assert.equal(cache.lookup('tape', { path: 'a.bin' }), undefined);
  assert.equal(await cache.resolvePending(), true);
  assert.deepEqual(cache.lookup('tape', { path: 'a.bin' }), { train: 90, test: 10 });
  assert.equal(await cache.resolvePending(), false);
  assert.deepEqual(probed, ['/data/a.bin']);
});

test('an unreadable file leaves the size unknown, for the compiler to say so', async () => {
  const cache = new DatasetSizeCache(library, '/data');
  assert.equal(cache.lookup('tape', { path: 'missing.bin' }), undefined);
  assert.equal(await cache.resolvePending(), false);
  assert.equal(cache.lookup('tape', { path: 'missing.bin' }), undefined);
});
