// `ltx lsp` driven over stdio by a JSON-RPC client, feature by feature, on a real two-file program
// (main.ltx imports lib.ltx). Cursor positions are marked in the sources as ⟨name⟩. One server
// serves the whole file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type {
  CodeAction, CompletionItem, DocumentSymbol, FoldingRange, Hover, Location, SemanticTokens, TextEdit, WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { Store } from '../../runtime/store/index.ts';
import { BIN, env } from '../cli/helpers.ts';
import { commitInfo } from '../store/helpers.ts';
import { LspClient, markedText } from './client.ts';

const LIB = `dataset d = digits(test: 20%, seed: 0)
model ⟨netDecl⟩net = mlp(input: 64, hidden: [16], classes: 10)
`;

const MAIN = `import "lib.ltx"

# The dense run
# and its tickets.
init w0 = kaiming_normal(⟨netUse⟩net, seed: 0)  # not part of the block above
optimizer opt = ⟨sgdCall⟩sgd(lr: 0.1, momentum: 0.9, batch: 60)
train ⟨denseDecl⟩dense = fit(w0, data: d.train, ⟨optimizerArg⟩optimizer: opt, steps: 40 ⟨unit⟩steps, order: 0)
for ⟨levelDecl⟩level in 1..2 {
  mask m[⟨levelUse⟩level] = magnitude(⟨denseUse⟩dense, rate: 50%, scope: ⟨global⟩global,
    skip: ["output"],
  )
}
probe ⟨accDecl⟩acc = accuracy(dense, on: d.⟨test⟩test)
`;

const USER = 'import "lib.ltx"\ninit u = kaiming_normal(net)\n';
const lib = markedText(LIB);
const main = markedText(MAIN);
let dir: string;
let client: LspClient;
let mainUri: string;
let libUri: string;
let scratchUri: string;
let userUri: string;
let cacheDir: string;
let scratchOpen = false;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ltx-lsp-'));
  writeFileSync(join(dir, 'lib.ltx'), lib.text);
  writeFileSync(join(dir, 'main.ltx'), main.text);
  writeFileSync(join(dir, 'scratch.ltx'), 'import "lib.ltx"\n');
  // Never opened: a file of the workspace that imports lib.ltx.
  writeFileSync(join(dir, 'user.ltx'), USER);
  cacheDir = join(dir, 'cache');
  mainUri = pathToFileURL(join(dir, 'main.ltx')).href;
  libUri = pathToFileURL(join(dir, 'lib.ltx')).href;
  scratchUri = pathToFileURL(join(dir, 'scratch.ltx')).href;
  userUri = pathToFileURL(join(dir, 'user.ltx')).href;
  client = await LspClient.start(dir, { cache: cacheDir });
  const opened = await client.open(mainUri, main.text);
  assert.deepEqual(opened.diagnostics, []);
});

after(async () => {
  if (client && !client.exited) assert.equal(await client.stop(), 0);
  rmSync(dir, { recursive: true, force: true });
});

const at = (uri: string, position: { line: number; character: number }) => ({ textDocument: { uri }, position });

/** The labels of the completions offered at ⟨here⟩ in `source` (a scratch document importing lib.ltx). */
async function completionsIn(source: string): Promise<CompletionItem[]> {
  const { text, at: marker } = markedText(source);
  if (scratchOpen) await client.change(scratchUri, text);
  else await client.open(scratchUri, text);
  scratchOpen = true;
  return client.request<CompletionItem[]>('textDocument/completion', at(scratchUri, marker('here')));
}

const labels = (items: CompletionItem[]) => items.map((item) => item.label);

