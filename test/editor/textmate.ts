// Tokenizing with the extension's TextMate grammar the way VS Code does (vscode-textmate on the
// Oniguruma regular expressions, as WebAssembly).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import oniguruma from 'vscode-oniguruma';
import textmate from 'vscode-textmate';

export interface ScopedToken {
  line: number;
  /** 0-based, UTF-16. */
  start: number;
  end: number;
  scopes: string[];
}

let loaded: Promise<void> | undefined;

/** A tokenizer for `grammarText` (the grammar file's JSON). */
export async function tmTokenizer(grammarText: string): Promise<(text: string) => ScopedToken[]> {
  loaded ??= oniguruma.loadWASM(readFileSync(createRequire(import.meta.url).resolve('vscode-oniguruma/release/onig.wasm')).buffer as ArrayBuffer);
  await loaded;
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scope: string) => (scope === 'source.ltx' ? textmate.parseRawGrammar(grammarText, 'ltx.tmLanguage.json') : null),
  });
  const grammar = await registry.loadGrammar('source.ltx');
  if (!grammar) throw new Error('the grammar did not load');
  return (text) => {
    const tokens: ScopedToken[] = [];
    let stack = textmate.INITIAL;
    text.split(/\r\n|\r|\n/).forEach((line, index) => {
      const result = grammar.tokenizeLine(line, stack);
      for (const token of result.tokens) tokens.push({ line: index, start: token.startIndex, end: Math.min(token.endIndex, line.length), scopes: token.scopes });
      stack = result.ruleStack;
    });
    return tokens;
  };
}
