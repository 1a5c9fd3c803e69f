// `ltx cache gc [--keep PROGRAM.ltx]... [--keep-days N] [--dry-run]`: free what nothing needs and, when
// asked, the results of experiments nobody keeps; say what and how much. Without --keep or --keep-days
// every valid result stays (only garbage goes): a shared cache never loses what nobody named.
import { formatBytes } from '../../runtime/device-cache.ts';
import { CacheMaintenance, programIdentity, type GcReport, type RetentionPolicy, type Store } from '../../runtime/store/index.ts';
import { compileFile, errorCount, printDiagnostics, type CompileFlags } from '../compile-file.ts';
import { paint, table, useColor } from '../terminal.ts';
import { EXIT, UsageError } from '../usage.ts';

export interface GcFlags {
  /** Programs whose stages (and their inputs) are kept. */
  readonly keep: readonly string[];
  /** `--keep-days N` as typed. */
  readonly keepDays: string | undefined;
  readonly dryRun: boolean;
  /** `--set` and `--max-stages` for compiling the kept programs. */
  readonly compileFlags: CompileFlags;
  readonly json: boolean;
}

/** What the flags ask to keep, as said back to the user. */
interface Retention extends RetentionPolicy {
  readonly programs: readonly string[];
}

const DAY_MS = 24 * 3600_000;

export async function gcCommand(store: Store, flags: GcFlags): Promise<number> {
  const since = keepSince(flags.keepDays);
  const programs = await keptPrograms(flags.keep, flags.compileFlags);
  if (programs === undefined) return EXIT.invalid;
  const retention: Retention = {
    programs: programs.files,
    ...(programs.keys === undefined ? {} : { keep: programs.keys, keepRuns: programs.runs }),
    ...(since === undefined ? {} : { keepUsedSince: since }),
  };
  const report = await new CacheMaintenance(store).gc({ ...retention, dryRun: flags.dryRun });
  if (flags.json) {
    const policy = { programs: retention.programs, since: since?.toISOString() ?? null };
    process.stdout.write(JSON.stringify({ cache: store.root, policy, ...report }, null, 2) + '\n');
  } else {
    process.stdout.write(gcText(report, retention, store.root));
  }
  return EXIT.ok;
}

function keepSince(days: string | undefined): Date | undefined {
  if (days === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(days)) throw new UsageError(`ltx cache: --keep-days ${days}: expected a number of days (like 30)`);
  return new Date(Date.now() - Number(days) * DAY_MS);
}

/** The stage keys of every program to keep; undefined when one does not compile (its errors are printed). */
async function keptPrograms(files: readonly string[], compileFlags: CompileFlags): Promise<{ files: string[]; keys?: Set<string>; runs?: Set<string> } | undefined> {
  if (files.length === 0) return { files: [] };
  const keys = new Set<string>();
  const runs = new Set<string>();
  const identities: string[] = [];
  let failed = false;
  for (const file of files) {
    const program = await compileFile(file, compileFlags);
    printDiagnostics(program.diagnostics, program);
    if (errorCount(program) > 0) failed = true;
    for (const stage of program.stages) {
      keys.add(stage.key);
      if (stage.runPoint !== undefined) runs.add(stage.runPoint.run);
    }
    identities.push(await programIdentity(file));
  }
  if (failed) {
    process.stderr.write(`ltx: cache gc: nothing was removed: a program to keep has errors\n`);
    return undefined;
  }
  return { files: identities, keys, runs };
}

function gcText(report: GcReport, retention: Retention, root: string): string {
  const p = paint(useColor(process.stdout));
  const verb = report.dryRun ? 'would remove' : 'removed';
  const lines: string[] = [];
  if (report.removedRecords.length > 0) {
    const rows = report.removedRecords.map((r) => [
      r.key.slice(0, 12), r.name ?? p.dim('-'), r.op ?? p.dim('?'), formatBytes(r.bytes),
      r.date?.replace('T', ' ').slice(0, 19) ?? p.dim('-'), r.reason === 'broken' ? p.red('broken') : 'not kept',
    ]);
    lines.push(table(rows, ['KEY', 'NAME', 'OP', 'SIZE', 'FINISHED', 'WHY']), '');
  }
  lines.push(`kept ${report.keptRecords} result${report.keptRecords === 1 ? '' : 's'}: ${keptWhat(retention)}`);
  const results = report.removedRecords.length;
  lines.push(
    `${verb} ${results} result${results === 1 ? '' : 's'}, ${report.removedBlobs} unreferenced blob${report.removedBlobs === 1 ? '' : 's'}, ` +
      `${report.removedTmp} staging leftover${report.removedTmp === 1 ? '' : 's'}, ${report.removedClaims} stale claim${report.removedClaims === 1 ? '' : 's'}; ` +
      `${report.dryRun ? 'would free' : 'freed'} ${formatBytes(report.bytesFreed)} in ${root}`,
  );
  if (report.dryRun) lines.push(p.dim('dry run: nothing was deleted'));
  return lines.join('\n') + '\n';
}

function keptWhat(retention: Retention): string {
  const parts: string[] = [];
  if (retention.programs.length > 0) parts.push(`the stages of ${retention.programs.join(', ')} and their inputs`);
  if (retention.keepUsedSince !== undefined) parts.push(`what was computed or used since ${retention.keepUsedSince.toISOString().replace('T', ' ').slice(0, 16)} UTC and its inputs`);
  return parts.length > 0 ? parts.join('; ') : 'every valid result (name what to keep with --keep PROGRAM.ltx or --keep-days N to free old experiments)';
}