test('diagnostics of an open file are the ones ltx check prints, with their related locations', async () => {
  const text = `${main.text}train dense = fit(w0, like: dense)\noptimizer o2 = sgd(lr: 0.1, momentun: 0.9, batch: 60)\n`;
  writeFileSync(join(dir, 'check-me.ltx'), text);
  const uri = pathToFileURL(join(dir, 'check-me.ltx')).href;
  const published = await client.open(uri, text);
  // It imports lib.ltx and uses its names: open, it would be among their references below.
  client.close(uri);
  const check = spawnSync(process.execPath, [BIN, 'check', '--json', 'check-me.ltx'], { cwd: dir, encoding: 'utf8', env });
  rmSync(join(dir, 'check-me.ltx'));
  const expected = JSON.parse(check.stdout).files[0].diagnostics as { code: string; message: string; range: { start: { line: number; column: number } }; related?: unknown[] }[];
  assert.ok(expected.length >= 2);
  assert.deepEqual(
    published.diagnostics.map((d) => [d.code, d.message, d.range.start.line + 1, d.range.start.character + 1]),
    expected.map((d) => [d.code, d.message, d.range.start.line, d.range.start.column]),
  );
  const duplicate = published.diagnostics.find((d) => d.code === 'duplicate')!;
  assert.deepEqual(duplicate.relatedInformation?.map((r) => [r.location.uri, r.location.range.start.line, r.message]), [[uri, main.at('denseDecl').line, 'first declared here']]);
});

test('an error in an imported file is published for that file, and fixing it clears it', async () => {
  const broken = lib.text.replace('classes: 10', 'clases: 10');
  const published = client.nextDiagnostics(libUri);
  await client.open(libUri, broken);
  const libDiagnostics = await published;
  assert.ok(libDiagnostics.diagnostics.some((d) => String(d.message).includes("did you mean 'classes'?")));
  const cleared = await client.change(libUri, lib.text);
  assert.deepEqual(cleared.diagnostics, []);
});

test('editing an imported file re-checks the files that import it, open or not', async () => {
  await client.change(libUri, lib.text.replace('model net', 'model network'));
  const unknown = await client.diagnosticsWhere(mainUri, (list) => list.length > 0);
  assert.deepEqual(unknown.diagnostics.map((d) => [d.code, d.range.start]), [['unknown-name', main.at('netUse')]]);
  const closedImporter = await client.diagnosticsWhere(userUri, (list) => list.length > 0);
  assert.deepEqual(closedImporter.diagnostics.map((d) => [d.code, d.range.start.line]), [['unknown-name', 1]]);
  await client.change(libUri, lib.text);
  await client.diagnosticsWhere(mainUri, (list) => list.length === 0);
  await client.diagnosticsWhere(userUri, (list) => list.length === 0);
});

test('a file changed on disk, as the client\'s watcher reports it, is read again and checked', async () => {
  writeFileSync(join(dir, 'user.ltx'), USER.replace('kaiming_normal', 'kaiming_nromal'));
  client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: userUri, type: 2 }] });
  const changed = await client.diagnosticsWhere(userUri, (list) => list.length > 0);
  assert.deepEqual(changed.diagnostics.map((d) => d.code), ['unknown-function']);
  writeFileSync(join(dir, 'user.ltx'), USER);
  client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: userUri, type: 2 }] });
  await client.diagnosticsWhere(userUri, (list) => list.length === 0);
});

test('hover on a function shows its summary and parameters with types and defaults', async () => {
  const hover = await client.request<Hover>('textDocument/hover', at(mainUri, main.at('sgdCall')));
  const text = (hover.contents as { value: string }).value;
  assert.match(text, /^```ltx\nsgd\(lr\?, momentum\?, weight_decay\?, nesterov\?, batch\?, warmup\?, decay\?\) → optimizer\n```\nStochastic gradient descent/);
  assert.match(text, /- `momentum`: number, default `0` — momentum/);
});

test('hover on an argument name shows that parameter; on a unit what it counts', async () => {
  const argument = await client.request<Hover>('textDocument/hover', at(mainUri, main.at('optimizerArg')));
  assert.match((argument.contents as { value: string }).value, /^`optimizer` of `fit`: optimizer/);
  const unit = await client.request<Hover>('textDocument/hover', at(mainUri, main.at('unit')));
  assert.match((unit.contents as { value: string }).value, /optimizer steps/);
});

test('hover on a name shows its declaration, kind and type, and its stages with what the cache has', async () => {
  const hover = await client.request<Hover>('textDocument/hover', at(mainUri, main.at('netUse')));
  const text = (hover.contents as { value: string }).value;
  assert.match(text, /model net = mlp\(input: 64, hidden: \[16\], classes: 10\)/);
  assert.match(text, /\*\*model\*\* — an architecture, without weights; declared at .*lib\.ltx:2/);

  const dense = (await client.request<Hover>('textDocument/hover', at(mainUri, main.at('denseDecl')))).contents as { value: string };
  assert.match(dense.value, /\*\*train\*\*/);
  assert.match(dense.value, /stage `[0-9a-f]{12}` — 0 of 1 cached/);
});

