// Robustness of `ltx lsp`: a seeded run of random edits (deletions, stray brackets, quotes, comments,
// keywords, huge numbers, duplicated and swapped lines) of real programs, sent as incremental changes.
// After each, the diagnostics of that version must come and lie inside the text, and every request at
// a random position must answer with a well-formed result (or a clean "invalid params" error), never
// an internal error; the server must be alive at the end.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ErrorCodes, ResponseError } from 'vscode-jsonrpc';
import type { Diagnostic, Range } from 'vscode-languageserver-protocol';
import { ROOT } from '../cli/helpers.ts';
import { LspClient } from './client.ts';

const EDITS_PER_PROGRAM = 30;
const SNIPPETS = [
  '(', ')', '[', ']', '{', '}', '"', '"unterminated', '# comment', '@', '@ every ', '..', '%', '1e999', ': ', ',', '=', '.', '-',
  'train', 'for', 'in', 'import "nowhere.ltx"', 'import "main.ltx"', 'x', 'dense', 'fit(', 'magnitude(dense, rate: ', 'skip: ["',
  '\n', '\n}', 'é', '\t', '*', '3 epochs', 'probe p = accuracy(', '\\',
];

/** A small seeded generator (mulberry32): the same edits on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function positionAt(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset).split(/\r\n|\r|\n/);
  return { line: before.length - 1, character: before[before.length - 1]!.length };
}

function lineCount(text: string): number {
  return text.split(/\r\n|\r|\n/).length;
}

function assertRange(range: Range, text: string, what: string): void {
  assert.ok(Number.isInteger(range.start.line) && range.start.line >= 0 && range.start.character >= 0, `${what}: ${JSON.stringify(range)}`);
  assert.ok(range.end.line < lineCount(text) && (range.end.line > range.start.line || range.end.character >= range.start.character), `${what}: ${JSON.stringify(range)}`);
}

let dir: string;
let client: LspClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ltx-lsp-fuzz-'));
  client = await LspClient.start(dir);
});

after(async () => {
  if (client && !client.exited) await client.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A request that must answer, or refuse with an error a client expects (never an internal one). */
async function answered<T>(method: string, params: object): Promise<T | undefined> {
  try {
    return await client.request<T>(method, params);
  } catch (error) {
    assert.ok(error instanceof ResponseError && error.code !== ErrorCodes.InternalError, `${method}: ${(error as Error).message}`);
    return undefined;
  }
}

for (const [example, seed] of [['quickstart.ltx', 1], ['seed-sweep.ltx', 2]] as const) {
  test(`random edits of examples/${example} get diagnostics and well-formed answers to every request`, async () => {
    const next = random(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    let text = readFileSync(join(ROOT, 'examples', example), 'utf8');
    const path = join(dir, 'main.ltx');
    writeFileSync(path, text);
    const uri = pathToFileURL(path).href;
    await client.open(uri, text);

    for (let i = 0; i < EDITS_PER_PROGRAM; i++) {
      const start = Math.floor(next() * (text.length + 1));
      const lines = text.split('\n');
      let end = start;
      let insert: string;
      const kind = next();
      if (kind < 0.3) {
        end = Math.min(text.length, start + Math.floor(next() * 25));
        insert = '';
      } else if (kind < 0.8) {
        insert = pick(SNIPPETS);
      } else {
        const line = Math.floor(next() * lines.length);
        insert = `${lines[line]}\n`;
      }
      const version = client.edit(uri, { start: positionAt(text, start), end: positionAt(text, end) }, insert);
      const published = client.nextDiagnostics(uri, version);
      text = text.slice(0, start) + insert + text.slice(end);
      const { diagnostics } = await published;
      for (const d of diagnostics) assertRange(d.range, text, `diagnostic ${d.message}`);

      const position = positionAt(text, Math.floor(next() * (text.length + 1)));
      const at = { textDocument: { uri }, position };
      const hover = await answered<{ contents: { kind: string; value: string } } | null>('textDocument/hover', at);
      if (hover) assert.equal(typeof hover.contents.value, 'string');
      const items = await answered<{ label: string }[]>('textDocument/completion', at);
      assert.ok(items === undefined || items.every((item) => typeof item.label === 'string' && item.label.length > 0), JSON.stringify(items?.filter((item) => !item.label)));
      for (const method of ['textDocument/definition', 'textDocument/references']) {
        const locations = await answered<{ uri: string; range: Range }[]>(method, { ...at, context: { includeDeclaration: true } });
        for (const location of locations ?? []) assert.equal(typeof location.uri, 'string');
      }
      await answered('textDocument/prepareRename', at);
      await answered('textDocument/rename', { ...at, newName: pick(['renamed', 'for', '1bad', 'dense']) });
      const symbols = await answered<{ name: string; range: Range }[]>('textDocument/documentSymbol', { textDocument: { uri } });
      for (const symbol of symbols ?? []) assertRange(symbol.range, text, `symbol ${symbol.name}`);
      const folds = await answered<{ startLine: number; endLine: number }[]>('textDocument/foldingRange', { textDocument: { uri } });
      assert.ok((folds ?? []).every((f) => f.startLine < f.endLine && f.endLine < lineCount(text)));
      const tokens = await answered<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri } });
      assert.ok(tokens !== undefined && tokens.data.length % 5 === 0 && tokens.data.every((n) => Number.isInteger(n) && n >= 0));
      const edits = await answered<{ newText: string }[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
      assert.ok(edits !== undefined && edits.length <= 1);
      await answered('textDocument/codeAction', { textDocument: { uri }, range: { start: position, end: position }, context: { diagnostics: diagnostics as Diagnostic[] } });
    }
    client.close(uri);
    assert.equal(client.exited, false, client.stderr);
  });
}
