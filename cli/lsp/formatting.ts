// Formatting: `ltx fmt`'s layout as one edit of the whole document; nothing for a file with syntax
// errors (the formatter needs the whole tree), as `ltx fmt` refuses it.
import type { TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { formatProgram } from '../../lang/formatter.ts';
import { parseProgram } from '../../lang/parse.ts';

export function formatDocument(document: TextDocument, path: string): TextEdit[] {
  const text = document.getText();
  const { program, diagnostics } = parseProgram(text, path);
  if (diagnostics.some((d) => d.severity === 'error')) return [];
  const formatted = formatProgram(program, text);
  if (formatted === text) return [];
  return [{ range: { start: document.positionAt(0), end: document.positionAt(text.length) }, newText: formatted }];
}