test("hover on a probe shows its latest value once the cache has it", async () => {
  const plan = spawnSync(process.execPath, [BIN, 'plan', '--json', 'main.ltx'], { cwd: dir, encoding: 'utf8', env });
  const stage = (JSON.parse(plan.stdout).stages as { id: string; name: string; op: string }[]).find((s) => s.name === 'acc')!;
  const store = new Store(cacheDir);
  await store.commit(stage.id, { op: stage.op, version: 1, params: {}, inputs: {} }, {}, { ...commitInfo, name: 'acc', metrics: { accuracy: 0.875 } });
  const hover = await client.request<Hover>('textDocument/hover', at(mainUri, main.at('accDecl')));
  const text = (hover.contents as { value: string }).value;
  assert.match(text, /stage `[0-9a-f]{12}` — 1 of 1 cached/);
  assert.match(text, /- acc: accuracy 0\.875/);
});

test('completion at the start of a statement offers the declaration kinds, for and import', async () => {
  const items = await completionsIn('import "lib.ltx"\n⟨here⟩');
  assert.deepEqual(labels(items), ['param', 'dataset', 'model', 'init', 'optimizer', 'train', 'mask', 'lottery', 'control', 'probe', 'for', 'import']);
  assert.equal(items.find((i) => i.label === 'train')?.insertText, 'train ${1:name} = $0');
});

test('completion at the start of a statement inside a loop body offers the kinds too, and the loop variable as a value', async () => {
  const items = await completionsIn('import "lib.ltx"\nfor level in 1..3 {\n  ⟨here⟩\n}\n');
  assert.ok(labels(items).includes('mask') && labels(items).includes('for'));
  const values = await completionsIn('import "lib.ltx"\nfor level in 1..3 {\n  param p = ⟨here⟩\n}\n');
  assert.equal(values.find((i) => i.label === 'level')?.detail, 'loop variable');
});

test('completion of a value offers functions with a snippet of their required arguments, and the declared names', async () => {
  const items = await completionsIn('import "lib.ltx"\ninit w = ⟨here⟩');
  const kaiming = items.find((i) => i.label === 'kaiming_normal')!;
  assert.equal(kaiming.insertText, 'kaiming_normal(${1:model})');
  assert.equal(items.find((i) => i.label === 'fit')?.insertText, 'fit(${1:weights})');
  assert.ok(labels(items).includes('net') && labels(items).includes('d'));
});

test('completion inside a call offers the argument names not given yet', async () => {
  const items = await completionsIn('import "lib.ltx"\noptimizer o = sgd(lr: 0.1, ⟨here⟩)');
  const names = labels(items.filter((i) => i.insertText?.endsWith(': ')));
  assert.ok(names.includes('momentum:') && names.includes('batch:') && names.includes('nesterov:'));
  assert.ok(!names.includes('lr:'));
});

test('completion after an enum argument offers its values', async () => {
  const items = await completionsIn('import "lib.ltx"\ninit w0 = kaiming_normal(net)\nmask m = magnitude(w0, rate: 20%, scope: ⟨here⟩)');
  assert.deepEqual(labels(items), ['global', 'layerwise']);
});

test('completion after a name and a dot offers its members', async () => {
  assert.deepEqual(labels(await completionsIn('import "lib.ltx"\nprobe p = accuracy(x, on: d.⟨here⟩)')), ['train', 'test']);
});

test('completion after a number offers the units', async () => {
  assert.deepEqual(labels(await completionsIn('import "lib.ltx"\nparam n = 40 ⟨here⟩')), ['steps', 'epochs']);
});

test("completion in skip: and rates: offers the layers of the pruned run's model", async () => {
  const program = 'import "lib.ltx"\ninit w0 = kaiming_normal(net, seed: 0)\noptimizer o = sgd(lr: 0.1, batch: 60)\ntrain t = fit(w0, data: d.train, optimizer: o, steps: 10 steps)\n';
  await completionsIn(`${program}⟨here⟩`);
  const skip = await completionsIn(`${program}mask m = magnitude(t, rate: 20%, skip: ["⟨here⟩`);
  assert.deepEqual(labels(skip), ['layer1', 'output']);
  const rates = await completionsIn(`${program}mask m = magnitude(t, rate: 20%, rates: {⟨here⟩`);
  assert.deepEqual(rates.map((i) => i.insertText), ['layer1: ', 'output: ']);
});

