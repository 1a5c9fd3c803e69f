// What every request handler of the language server reads: the files, the compiled programs, the
// library of functions and the cache, and the file's syntax and names around a position.
import type { Library } from '../../core/library.ts';
import type { SourceFile } from '../../compiler/program-loader.ts';
import { programSymbols, type ProgramSymbols } from '../../compiler/symbols.ts';
import type { Store } from '../../runtime/store/index.ts';
import type { ProgramDiagnostics } from './diagnostics.ts';
import type { Workspace } from './workspace.ts';

export interface ServerContext {
  workspace: Workspace;
  diagnostics: ProgramDiagnostics;
  library: Library;
  /** The cache whose results hovers show, for a program file; undefined when none can be opened. */
  storeFor(path: string): Store | undefined;
}

/** A file, parsed, with the names of the programs it belongs to. */
export interface FileView {
  file: SourceFile;
  symbols: ProgramSymbols;
}

export function viewOf(context: ServerContext, path: string): FileView | undefined {
  const file = context.workspace.parsed(path);
  if (!file) return undefined;
  return { file, symbols: programSymbols(context.workspace.filesAround(path)) };
}
