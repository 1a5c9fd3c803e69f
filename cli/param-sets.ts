// `--set NAME=VALUE` and `--max-stages N` as the compiler takes them. Its own module: `ltx --help` and
// `ltx fmt` parse flags without loading the compiler.
import type { ParamOverride } from '../compiler/evaluate.ts';
import { DEFAULT_MAX_STAGES } from '../compiler/stage-budget.ts';
import { formatCount } from '../core/limits.ts';
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
