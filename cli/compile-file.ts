// Compile a program from the filesystem (or git) and print its diagnostics to stderr.
import { dirname, resolve } from 'node:path';
import { compile, type CompiledProgram } from '../compiler/compile.ts';
import type { ParamOverride } from '../compiler/evaluate.ts';
import { DEFAULT_MAX_STAGES } from '../compiler/stage-budget.ts';
import { formatCount } from '../core/limits.ts';
import type { CompileHost } from '../compiler/program-loader.ts';
import type { Diagnostic } from '../core/diagnostics.ts';
import { formatDiagnostic } from '../lang/print-diagnostic.ts';
import { standardLibrary } from '../stdlib/library.ts';
import { DatasetContentCache } from './dataset-content.ts';
import { DatasetSizeCache } from './dataset-sizes.ts';
import { FileDigests } from './file-digests.ts';
import { fileHost } from './host.ts';
import { useColor } from './terminal.ts';
import { UsageError } from './usage.ts';

/** What the command line says about compiling a program: `--set NAME=VALUE`, `--max-stages N`. */
export interface CompileFlags {
  sets: ParamOverride[];
  maxStages?: number;
}

export function parseSets(sets: string[] | undefined): ParamOverride[] {
  return (sets ?? []).map((s) => {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set ${s}: expected NAME=VALUE`);
    return { name: s.slice(0, eq).trim(), value: s.slice(eq + 1) };
  });
}

/** `--max-stages N`: a whole number of at least 1 (exit status 2 otherwise). */
export function parseMaxStages(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`--max-stages ${value}: expected a whole number of stages of at least 1 (the default is ${formatCount(DEFAULT_MAX_STAGES)})`);
  }
  return n;
}

/**
 * Compiles twice when the program has datasets: the first compile asks for what only their files tell
 * (sizes, digests), which is read in between. `programDir` is where relative data paths lead: the entry
 * file's directory (for a program read from git, that directory in the working tree).
 */
export async function compileFile(file: string, flags: CompileFlags, host: CompileHost = fileHost, programDir = dirname(resolve(file))): Promise<CompiledProgram> {
  const digests = new FileDigests();
  const sizes = new DatasetSizeCache(standardLibrary, programDir);
  const contents = new DatasetContentCache(standardLibrary, programDir, digests);
  const options = {
    host, sets: flags.sets, maxStages: flags.maxStages, library: standardLibrary, datasetSizes: sizes.lookup, datasetContent: contents.lookup,
  };
  let program = compile(file, options);
  const learnedSizes = await sizes.resolvePending();
  const learnedContents = await contents.resolvePending();
  digests.save();
  if (learnedSizes || learnedContents) program = compile(file, options);
  if (program.usageErrors.length > 0) throw new UsageError(program.usageErrors.join('\n'));
  return program;
}

export function printDiagnostics(diagnostics: Diagnostic[], program: CompiledProgram | undefined, sources?: Map<string, string>): void {
  const color = useColor(process.stderr);
  const texts = new Map(sources ?? []);
  for (const f of program?.files ?? []) texts.set(f.path, f.text);
  for (const d of diagnostics) {
    process.stderr.write(formatDiagnostic(d, texts.get(d.file) ?? fileHost.readFile(d.file), { color }) + '\n');
  }
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  if (errors > 1) process.stderr.write(`${errors} errors\n`);
}

export function errorCount(program: CompiledProgram): number {
  return program.diagnostics.filter((d) => d.severity === 'error').length;
}
