import type { Preimage } from '../../core/stage.ts';
import type { CompiledProgram } from '../../compiler/compile.ts';
import type { ParamOverride } from '../../compiler/evaluate.ts';
import { plan, type CacheView } from '../../compiler/plan.ts';
import { cachedKeys } from '../../runtime/cache-survey.ts';
import type { Store } from '../../runtime/store/index.ts';
import { compileFile, printJson, stopsOnErrors } from '../compile-file.ts';
import { paint, plural, table, useColor } from '../terminal.ts';
import { EXIT } from '../usage.ts';
import { openCache } from './cache.ts';

export async function planCommand(file: string, sets: ParamOverride[], json: boolean, cacheFlag: string | undefined): Promise<number> {
  const program = await compileFile(file, sets);
  if (stopsOnErrors(file, program, json)) return EXIT.invalid;
  const rows = plan(program, await storeCacheView(await openCache('plan', cacheFlag), program));
  if (json) {
    printJson({ file, stages: rows });
    return EXIT.ok;
  }
  const p = paint(useColor(process.stdout));
  const body = rows.map((r) => [
    r.name, r.kind, r.op, r.id.slice(0, 12), r.status === 'cached' ? p.green('cached') : p.yellow('run'), p.dim(r.reason),
  ]);
  process.stdout.write(table(body, ['STAGE', 'KIND', 'OP', 'KEY', 'STATUS', 'WHY']) + '\n');
  const toRun = rows.filter((r) => r.status === 'run').length;
  process.stdout.write(`\n${plural(rows.length, 'stage')}: ${rows.length - toRun} cached, ${toRun} to run\n`);
  return EXIT.ok;
}

/**
 * What the store knows, read up front (plan() asks synchronously): which stages have results, and for
 * the others the preimage last committed under the same name and op, to say which field changed.
 * Read-only: no claims, nothing written.
 */
export async function storeCacheView(store: Store, program: CompiledProgram): Promise<CacheView> {
  const cached = await cachedKeys(store, program.stages);
  const previous = new Map<string, Preimage>();
  for (const stage of program.stages) {
    if (cached.has(stage.key) || previous.has(stage.name)) continue;
    const record = await store.findByPreimageShape({ name: stage.name, op: stage.op });
    if (record !== undefined) previous.set(stage.name, record.preimage as unknown as Preimage);
  }
  return { isCached: (key) => cached.has(key), previousPreimage: (name) => previous.get(name) };
}
