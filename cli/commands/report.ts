// `ltx report FILE --out DIR`: the standard plots of a program's probes on one self-contained HTML
// page (DIR/index.html), with the Vega-Lite spec of each plot beside it (DIR/specs/ID.vl.json) for
// whoever wants to restyle one. Read-only towards the cache; rows not computed yet show as pending.
import { join, resolve } from 'node:path';
import type { ParamOverride } from '../../compiler/evaluate.ts';
import { errorCode, writeFileAtomically } from '../../runtime/store/durable-fs.ts';
import { compileFile, stopsOnErrors } from '../compile-file.ts';
import { damagedRowsNote, readResults } from '../probe-results.ts';
import { figuresFor, type ProbeResults } from '../report/figures.ts';
import { reportPage, type RenderedFigure } from '../report/page.ts';
import { renderSvg } from '../report/render.ts';
import { plural } from '../terminal.ts';
import { EXIT, UsageError } from '../usage.ts';
import { openCache } from './cache.ts';
import packageJson from '../../package.json' with { type: 'json' };

export const DEFAULT_REPORT_DIR = 'report';

export async function reportCommand(file: string, sets: ParamOverride[], out: string | undefined, cacheFlag: string | undefined): Promise<number> {
  const program = await compileFile(file, sets);
  if (stopsOnErrors(file, program, false)) return EXIT.invalid;
  const results = await readResults(program, await openCache('report', cacheFlag), { series: true, provenance: true });
  const probes: ProbeResults[] = program.probes.map((table) => ({
    name: table.name, op: table.op, declarations: table.declarations, rows: results[table.name] ?? [],
  }));
  const figures = figuresFor(probes);
  const rendered: RenderedFigure[] = [];
  for (const figure of figures) rendered.push({ figure, svg: await renderSvg(figure.spec, figure.id) });
  const html = reportPage({ file, generatedAt: new Date(), ltxVersion: packageJson.version, figures: rendered, probes });

  const dir = resolve(out ?? DEFAULT_REPORT_DIR);
  const page = join(dir, 'index.html');
  // Atomic writes: a browser reloading the page never sees half a file.
  try {
    for (const figure of figures) await writeFileAtomically(join(dir, 'specs', `${figure.id}.vl.json`), JSON.stringify(figure.spec, null, 2) + '\n', dir);
    await writeFileAtomically(page, html, dir);
  } catch (error) {
    throw new UsageError(`ltx report: --out ${out ?? DEFAULT_REPORT_DIR}: cannot write the report there (${whyUnwritable(error)})`);
  }
  const rows = probes.flatMap((p) => p.rows);
  const pending = rows.filter((r) => r.status === 'pending').length;
  const failed = rows.filter((r) => r.status === 'failed').length;
  process.stdout.write(
    `wrote ${page}: ${plural(figures.length, 'plot')}, ${plural(probes.length, 'probe table')}` +
      (pending > 0 ? ` (${pending} of ${rows.length} rows pending: run 'ltx run ${file}' first)` : '') +
      (failed > 0 ? ` (${failed} of ${rows.length} rows failed: 'ltx results ${file}' says why)` : '') + '\n',
  );
  const damaged = damagedRowsNote(rows, file);
  if (damaged !== undefined) process.stderr.write(`ltx: ${damaged}\n`);
  return EXIT.ok;
}


const unwritableBecause: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file',
  EEXIST: 'it is a file, not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'a read-only file system',
  // What mkdir says under /proc, where no new name can be made although the parent exists.
  ENOENT: 'nothing can be created there',
};

function whyUnwritable(error: unknown): string {
  const code = errorCode(error);
  if (code === undefined) return (error as Error).message;
  const because = unwritableBecause[code];
  return because === undefined ? code : `${code}: ${because}`;
}
