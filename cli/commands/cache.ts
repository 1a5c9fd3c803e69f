// `ltx cache ls|verify|gc`: what the cache holds, whether it is intact, and removing what nothing needs.
import { resolve } from 'node:path';
import { formatBytes } from '../../runtime/device-cache.ts';
import { CacheMaintenance, DEFAULT_STORE_DIR, Store } from '../../runtime/store/index.ts';
import type { VerifyProblem } from '../../runtime/store/index.ts';
import { paint, table, useColor } from '../terminal.ts';
import { EXIT, UsageError } from '../usage.ts';

/** `--cache DIR`, else $LTX_CACHE, else .ltx-cache in the working directory. */
export function resolveCacheDir(flag: string | undefined): string {
  return resolve(flag ?? (process.env.LTX_CACHE || DEFAULT_STORE_DIR));
}

export const cacheActions = ['ls', 'verify', 'gc'] as const;

export async function cacheCommand(action: string, cacheFlag: string | undefined, json: boolean): Promise<number> {
  if (!(cacheActions as readonly string[]).includes(action)) {
    throw new UsageError(`ltx cache: unknown action '${action}' (actions: ${cacheActions.join(', ')})`);
  }
  const store = new Store(resolveCacheDir(cacheFlag));
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
    process.stdout.write(`${listing.entries.length} results, ${formatBytes(total)} in ${store.root}\n`);
    return EXIT.ok;
  }

  if (action === 'verify') {
    const report = await maintenance.verify();
    const problems = report.problems.map((problem) => ({ ...problem, file: problemFile(store, problem) }));
    if (json) {
      print({ cache: store.root, ...report, problems });
    } else {
      for (const problem of problems) {
        const where = problem.kind === 'invalid-record' ? '' : ` output '${problem.output}'`;
        process.stdout.write(`${p.red(problem.kind)}: stage ${problem.key}${where}: ${problem.detail}\n  file: ${problem.file}\n`);
      }
      const summary = `${report.records} results, ${report.blobs} blobs (${formatBytes(report.bytes)}) checked in ${store.root}`;
      process.stdout.write(report.ok ? `${p.green('ok')}: ${summary}\n` : `${problems.length} problem${problems.length === 1 ? '' : 's'}: ${summary}\n`);
    }
    return report.ok ? EXIT.ok : EXIT.invalid;
  }

  const report = await maintenance.gc();
  if (json) {
    print({ cache: store.root, ...report });
    return EXIT.ok;
  }
  process.stdout.write(
    `removed ${report.removedRecords.length} unreadable results, ${report.removedBlobs} unreferenced blobs, ` +
      `${report.removedTmp} staging leftovers, ${report.removedClaims} stale claims; freed ${formatBytes(report.bytesFreed)} in ${store.root}\n`,
  );
  for (const key of report.removedRecords) process.stdout.write(`  result ${key}\n`);
  return EXIT.ok;
}

/** The file a problem is about: the record, or the blob it points at. */
function problemFile(store: Store, problem: VerifyProblem): string {
  return problem.kind === 'invalid-record' ? store.layout.actionPath(problem.key) : store.layout.blobPath(problem.digest);
}
