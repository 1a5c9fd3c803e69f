// Go to definition, find references and rename, across the files of the programs a file belongs to
// (its imports and the files importing it): the names come from compiler/symbols.ts.
import { ResponseError, ErrorCodes, type Location, type Range, type WorkspaceEdit, type TextEdit } from 'vscode-languageserver';
import { definitionsOf, occurrenceAt, occurrencesOf, programSymbols, type NameOccurrence, type ProgramSymbols } from '../../compiler/symbols.ts';
import { KEYWORDS } from '../../lang/lexer.ts';
import { viewOf, type ServerContext } from './context.ts';
import { toLspRange } from './positions.ts';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function definition(context: ServerContext, path: string, offset: number): Location[] {
  const view = viewOf(context, path);
  const occurrence = view && occurrenceAt(view.symbols, path, offset);
  if (!view || !occurrence) return [];
  return definitionsOf(view.symbols, occurrence).map((site) => ({ uri: context.workspace.uriOf(site.file), range: toLspRange(site.range) }));
}

/**
 * The names of every program that can see `target`'s declarations: those around the file asked about
 * and those around each file declaring it (a file importing the declaring file uses it too).
 */
function symbolsOfName(context: ServerContext, path: string, symbols: ProgramSymbols, target: NameOccurrence): ProgramSymbols {
  if (target.role === 'loop-variable') return symbols;
  const paths = new Set([path, ...(symbols.declarations.get(target.name) ?? []).map((site) => site.file)]);
  const files = new Map([...paths].flatMap((p) => context.workspace.filesAround(p)).map((file) => [file.path, file]));
  return programSymbols([...files.values()]);
}

export function references(context: ServerContext, path: string, offset: number, includeDeclaration: boolean): Location[] {
  const view = viewOf(context, path);
  const occurrence = view && occurrenceAt(view.symbols, path, offset);
  if (!view || !occurrence) return [];
  return occurrencesOf(symbolsOfName(context, path, view.symbols, occurrence), occurrence)
    .filter((o) => includeDeclaration || o.role === 'use' || (o.role === 'loop-variable' && o.range !== occurrence.loop?.variable.range))
    .map((o) => ({ uri: context.workspace.uriOf(o.file), range: toLspRange(o.range) }));
}

/** The name under the cursor, if it is one that can be renamed (declared in the program, or a loop variable). */
export function prepareRename(context: ServerContext, path: string, offset: number): { range: Range; placeholder: string } | null {
  const view = viewOf(context, path);
  const occurrence = view && occurrenceAt(view.symbols, path, offset);
  if (!view || !occurrence) return null;
  if (definitionsOf(view.symbols, occurrence).length === 0) return null;
  return { range: toLspRange(occurrence.range), placeholder: occurrence.name };
}

export function rename(context: ServerContext, path: string, offset: number, newName: string): WorkspaceEdit | null {
  if (!NAME.test(newName) || KEYWORDS.has(newName)) {
    throw new ResponseError(ErrorCodes.InvalidParams, `'${newName}' is not a name: a name is a letter or '_' followed by letters, digits and '_', and not a keyword`);
  }
  const view = viewOf(context, path);
  const occurrence = view && occurrenceAt(view.symbols, path, offset);
  if (!view || !occurrence || definitionsOf(view.symbols, occurrence).length === 0) return null;
  if (occurrence.role !== 'loop-variable' && view.symbols.declarations.has(newName)) {
    throw new ResponseError(ErrorCodes.InvalidParams, `'${newName}' is declared already`);
  }
  const changes: { [uri: string]: TextEdit[] } = {};
  for (const o of occurrencesOf(symbolsOfName(context, path, view.symbols, occurrence), occurrence)) {
    (changes[context.workspace.uriOf(o.file)] ??= []).push({ range: toLspRange(o.range), newText: newName });
  }
  return { changes };
}
