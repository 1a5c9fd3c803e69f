// `--set NAME=VALUE` flags as the compiler takes them. Its own module: `ltx --help` and `ltx fmt` parse
// flags without loading the compiler.
import type { ParamOverride } from '../compiler/evaluate.ts';
import { UsageError } from './usage.ts';

export function parseSets(sets: string[] | undefined): ParamOverride[] {
  return (sets ?? []).map((s) => {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set ${s}: expected NAME=VALUE`);
    return { name: s.slice(0, eq).trim(), value: s.slice(eq + 1) };
  });
}
