// The files the language server knows: the editor's open documents (their unsaved text wins over the
// disk) and the .ltx files under the workspace folders, parsed once per text, with the imports between
// them. Programs share one namespace across their imports, so "the files around a file" are every file
// of every program it belongs to.
import { readdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { CompileHost, SourceFile } from '../../compiler/program-loader.ts';
import { unescapeString } from '../../lang/lexer.ts';
import { parseProgram } from '../../lang/parse.ts';
import { fileHost } from '../host.ts';
import { pathOfUri, uriOfPath } from './positions.ts';

const IMPORT_LINE = /^[ \t]*import[ \t]+("(?:[^"\\\r\n]|\\.)*")/gm;

/** Files and folders looked at when the workspace is scanned for programs: it stays a quick look. */
const MAX_SCANNED_ENTRIES = 5000;
const MAX_SCAN_DEPTH = 8;
/** Files one program may span (the compiler's own limit on nested imports is 100). */
const MAX_CLOSURE = 500;

export class Workspace {
  private readonly documents: TextDocuments<TextDocument>;
  private readonly parsedFiles = new Map<string, SourceFile>();
  private readonly diskTexts = new Map<string, string | undefined>();
  private scanned: string[] = [];
  readonly host: CompileHost;

  constructor(documents: TextDocuments<TextDocument>) {
    this.documents = documents;
    this.host = {
      readFile: (path) => this.readFile(path),
      whyUnreadable: (path) => fileHost.whyUnreadable?.(path),
      resolveImport: (from, spec) => fileHost.resolveImport(from, spec),
    };
  }

  /** The path a document is known by: its file path, or its URI when it is not a file (an unsaved buffer). */
  pathOf(uri: string): string {
    return pathOfUri(uri) ?? uri;
  }

  uriOf(path: string): string {
    const open = this.documents.all().find((d) => this.pathOf(d.uri) === path);
    if (open) return open.uri;
    return isAbsolute(path) ? uriOfPath(path) : path;
  }

  document(path: string): TextDocument | undefined {
    return this.documents.get(this.uriOf(path));
  }

  openPaths(): string[] {
    return this.documents.all().map((d) => this.pathOf(d.uri));
  }

  /**
   * An open document's text, else the file's (read once: every edit asks for the imports of every
   * known file; `forget` drops what changed on disk, as the client's file watcher reports it).
   */
  readFile(path: string): string | undefined {
    const open = this.document(path);
    if (open) return open.getText();
    if (!this.diskTexts.has(path)) this.diskTexts.set(path, fileHost.readFile(path));
    return this.diskTexts.get(path);
  }

  /** Files changed, created or deleted on disk: read them again when next asked. */
  forget(paths: readonly string[]): void {
    for (const path of paths) this.diskTexts.delete(path);
  }

  /** The file parsed (once per text), or undefined when it cannot be read. */
  parsed(path: string): SourceFile | undefined {
    const text = this.readFile(path);
    if (text === undefined) return undefined;
    const known = this.parsedFiles.get(path);
    if (known?.text === text) return known;
    const file: SourceFile = { path, text, program: parseProgram(text, path).program };
    this.parsedFiles.set(path, file);
    return file;
  }

  /**
   * The files `path` imports, as paths: read from its import lines without parsing it (this runs on
   * every edit, before the compile that parses it). An import is a statement of its own at the top level.
   */
  imports(path: string): string[] {
    const text = this.readFile(path);
    if (text === undefined) return [];
    return [...text.matchAll(IMPORT_LINE)].map((match) => this.host.resolveImport(path, unescapeString(match[1]!)));
  }

  /** `path` and every file it imports, directly or not. */
  closure(path: string): string[] {
    const seen = new Set<string>([path]);
    const pending = [path];
    while (pending.length > 0 && seen.size < MAX_CLOSURE) {
      for (const imported of this.imports(pending.pop()!)) {
        if (seen.has(imported)) continue;
        seen.add(imported);
        pending.push(imported);
      }
    }
    return [...seen];
  }

  /** Looks for .ltx files under the workspace folders (bounded), for the importers of a file. */
  scan(roots: readonly string[]): void {
    const found: string[] = [];
    let budget = MAX_SCANNED_ENTRIES;
    const walk = (dir: string, depth: number): void => {
      if (depth > MAX_SCAN_DEPTH || budget <= 0) return;
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        if (--budget <= 0) return;
        if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path, depth + 1);
        else if (entry.isFile() && entry.name.endsWith('.ltx')) found.push(path);
      }
    };
    for (const root of roots) walk(root, 0);
    this.scanned = found;
  }

  knownPaths(): string[] {
    return [...new Set([...this.openPaths(), ...this.scanned])];
  }

  /** The known files whose programs include `path` (itself among them when it is known). */
  importers(path: string): string[] {
    return this.knownPaths().filter((entry) => entry !== path && this.closure(entry).includes(path));
  }

  /** Every file of every program `path` belongs to: its own imports and those of the files importing it. */
  filesAround(path: string): SourceFile[] {
    const paths = new Set(this.closure(path));
    for (const importer of this.importers(path)) for (const p of this.closure(importer)) paths.add(p);
    return [...paths].flatMap((p) => {
      const file = this.parsed(p);
      return file ? [file] : [];
    });
  }
}
