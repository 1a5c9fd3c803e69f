// Compile a program from the filesystem (or git) and print its diagnostics to stderr.
import { compile, type CompiledProgram } from '../compiler/compile.ts';
import type { ParamOverride } from '../compiler/evaluate.ts';
import { DEFAULT_MAX_STAGES } from '../compiler/stage-budget.ts';
import { formatCount } from '../core/limits.ts';
import type { CompileHost } from '../compiler/program-loader.ts';
import type { Diagnostic } from '../core/diagnostics.ts';
import { formatDiagnostic } from '../lang/print-diagnostic.ts';
import { standardLibrary } from '../stdlib/library.ts';
import { DatasetSizeCache } from './dataset-sizes.ts';
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

export async function compileFile(file: string, flags: CompileFlags, host: CompileHost = fileHost): Promise<CompiledProgram> {
  const sizes = new DatasetSizeCache(standardLibrary);
  const options = { host, sets: flags.sets, maxStages: flags.maxStages, library: standardLibrary, datasetSizes: sizes.lookup };
  let program = compile(file, options);
  if (await sizes.resolvePending()) program = compile(file, options);
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
