// withDefaults: an op's parameters completed from its schema, as the compiler completes them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withDefaults } from '../../core/defaults.ts';
import type { Signature } from '../../core/op.ts';

const op: Signature = {
  name: 'toy', category: 'model', returns: 'model', version: 1, positional: [], summary: 'A toy op for the defaults of its schema.',
  schema: {
    type: 'object',
    properties: {
      width: { type: 'integer', default: 4 },
      hidden: { type: 'array', items: { type: 'integer' }, default: [8, 8] },
      of: { ltxType: ['model'] },
      depth: { type: 'integer' },
    },
    required: ['depth'],
    additionalProperties: false,
  },
};

test('absent parameters get their schema defaults; given ones and those without a default stay as they are', () => {
  assert.deepEqual(withDefaults(op, { width: 2 }), { width: 2, hidden: [8, 8] });
  assert.deepEqual(withDefaults(op, { depth: 3, of: { op: 'mlp' } }), { depth: 3, of: { op: 'mlp' }, width: 4, hidden: [8, 8] });
});

test('the parameters passed in are not changed, and no two calls share a default', () => {
  const given = { depth: 3 };
  const first = withDefaults(op, given);
  (first.hidden as number[]).push(9);
  assert.deepEqual(given, { depth: 3 });
  assert.deepEqual(withDefaults(op, given).hidden, [8, 8]);
});

test('it only fills: parameters the schema refuses still come back, completed', () => {
  assert.deepEqual(withDefaults(op, { width: 'wide' }), { width: 'wide', hidden: [8, 8] });
});
