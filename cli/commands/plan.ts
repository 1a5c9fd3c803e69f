import type { Preimage } from '../../core/stage.ts';
import type { CompiledProgram } from '../../compiler/compile.ts';
import { plan, type CacheView } from '../../compiler/plan.ts';
import { cachedBackends } from '../../runtime/cache-survey.ts';
import { programIdentity, readProgramRuns, type Store } from '../../runtime/store/index.ts';
import { compileFile, printJson, stopsOnErrors, type CompileFlags } from '../compile-file.ts';
import { paint, plural, table, useColor } from '../terminal.ts';
import { EXIT } from '../usage.ts';
import { openCache } from './cache.ts';

export async function planCommand(file: string, compileFlags: CompileFlags, json: boolean, cacheFlag: string | undefined): Promise<number> {
  const program = await compileFile(file, compileFlags);
  if (stopsOnErrors(file, program, json)) return EXIT.invalid;
  const rows = plan(program, await storeCacheView(await openCache('plan', cacheFlag), program));
  if (json) {
    printJson({ file, stages: rows });
    return EXIT.ok;
  }
  const p = paint(useColor(process.stdout));
  const body = rows.map((r) => [
    r.name, r.kind, r.op, r.id.slice(0, 12), r.status === 'cached' ? p.green('cached') : p.yellow('run'), r.backend ?? '', p.dim(r.reason),
  ]);
  process.stdout.write(table(body, ['STAGE', 'KIND', 'OP', 'KEY', 'STATUS', 'BACKEND', 'WHY']) + '\n');
  const toRun = rows.filter((r) => r.status === 'run').length;
  process.stdout.write(`\n${plural(rows.length, 'stage')}: ${rows.length - toRun} cached, ${toRun} to run\n`);
  return EXIT.ok;
}

/**
 * What the store knows, read up front (plan() asks synchronously): which stages have results, and for
 * the others the preimage of the stage the same declaration had at this program file's last run, to
 * say which field changed. Read-only: no claims, nothing written.
 */
export async function storeCacheView(store: Store, program: CompiledProgram): Promise<CacheView> {
  const cached = await cachedBackends(store, program.stages);
  const lastRun = (await readProgramRuns(store, await programIdentity(program.entry)))?.stages ?? {};
  const previous = new Map<string, Preimage>();
  for (const stage of program.stages) {
    const entry = lastRun[stage.name];
    if (cached.has(stage.key) || entry === undefined || entry.op !== stage.op) continue;
    const preimage = await store.preimageOf(entry.key);
    if (preimage !== undefined) previous.set(stage.name, preimage as unknown as Preimage);
  }
  return { isCached: (key) => cached.has(key), backendOf: (key) => cached.get(key), previousPreimage: (name) => previous.get(name) };
}
