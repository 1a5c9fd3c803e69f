// The VS Code extension's TextMate grammar: written from the lexer's token definitions (and fresh),
// it gives every token of every example the scope of what the lexer and parser say it is, and its
// tokenization of each example is pinned in a snapshot (UPDATE_SNAPSHOTS=1 rewrites them).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tokenMatcher, type IToken } from 'chevrotain';
import { parseProgram } from '../../lang/parse.ts';
import { Keyword, Kind, NumberToken, Percent, StringToken, True, False, tokenize } from '../../lang/lexer.ts';
import { allNodes } from '../../lang/syntax-walk.ts';
import { GRAMMAR_FILE, grammarText } from '../../scripts/editor-grammar.ts';
import { ROOT } from '../cli/helpers.ts';
import { tmTokenizer, type ScopedToken } from './textmate.ts';

const EXAMPLES = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.ltx')).sort();
const SNAPSHOTS = join(ROOT, 'test/editor/snapshots');
const tokenizerReady = tmTokenizer(readFileSync(GRAMMAR_FILE, 'utf8'));

test('the grammar file is the one the lexer definitions give (npm run grammar writes it)', () => {
  assert.equal(readFileSync(GRAMMAR_FILE, 'utf8'), grammarText());
});

/** The scope each lexer token should get, by its offset: names by their place in the tree, the rest by token type. */
function expectedScopes(text: string): Map<number, string> {
  const expected = new Map<number, string>();
  const { program } = parseProgram(text, 'example.ltx');
  for (const node of allNodes(program)) {
    switch (node.type) {
      case 'Declaration':
        expected.set(node.kindRange.start.offset, 'storage.type.declaration');
        expected.set(node.name.range.start.offset, 'entity.name.variable');
        break;
      case 'For': expected.set(node.variable.range.start.offset, 'variable.other.loop'); break;
      case 'Call': expected.set(node.callee.range.start.offset, 'entity.name.function'); break;
      case 'Argument': if (node.name) expected.set(node.name.range.start.offset, 'variable.parameter'); break;
      case 'Member': expected.set(node.property.range.start.offset, 'variable.other.property'); break;
      case 'Quantity': expected.set(node.unitRange.start.offset, 'keyword.other.unit'); break;
      case 'Reference': expected.set(node.range.start.offset, 'variable.other'); break;
      default: break;
    }
  }
  return expected;
}

function byTokenType(token: IToken): string | undefined {
  if (tokenMatcher(token, StringToken)) return 'string.quoted.double';
  if (tokenMatcher(token, Percent)) return 'constant.numeric.percentage';
  if (tokenMatcher(token, NumberToken)) return 'constant.numeric';
  if (tokenMatcher(token, True) || tokenMatcher(token, False)) return 'constant.language.boolean';
  if (tokenMatcher(token, Kind)) return 'storage.type.declaration';
  if (tokenMatcher(token, Keyword)) return 'keyword.control';
  return undefined;
}

function scopesAt(tokens: ScopedToken[], line: number, column: number): string[] {
  return tokens.find((t) => t.line === line && t.start <= column && column < t.end)?.scopes ?? [];
}

for (const example of EXAMPLES) {
  test(`examples/${example}: every lexer token gets the scope of its kind`, async () => {
    const tokenizeTm = await tokenizerReady;
    const text = readFileSync(join(ROOT, 'examples', example), 'utf8');
    const tm = tokenizeTm(text);
    const expected = expectedScopes(text);
    const lexed = tokenize(text, example);
    const mismatches: string[] = [];
    for (const token of lexed.tokens) {
      const want = expected.get(token.startOffset) ?? byTokenType(token);
      if (want === undefined) continue;
      const scopes = scopesAt(tm, token.startLine! - 1, token.startColumn! - 1);
      if (!scopes.some((s) => s.startsWith(`${want}.`))) mismatches.push(`${token.startLine}:${token.startColumn} '${token.image}': want ${want}, got ${scopes.slice(1).join(' ') || 'nothing'}`);
    }
    for (const comment of lexed.comments) {
      const scopes = scopesAt(tm, comment.range.start.line - 1, comment.range.start.column - 1);
      if (!scopes.some((s) => s.startsWith('comment.line.'))) mismatches.push(`${comment.range.start.line}: a comment got ${scopes.join(' ')}`);
    }
    assert.deepEqual(mismatches, []);
  });

  test(`examples/${example}: the tokenization matches its snapshot`, async () => {
    const tokenizeTm = await tokenizerReady;
    const text = readFileSync(join(ROOT, 'examples', example), 'utf8');
    const snapshot = renderSnapshot(text, tokenizeTm(text));
    const file = join(SNAPSHOTS, `${example}.snap`);
    if (process.env.UPDATE_SNAPSHOTS === '1') writeFileSync(file, snapshot);
    assert.ok(existsSync(file), `no snapshot ${file}: UPDATE_SNAPSHOTS=1 writes it`);
    assert.equal(snapshot, readFileSync(file, 'utf8'));
  });
}

/** vscode-tmgrammar-snap's layout: each source line after '>', then one line per token with its scopes. */
function renderSnapshot(text: string, tokens: ScopedToken[]): string {
  const lines = text.split(/\r\n|\r|\n/);
  const out: string[] = [];
  lines.forEach((line, index) => {
    if (index === lines.length - 1 && line === '') return;
    out.push(`>${line}`);
    for (const token of tokens.filter((t) => t.line === index && line.slice(t.start, t.end).trim() !== '')) {
      out.push(`#${' '.repeat(token.start)}${'^'.repeat(token.end - token.start)} ${token.scopes.join(' ')}`);
    }
  });
  return out.join('\n') + '\n';
}
