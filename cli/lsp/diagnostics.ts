// Diagnostics as the user types: every open program (and every known program importing a changed
// file) is compiled the way `ltx check` compiles it (up to the stages, which report nothing), and each file gets the union of what the programs
// containing it said about it. Compiles run one at a time; a program edited again while it compiles is
// compiled once more afterwards, and only the newest result is published.
import { dirname } from 'node:path';
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import type { CompiledProgram } from '../../compiler/compile.ts';
import type { Diagnostic } from '../../core/diagnostics.ts';
import { compileFile, DatasetLookups, errorCount } from '../compile-file.ts';
import { toLspRange } from './positions.ts';
import type { Workspace } from './workspace.ts';

export interface DiagnosticsPublisher {
  (uri: string, diagnostics: LspDiagnostic[], version: number | undefined): void;
}

interface EntryResult {
  /** Diagnostics by the file they are in. */
  byFile: Map<string, Diagnostic[]>;
  files: string[];
  /** The texts of the program's files at its latest compile without errors. */
  lastGoodTexts?: Map<string, string>;
}

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

export function toLspDiagnostic(d: Diagnostic, uriOf: (path: string) => string): LspDiagnostic {
  return {
    range: toLspRange(d.range),
    severity: SEVERITY[d.severity],
    code: d.code,
    source: 'ltx',
    message: d.message,
    ...(d.related?.length
      ? { relatedInformation: d.related.map((r) => ({ location: { uri: uriOf(r.file), range: toLspRange(r.range) }, message: r.message })) }
      : {}),
  };
}

export class ProgramDiagnostics {
  private readonly workspace: Workspace;
  private readonly publish: DiagnosticsPublisher;
  private readonly onError: (error: unknown) => void;
  private readonly results = new Map<string, EntryResult>();
  /** The latest compile with stages of each entry without errors: what hover and completion read stages and layers from. */
  private readonly lastGood = new Map<string, CompiledProgram>();
  private readonly lookups = new Map<string, DatasetLookups>();
  private readonly pending = new Set<string>();
  private readonly published = new Set<string>();
  private running: Promise<void> | undefined;

  constructor(workspace: Workspace, publish: DiagnosticsPublisher, onError: (error: unknown) => void) {
    this.workspace = workspace;
    this.publish = publish;
    this.onError = onError;
  }

  /** `path` changed (opened, edited, saved): compile the open programs and known importers it concerns. */
  changed(path: string): Promise<void> {
    const open = new Set(this.workspace.openPaths());
    if (open.has(path)) this.pending.add(path);
    for (const importer of this.workspace.importers(path)) this.pending.add(importer);
    // Every program compiled before that contains it (a closed importer too), and the file itself if it was one.
    for (const [entry, result] of this.results) if (result.files.includes(path)) this.pending.add(entry);
    return this.drain();
  }

  /** `path` was closed: it is no longer compiled as a program of its own. */
  closed(path: string): void {
    const result = this.results.get(path);
    if (!result) return;
    this.results.delete(path);
    this.lastGood.delete(path);
    this.republish(new Set([...result.byFile.keys(), path]));
  }

  /**
   * The stages of a program that contains `path` (the one it is the entry of first), as of its latest
   * text without errors: compiled with its stages on demand, once per such text (diagnostics skip them).
   */
  async programFor(path: string): Promise<CompiledProgram | undefined> {
    const entry = this.results.has(path) ? path : [...this.results.entries()].find(([, r]) => r.files.includes(path))?.[0];
    const texts = entry === undefined ? undefined : this.results.get(entry)!.lastGoodTexts;
    if (entry === undefined || texts === undefined) return undefined;
    const known = this.lastGood.get(entry);
    if (known && known.files.length === texts.size && known.files.every((f) => texts.get(f.path) === f.text)) return known;
    const host = { ...this.workspace.host, readFile: (file: string) => texts.get(file) ?? this.workspace.readFile(file) };
    const program = await compileFile(entry, { sets: [] }, host, dirname(entry), { lookups: this.lookupsFor(entry) });
    if (errorCount(program) === 0) this.lastGood.set(entry, program);
    return this.lastGood.get(entry);
  }

  private lookupsFor(entry: string): DatasetLookups {
    let lookups = this.lookups.get(dirname(entry));
    if (!lookups) this.lookups.set(dirname(entry), (lookups = new DatasetLookups(dirname(entry))));
    return lookups;
  }

  private drain(): Promise<void> {
    this.running ??= (async () => {
      while (this.pending.size > 0) {
        const entry = this.pending.values().next().value!;
        this.pending.delete(entry);
        try {
          await this.compileEntry(entry);
        } catch (error) {
          this.onError(error);
        }
      }
      this.running = undefined;
    })();
    return this.running;
  }

  private async compileEntry(entry: string): Promise<void> {
    const versions = new Map(this.workspace.openPaths().map((path) => [path, this.workspace.document(path)?.version]));
    const program = await compileFile(entry, { sets: [] }, this.workspace.host, dirname(entry), { lookups: this.lookupsFor(entry), stages: false });
    // A file of the program was edited while it compiled: the compile that follows publishes.
    if (program.files.some((f) => this.workspace.document(f.path)?.version !== versions.get(f.path))) this.pending.add(entry);
    if (this.pending.has(entry)) return;
    const byFile = new Map<string, Diagnostic[]>();
    for (const d of program.diagnostics) byFile.set(d.file, [...(byFile.get(d.file) ?? []), d]);
    const previous = this.results.get(entry);
    const lastGoodTexts = errorCount(program) === 0 ? new Map(program.files.map((f) => [f.path, f.text])) : previous?.lastGoodTexts;
    this.results.set(entry, { byFile, files: program.files.map((f) => f.path), ...(lastGoodTexts ? { lastGoodTexts } : {}) });
    this.republish(new Set([entry, ...program.files.map((f) => f.path), ...byFile.keys(), ...(previous?.byFile.keys() ?? [])]));
  }

  private republish(paths: Set<string>): void {
    for (const path of paths) {
      // A program that contains the file is about to be compiled again: it publishes the file then.
      if ([...this.pending].some((entry) => entry === path || this.results.get(entry)?.files.includes(path))) continue;
      const seen = new Set<string>();
      const diagnostics: LspDiagnostic[] = [];
      for (const result of this.results.values()) {
        for (const d of result.byFile.get(path) ?? []) {
          const key = `${d.range.start.offset}:${d.range.end.offset}:${d.code}:${d.message}`;
          if (seen.has(key)) continue;
          seen.add(key);
          diagnostics.push(toLspDiagnostic(d, (p) => this.workspace.uriOf(p)));
        }
      }
      if (diagnostics.length === 0 && !this.published.has(path) && !this.results.has(path)) continue;
      if (diagnostics.length > 0) this.published.add(path);
      else this.published.delete(path);
      this.publish(this.workspace.uriOf(path), diagnostics, this.workspace.document(path)?.version);
    }
  }
}