test("completion in a representation probe's layer: offers the hidden layers of its first network's model", async () => {
  const program = 'import "lib.ltx"\nmodel lm = transformer(vocab: 9, context: 4, width: 8, heads: 2, layers: 2)\ninit v = normal(lm)\ninit w0 = kaiming_normal(net)\n';
  await completionsIn(`${program}⟨here⟩`);
  const quoted = await completionsIn(`${program}probe p = cka(v, v, on: d.test, layer: [⟨here⟩`);
  assert.deepEqual(quoted.map((i) => [i.insertText, i.detail]), [['"block1.mlp"', 'hidden layer'], ['"block2.mlp"', 'hidden layer']]);
  assert.deepEqual(labels(await completionsIn(`${program}probe p = unit_roles(w0, w0, on: d.test, layer: ["⟨here⟩`)), ['layer1']);
});

test('go to definition leads from a use to its declaration in another file, and from a loop variable to its loop', async () => {
  const net = await client.request<Location[]>('textDocument/definition', at(mainUri, main.at('netUse')));
  assert.deepEqual(net, [{ uri: libUri, range: { start: lib.at('netDecl'), end: { ...lib.at('netDecl'), character: lib.at('netDecl').character + 3 } } }]);
  const level = await client.request<Location[]>('textDocument/definition', at(mainUri, main.at('levelUse')));
  assert.deepEqual(level.map((l) => l.range.start), [main.at('levelDecl')]);
});

test('find references lists the uses in every file that sees the declaration (its program, the files importing it)', async () => {
  await completionsIn('import "lib.ltx"\ninit w0 = kaiming_normal(net, seed: 0)⟨here⟩\n');
  const withDeclaration = await client.request<Location[]>('textDocument/references', { ...at(libUri, lib.at('netDecl')), context: { includeDeclaration: true } });
  assert.deepEqual(withDeclaration.map((l) => [l.uri, l.range.start]), [
    [libUri, lib.at('netDecl')], [mainUri, main.at('netUse')], [scratchUri, { line: 1, character: 25 }], [userUri, { line: 1, character: 24 }],
  ]);
  const uses = await client.request<Location[]>('textDocument/references', { ...at(mainUri, main.at('denseDecl')), context: { includeDeclaration: false } });
  assert.deepEqual(uses.map((l) => l.range.start.line), [main.at('denseUse').line, main.at('accDecl').line]);
});

test('rename changes a declaration and every use of it, across files (also in other files importing the declaring one)', async () => {
  await completionsIn('import "lib.ltx"\ninit w = kaiming_normal(net)⟨here⟩\n');
  const prepared = await client.request<{ placeholder: string }>('textDocument/prepareRename', at(mainUri, main.at('netUse')));
  assert.equal(prepared.placeholder, 'net');
  const edit = await client.request<WorkspaceEdit>('textDocument/rename', { ...at(mainUri, main.at('netUse')), newName: 'lenet' });
  assert.deepEqual(Object.keys(edit.changes!).sort(), [libUri, mainUri, scratchUri, userUri].sort());
  assert.deepEqual(edit.changes![scratchUri]!.map((e) => [e.range.start, e.newText]), [[{ line: 1, character: 24 }, 'lenet']]);
  assert.deepEqual(edit.changes![mainUri]!.map((e) => [e.range.start, e.newText]), [[main.at('netUse'), 'lenet']]);
  assert.deepEqual(edit.changes![libUri]!.map((e) => [e.range.start, e.newText]), [[lib.at('netDecl'), 'lenet']]);
});

test('rename refuses a keyword, a name that is taken, and what is not a declared name', async () => {
  await assert.rejects(client.request('textDocument/rename', { ...at(mainUri, main.at('netUse')), newName: 'train' }), /not a name/);
  await assert.rejects(client.request('textDocument/rename', { ...at(mainUri, main.at('netUse')), newName: 'dense' }), /declared already/);
  assert.equal(await client.request('textDocument/prepareRename', at(mainUri, main.at('sgdCall'))), null);
});

