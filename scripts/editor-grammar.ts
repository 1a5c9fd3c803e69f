// Writes the TextMate grammar of the VS Code extension from the lexer's token definitions.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { textmateGrammar } from '../lang/textmate-grammar.ts';

export const GRAMMAR_FILE = fileURLToPath(new URL('../editors/vscode/syntaxes/ltx.tmLanguage.json', import.meta.url));

/** The grammar file's text. */
export function grammarText(): string {
  return JSON.stringify(textmateGrammar(), null, 2) + '\n';
}

if (import.meta.main) {
  writeFileSync(GRAMMAR_FILE, grammarText());
  console.log('editors/vscode/syntaxes/ltx.tmLanguage.json: written');
}
