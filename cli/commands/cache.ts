// `ltx cache ls|verify|gc`: what the cache holds, whether it is intact, and removing what nothing needs
// (gc: cache-gc.ts).
import { resolve } from 'node:path';
import { formatBytes } from '../../runtime/device-cache.ts';
import { CacheMaintenance, DEFAULT_STORE_DIR, NotACacheError, Store } from '../../runtime/store/index.ts';
import type { VerifyProblem } from '../../runtime/store/index.ts';
import { paint, plural, table, useColor } from '../terminal.ts';
import { EXIT, UsageError } from '../usage.ts';
import type { GcFlags } from './cache-gc.ts';

/** Where the cache is, and who said so (for messages about it). */
export interface CacheLocation {
  readonly root: string;
  readonly origin: string;
}

/** `--cache DIR`, else $LTX_CACHE, else .ltx-cache in the working directory. */
export function cacheLocation(flag: string | undefined): CacheLocation {
  if (flag !== undefined) return { root: resolve(flag), origin: `--cache ${flag}` };
  const fromEnvironment = process.env.LTX_CACHE;
  if (fromEnvironment) return { root: resolve(fromEnvironment), origin: `LTX_CACHE=${fromEnvironment}` };
  return { root: resolve(DEFAULT_STORE_DIR), origin: `the default cache ${DEFAULT_STORE_DIR}` };
}

/**
 * The store of `ltx COMMAND`, looked at before anything reads it: a cache that does not exist yet reads
 * as empty; a file or a directory that ltx did not make is a usage error naming where the path came
 * from; a damaged or unreadable cache throws the store's error (exit status 1).
 */
export async function openCache(command: string, flag: string | undefined): Promise<Store> {
  const location = cacheLocation(flag);
  const store = new Store(location.root);
  try {
    await store.assertReadable();
  } catch (error) {
    if (!(error instanceof NotACacheError)) throw error;
    throw new UsageError(`ltx ${command}: ${location.origin}: not an ltx cache (${error.why}); name a new or empty directory, or an existing ltx cache`);
  }
  return store;
}

export const cacheActions = ['ls', 'verify', 'gc'] as const;

export interface CacheFlags extends Omit<GcFlags, 'keep'> {
  readonly cache: string | undefined;
  readonly repair: boolean;
  readonly keep: readonly string[] | undefined;
}

export async function cacheCommand(action: string, flags: CacheFlags): Promise<number> {
  if (!(cacheActions as readonly string[]).includes(action)) {
    throw new UsageError(`ltx cache: unknown action '${action}' (actions: ${cacheActions.join(', ')})`);
  }
  const { json, repair } = flags;
  if (repair && action !== 'verify') throw new UsageError(`ltx cache: --repair goes with verify, not ${action}`);
  if (action !== 'gc') {
    const gcOnly = [
      ['--keep', flags.keep !== undefined], ['--keep-days', flags.keepDays !== undefined], ['--dry-run', flags.dryRun],
      ['--set', flags.compileFlags.sets.length > 0], ['--max-stages', flags.compileFlags.maxStages !== undefined],
    ] as const;
    for (const [flag, given] of gcOnly) if (given) throw new UsageError(`ltx cache: ${flag} goes with gc, not ${action}`);
  }
  const store = await openCache('cache', flags.cache);
  if (action === 'gc') {
    // Loaded here: gc --keep compiles programs, which ls and verify never do.
    const { gcCommand } = await import('./cache-gc.ts');
    return gcCommand(store, { ...flags, keep: flags.keep ?? [] });
  }
  const maintenance = new CacheMaintenance(store);
  const p = paint(useColor(process.stdout));
  const print = (doc: unknown) => process.stdout.write(JSON.stringify(doc, null, 2) + '\n');

  if (action === 'ls') {
    const listing = await maintenance.ls();
    if (json) {
      print({ cache: store.root, ...listing });
      return EXIT.ok;
    }
    const rows = listing.entries.map((e) => [e.key.slice(0, 12), e.name ?? p.dim('-'), e.op, formatBytes(e.bytes), e.date.replace('T', ' ').slice(0, 19)]);
    if (rows.length > 0) process.stdout.write(table(rows, ['KEY', 'NAME', 'OP', 'SIZE', 'FINISHED']) + '\n\n');
    for (const u of listing.unreadable) process.stdout.write(`${p.red('unreadable')} ${u.key}: ${u.reason}\n`);
    const total = listing.entries.reduce((sum, e) => sum + e.bytes, 0);
    process.stdout.write(`${plural(listing.entries.length, 'result')}, ${formatBytes(total)} in ${store.root}\n`);
    return EXIT.ok;
  }

  const report = await maintenance.verify();
  const problems = report.problems.map((problem) => ({ ...problem, file: problemFile(store, problem) }));
  const repaired = repair ? await maintenance.repair(report.problems) : undefined;
  if (json) {
    print({ cache: store.root, ...report, problems, ...(repaired === undefined ? {} : { repaired }) });
  } else {
    for (const problem of problems) {
      const where = problem.kind === 'invalid-record' ? '' : ` output '${problem.output}'`;
      process.stdout.write(`${p.red(problem.kind)}: stage ${problem.key}${where}: ${problem.detail}\n  file: ${problem.file}\n`);
    }
    const summary = `${report.records} results, ${report.blobs} blobs (${formatBytes(report.bytes)}) checked in ${store.root}`;
    process.stdout.write(report.ok ? `${p.green('ok')}: ${summary}\n` : `${problems.length} problem${problems.length === 1 ? '' : 's'}: ${summary}\n`);
    if (repaired !== undefined && !report.ok) {
      process.stdout.write(`repaired: removed ${repaired.removedRecords.length} damaged results and ${repaired.removedBlobs} damaged blobs; ` +
        `'ltx run' computes those stages again\n`);
    } else if (!report.ok) {
      process.stdout.write(`'ltx cache verify --repair' removes the damaged entries, so that 'ltx run' computes them again\n`);
    }
  }
  return report.ok || repaired !== undefined ? EXIT.ok : EXIT.invalid;
}

/** The file a problem is about: the record, or the blob it points at. */
function problemFile(store: Store, problem: VerifyProblem): string {
  return problem.kind === 'invalid-record' ? store.layout.actionPath(problem.key) : store.layout.blobPath(problem.digest);
}