test('document symbols give the outline: declarations by kind, loops with their declarations inside', async () => {
  const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: mainUri } });
  assert.deepEqual(symbols.map((s) => [s.name, s.detail ?? '']), [
    ['import "lib.ltx"', ''], ['w0', 'init'], ['opt', 'optimizer'], ['dense', 'train'], ['for level in 1..2', ''], ['acc', 'probe'],
  ]);
  assert.deepEqual(symbols[4]!.children!.map((s) => s.name), ['m[level]']);
});

test('folding ranges cover loops, calls over several lines and blocks of comment lines', async () => {
  const ranges = await client.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri: mainUri } });
  const loop = main.at('levelDecl').line;
  assert.deepEqual(ranges.map((r) => [r.startLine, r.endLine, r.kind]).sort(), [[2, 3, 'comment'], [loop, loop + 3, undefined], [loop + 1, loop + 2, undefined]]);
});

test('formatting gives the layout of ltx fmt; a file with syntax errors is left alone', async () => {
  const messy = 'import "lib.ltx"\ninit   w0=kaiming_normal( net ,seed:0 )\n';
  await client.change(scratchUri, messy).catch(() => undefined);
  await completionsIn(`${messy}⟨here⟩`);
  const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri: scratchUri }, options: { tabSize: 2, insertSpaces: true } });
  assert.equal(edits.length, 1);
  assert.equal(edits[0]!.newText, 'import "lib.ltx"\ninit w0 = kaiming_normal(net, seed: 0)\n');
  await completionsIn('init w0 = ⟨here⟩(');
  assert.deepEqual(await client.request('textDocument/formatting', { textDocument: { uri: scratchUri }, options: { tabSize: 2, insertSpaces: true } }), []);
});

test('semantic tokens tell declared names, functions, arguments, members and enum values apart', async () => {
  const tokens = await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri: mainUri } });
  const legend = ['keyword', 'variable', 'function', 'parameter', 'property', 'number', 'string', 'comment', 'operator', 'enumMember'];
  const decoded = new Map<string, string>();
  let line = 0;
  let character = 0;
  for (let i = 0; i < tokens.data.length; i += 5) {
    const [deltaLine, deltaStart, , type] = tokens.data.slice(i, i + 5) as [number, number, number, number];
    line += deltaLine;
    character = deltaLine === 0 ? character + deltaStart : deltaStart;
    decoded.set(`${line}:${character}`, legend[type]!);
  }
  const typeAt = (name: string) => decoded.get(`${main.at(name).line}:${main.at(name).character}`);
  assert.equal(typeAt('sgdCall'), 'function');
  assert.equal(typeAt('optimizerArg'), 'parameter');
  assert.equal(typeAt('test'), 'property');
  assert.equal(typeAt('global'), 'enumMember');
  assert.equal(typeAt('denseDecl'), 'variable');
  assert.equal(typeAt('unit'), 'keyword');
  assert.equal(decoded.get('2:0'), 'comment');
  assert.equal(decoded.get('3:0'), 'comment');
});

test('a "did you mean" diagnostic comes with a quick fix that replaces the name', async () => {
  const { diagnostics } = await client.change(scratchUri, 'import "lib.ltx"\noptimizer o = sgd(lr: 0.1, momentun: 0.9)\nmask m = magnitude(o, rate: 20%, skip: ["outptu"])\n');
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri: scratchUri }, range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, context: { diagnostics },
  });
  const edits = actions.map((a) => a.edit!.changes![scratchUri]![0]!);
  assert.deepEqual(edits.map((e) => [e.range.start.line, e.range.start.character, e.newText]), [[1, 27, 'momentum']]);
});

test('requests about unknown documents or past the end of a file answer without failing the server', async () => {
  const nowhere = pathToFileURL(join(dir, 'missing.ltx')).href;
  assert.equal(await client.request('textDocument/hover', at(nowhere, { line: 3, character: 4 })), null);
  assert.deepEqual(await client.request('textDocument/documentSymbol', { textDocument: { uri: nowhere } }), []);
  assert.equal(await client.request('textDocument/hover', at(mainUri, { line: 500, character: 80 })), null);
  assert.ok(Array.isArray(await client.request('textDocument/completion', at(mainUri, { line: 500, character: 80 }))));
  assert.equal(client.exited, false);
});
