// `ltx lsp` as a command: its usage, and a client that goes away without saying exit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ltx } from '../cli/helpers.ts';

test('ltx lsp whose client closes its input without shutdown and exit ends with status 1, quietly', () => {
  const r = ltx(['lsp', '--stdio']);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, '');
});

test('ltx lsp takes no file: an argument is a usage error', () => {
  const r = ltx(['lsp', 'main.ltx']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /ltx lsp: unexpected argument 'main.ltx'/);
});
