// The VS Code extension's manifest holds together: the language, grammar and configuration it names
// exist and agree, and every command it contributes is one extension.js registers.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../cli/helpers.ts';

const EXTENSION = join(ROOT, 'editors/vscode');
const manifest = JSON.parse(readFileSync(join(EXTENSION, 'package.json'), 'utf8'));

test('the manifest names files that exist: the entry point, the grammar, the language configuration', () => {
  assert.ok(existsSync(join(EXTENSION, manifest.main)));
  const [language] = manifest.contributes.languages;
  assert.deepEqual(language.extensions, ['.ltx']);
  const configuration = JSON.parse(readFileSync(join(EXTENSION, language.configuration), 'utf8'));
  assert.equal(configuration.comments.lineComment, '#');
  const [grammar] = manifest.contributes.grammars;
  assert.equal(grammar.language, language.id);
  assert.equal(JSON.parse(readFileSync(join(EXTENSION, grammar.path), 'utf8')).scopeName, grammar.scopeName);
});

test('every contributed command is registered by the extension, and the client starts `ltx lsp`', () => {
  const code = readFileSync(join(EXTENSION, manifest.main), 'utf8');
  const registered = [...code.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]).sort();
  assert.deepEqual(manifest.contributes.commands.map((c: { command: string }) => c.command).sort(), registered);
  assert.match(code, /args: \['lsp'\], transport: TransportKind\.stdio/);
});
