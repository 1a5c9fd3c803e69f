// Quick fixes for the diagnostics that name their fix: "did you mean 'momentum'?" replaces the
// misspelled name (or the text of a misspelled string, quotes kept) with the suggestion.
import { CodeActionKind, type CodeAction, type Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';

const SUGGESTION = /did you mean '([^']+)'\?/;
const NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const STRING = /^"(?:[^"\\]|\\.)*"$/;

export function quickFixes(document: TextDocument, diagnostics: readonly LspDiagnostic[]): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    const message = typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value;
    const suggestion = SUGGESTION.exec(message)?.[1];
    if (suggestion === undefined) continue;
    const written = document.getText(diagnostic.range);
    let newText: string;
    if (NAME.test(written)) newText = suggestion;
    else if (STRING.test(written)) newText = JSON.stringify(suggestion);
    else continue;
    actions.push({
      title: `Replace '${written}' with ${newText === suggestion ? `'${suggestion}'` : newText}`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      isPreferred: true,
      edit: { changes: { [document.uri]: [{ range: diagnostic.range, newText }] } },
    });
  }
  return actions;
}
