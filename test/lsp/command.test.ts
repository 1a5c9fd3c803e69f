// `ltx lsp` as a command: its usage, what it loads, and a client that goes away without saying exit.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { heavyPackages, ltx, RECORD_MODULES, TINY, workspace } from '../cli/helpers.ts';
import { LspClient } from './client.ts';

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

test('the language server checks and answers without loading TensorFlow.js or Vega', async () => {
  const { dir, file } = workspace();
  const log = join(dir, 'modules.log');
  const client = await LspClient.start(dir, {}, ['--import', RECORD_MODULES], { LTX_TEST_MODULE_LOG: log });
  const uri = pathToFileURL(file).href;
  assert.deepEqual((await client.open(uri, TINY)).diagnostics, []);
  const hover = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line: 4, character: 7 } });
  assert.match(hover.contents.value, /stages? `[0-9a-f]{12}`/);
  assert.equal(await client.stop(), 0);
  assert.deepEqual(heavyPackages(readFileSync(log, 'utf8').split('\n').filter(Boolean)), []);
});
