// The larger bundled corpus, data/common-licenses.txt: what the README's data credits say it is, and
// what examples/lm-tickets-licenses.ltx relies on (a vocabulary its vocab: 96 covers, a test split of
// licences whose other versions are not in the training text).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadDataset } from '../../stdlib/datasets/index.ts';

const CORPUS = fileURLToPath(new URL('../../data/common-licenses.txt', import.meta.url));
const DEBIAN_LICENSES = '/usr/share/common-licenses';
// Reverse order of file name, so that the end of the file (the test split) holds licences that come in
// one version only.
const PARTS = ['MPL-2.0', 'MPL-1.1', 'LGPL-3', 'LGPL-2.1', 'LGPL-2', 'GPL-3', 'GPL-2', 'GPL-1', 'GFDL-1.3', 'GFDL-1.2', 'CC0-1.0', 'BSD', 'Artistic', 'Apache-2.0'];

test('common-licenses.txt: 237,333 characters over 86 distinct ones, within the LM examples\' vocab of 96', async () => {
  const data = await loadDataset('text', { path: CORPUS, context: 32, test: 0.1 });
  assert.equal(Array.from(readFileSync(CORPUS, 'utf8')).length, 237_333);
  assert.equal(data.vocabulary!.length, 86);
  assert.ok(data.classes <= 96);
});

test('common-licenses.txt: the 10% test split starts inside CC0, before the BSD, Artistic and Apache licences', () => {
  const text = readFileSync(CORPUS, 'utf8');
  const testStart = text.length - Math.round(text.length * 0.1);
  const cc0 = text.indexOf('Creative Commons Legal Code\n\nCC0 1.0 Universal');
  assert.ok(cc0 > 0 && cc0 < testStart);
  for (const later of ['Copyright (c) The Regents of the University of California.', 'The "Artistic License"', 'Apache License\n                           Version 2.0']) {
    assert.ok(text.indexOf(later) > testStart, later);
  }
});

test('common-licenses.txt is Debian\'s licence texts verbatim, one empty line apart', { skip: !existsSync(join(DEBIAN_LICENSES, 'GPL-3')) && 'no /usr/share/common-licenses here' }, () => {
  const expected = PARTS.map((name) => readFileSync(join(DEBIAN_LICENSES, name), 'utf8')).join('\n');
  assert.equal(readFileSync(CORPUS, 'utf8'), expected);
});
