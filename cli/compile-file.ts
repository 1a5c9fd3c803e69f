// Compile a program from the filesystem (or git) and report its diagnostics: on stderr, and with --json
// as the document an invalid program gets.
import { dirname, resolve } from 'node:path';
import { compile, type CompiledProgram } from '../compiler/compile.ts';
import type { ParamOverride } from '../compiler/evaluate.ts';
import type { CompileHost } from '../compiler/program-loader.ts';
import type { Diagnostic } from '../core/diagnostics.ts';
import { standardLibrary } from '../stdlib/library.ts';
import { DatasetContentCache } from './dataset-content.ts';
import { DatasetSizeCache } from './dataset-sizes.ts';
import { FileDigests } from './file-digests.ts';
import { fileHost } from './host.ts';
import type { CompileFlags } from './param-sets.ts';
import { printDiagnostics as printToStderr } from './print-diagnostics.ts';
import { UsageError } from './usage.ts';

export type { CompileFlags } from './param-sets.ts';

/** What a long-lived caller (the language server) adds to a compile. */
export interface EditorCompileOptions {
  /** What the data files told earlier compiles (default: nothing yet). */
  lookups?: DatasetLookups;
  /** False: diagnostics only, no stages (see CompileOptions.stages). */
  stages?: boolean;
}

/**
 * What the files of a program's datasets told (sizes, digests). One compile asks and reads; a long-lived
 * caller (the language server) keeps them, so that recompiling after an edit reads no data file again.
 */
export class DatasetLookups {
  readonly digests = new FileDigests();
  readonly sizes: DatasetSizeCache;
  readonly contents: DatasetContentCache;

  constructor(programDir: string) {
    this.sizes = new DatasetSizeCache(standardLibrary, programDir);
    this.contents = new DatasetContentCache(standardLibrary, programDir, this.digests);
  }
}

/**
 * Compiles twice when the program has datasets: the first compile asks for what only their files tell
 * (sizes, digests), which is read in between. `programDir` is where relative data paths lead: the entry
 * file's directory (for a program read from git, that directory in the working tree).
 */
export async function compileFile(
  file: string, flags: CompileFlags, host: CompileHost = fileHost, programDir = dirname(resolve(file)), options: EditorCompileOptions = {},
): Promise<CompiledProgram> {
  const { digests, sizes, contents } = options.lookups ?? new DatasetLookups(programDir);
  const compileWith = (overrides: ParamOverride[]) => compile(file, {
    host, sets: overrides, maxStages: flags.maxStages, library: standardLibrary, datasetSizes: sizes.lookup, datasetContent: contents.lookup,
    stages: options.stages,
  });
  const sets = flags.sets;
  let program = compileWith(sets);
  const learnedSizes = await sizes.resolvePending();
  const learnedContents = await contents.resolvePending();
  digests.save();
  if (learnedSizes || learnedContents) program = compileWith(sets);
  if (program.usageErrors.length > 0) throw new UsageError(program.usageErrors.join('\n'));
  if (sets.length > 0 && errorCount(program) > 0) rejectMisfittingSets(program, sets, compileWith);
  return program;
}

/**
 * A `--set` value the program cannot use where the param goes (a string for a seed, 0.5 steps) is the
 * flag's error, not the file's: the errors that only appear with the overrides become one usage error
 * per error, naming the flag(s) that cause it and where the param is used.
 */
function rejectMisfittingSets(program: CompiledProgram, sets: ParamOverride[], compileWith: (sets: ParamOverride[]) => CompiledProgram): void {
  const where = (d: Diagnostic) => `${d.file}:${d.range.start.offset}`;
  const ownErrors = new Set(compileWith([]).diagnostics.map(where));
  const caused = program.diagnostics.filter((d) => d.severity === 'error' && !ownErrors.has(where(d)));
  if (caused.length === 0) return;
  const alone = sets.filter((set) => errorCount(compileWith([set])) > 0);
  const flags = (alone.length > 0 ? alone : sets).map((set) => `--set ${set.name}=${set.value}`).join(', ');
  throw new UsageError(caused.map((d) => `${flags}: ${d.message} (at ${d.file}:${d.range.start.line}:${d.range.start.column})`).join('\n'));
}

export function errorCount(program: CompiledProgram): number {
  return program.diagnostics.filter((d) => d.severity === 'error').length;
}

/** What `--json` says about one program file: whether it is valid, and its diagnostics. */
export function programReport(file: string, program: CompiledProgram): { file: string; ok: boolean; diagnostics: Diagnostic[] } {
  return { file, ok: errorCount(program) === 0, diagnostics: program.diagnostics };
}

/**
 * Prints the program's diagnostics to stderr; true when it has errors, and the command stops there.
 * With --json an invalid program still gets one document on stdout, {"file", "ok": false, "diagnostics"},
 * so a script reading stdout learns why there is no plan (or run, or results).
 */
export function stopsOnErrors(file: string, program: CompiledProgram, json: boolean): boolean {
  printToStderr(program.diagnostics, program.files);
  if (errorCount(program) === 0) return false;
  if (json) printJson(programReport(file, program));
  return true;
}

export function printJson(document: unknown): void {
  process.stdout.write(JSON.stringify(document, null, 2) + '\n');
}

/** The diagnostics of `program` (or of no program: a file that could not be read) on stderr, with code frames. */
export function printDiagnostics(diagnostics: readonly Diagnostic[], program?: Pick<CompiledProgram, 'files'>): void {
  printToStderr(diagnostics, program?.files ?? []);
}
