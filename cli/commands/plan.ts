import type { ParamOverride } from '../../compiler/evaluate.ts';
import { plan, type CacheView } from '../../compiler/plan.ts';
import { compileFile, errorCount, printDiagnostics } from '../compile-file.ts';
import { paint, table, useColor } from '../terminal.ts';
import { EXIT } from '../usage.ts';

export async function planCommand(file: string, sets: ParamOverride[], json: boolean, cache: CacheView): Promise<number> {
  const program = await compileFile(file, sets);
  printDiagnostics(program.diagnostics, program);
  if (errorCount(program) > 0) return EXIT.invalid;
  const rows = plan(program, cache);
  if (json) {
    process.stdout.write(JSON.stringify({ file, stages: rows }, null, 2) + '\n');
    return EXIT.ok;
  }
  const p = paint(useColor(process.stdout));
  const body = rows.map((r) => [
    r.name, r.kind, r.op, r.id.slice(0, 12), r.status === 'cached' ? p.green('cached') : p.yellow('run'), p.dim(r.reason),
  ]);
  process.stdout.write(table(body, ['STAGE', 'KIND', 'OP', 'KEY', 'STATUS', 'WHY']) + '\n');
  const toRun = rows.filter((r) => r.status === 'run').length;
  process.stdout.write(`\n${rows.length} stages: ${rows.length - toRun} cached, ${toRun} to run\n`);
  return EXIT.ok;
}
