// Reads the entry file and everything it imports (relative paths), once each. An import cycle is an
// error naming the chain. File access comes from the host: the compiler itself touches no files.
import type { Diagnostic } from '../core/diagnostics.ts';
import type { Program, SourceRange } from '../lang/ast.ts';
import { MAX_TOKENS } from '../lang/limits.ts';
import { parseProgram } from '../lang/parse.ts';
import type { DiagnosticSink } from './diagnostics-sink.ts';

export interface CompileHost {
  /** The text of a file, or undefined when it cannot be read. */
  readFile(path: string): string | undefined;
  /** Why `path` cannot be read ("it is a directory, not a file"), for the message. */
  whyUnreadable?(path: string): string | undefined;
  /** The path of `spec` imported from `fromFile`. */
  resolveImport(fromFile: string, spec: string): string;
}

export interface SourceFile {
  path: string;
  text: string;
  program: Program;
}

/** Files importing one another in a chain (each one is a level of recursion here). */
const MAX_IMPORT_DEPTH = 100;

const startOfFile: SourceRange = { start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } };

/** The error for a program file (or an import) that cannot be read, saying why where the host knows. */
export function unreadableFile(path: string, host: CompileHost, importedFrom?: { file: string; range: SourceRange }): Diagnostic {
  const why = host.whyUnreadable?.(path);
  const because = why === undefined ? '' : `: ${why}`;
  return importedFrom
    ? { severity: 'error', code: 'import-not-found', message: `cannot read imported file '${path}'${because}`, file: importedFrom.file, range: importedFrom.range }
    : { severity: 'error', code: 'file-not-found', message: `cannot read '${path}'${because}`, file: path, range: startOfFile };
}

export function loadProgramFiles(entry: string, host: CompileHost, sink: DiagnosticSink): SourceFile[] {
  const files = new Map<string, SourceFile>();
  const order: SourceFile[] = [];
  const stack: string[] = [];

  let tokens = 0;

  const visit = (path: string, importedFrom?: { file: string; range: SourceRange }): void => {
    if (stack.length >= MAX_IMPORT_DEPTH) {
      sink.error(importedFrom!.file, importedFrom!.range, 'import-too-deep', `imports nested more than ${MAX_IMPORT_DEPTH} files deep`);
      return;
    }
    if (stack.includes(path)) {
      const chain = [...stack.slice(stack.indexOf(path)), path].join(' → ');
      sink.error(importedFrom!.file, importedFrom!.range, 'import-cycle', `import cycle: ${chain}`);
      return;
    }
    if (files.has(path)) return;
    const text = host.readFile(path);
    if (text === undefined) {
      sink.push(unreadableFile(path, host, importedFrom));
      return;
    }
    // The token limit is the program's: what the files read so far used is not left for this one.
    const { program, diagnostics, tokenCount } = parseProgram(text, path, { maxTokens: MAX_TOKENS - tokens });
    tokens += tokenCount;
    for (const d of diagnostics) sink.push(d);
    const file: SourceFile = { path, text, program };
    files.set(path, file);
    stack.push(path);
    for (const statement of program.body) {
      if (statement.type !== 'Import') continue;
      visit(host.resolveImport(path, statement.path.value), { file: path, range: statement.path.range });
    }
    stack.pop();
    order.push(file);
  };

  visit(entry);
  return order;
}
