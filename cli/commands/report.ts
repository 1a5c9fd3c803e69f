// `ltx report FILE --out DIR`: the standard plots of a program's probes and of its runs' training curves on one
// self-contained HTML page (DIR/index.html), with the Vega-Lite spec of each plot beside it (DIR/specs/ID.vl.json)
// for whoever wants to restyle one. Read-only towards the cache; rows not computed yet show as pending.
import { join, resolve } from 'node:path';
import { writeFileAtomically } from '../../runtime/store/durable-fs.ts';
import { standardLibrary } from '../../stdlib/library.ts';
import { compileFile, printJson, stopsOnErrors, type CompileFlags } from '../compile-file.ts';
import { damagedRowsNote, readResults } from '../probe-results.ts';
import { curveFigures } from '../report/curve-figures.ts';
import { figuresFor, type ProbeResults } from '../report/figures.ts';
import { reportPage, type RenderedFigure } from '../report/page.ts';
import { renderSvg } from '../report/render.ts';
import { readCurves } from '../training-curves.ts';
import { whyUnwritable } from '../unwritable.ts';
import { plural } from '../terminal.ts';
import { EXIT, UsageError } from '../usage.ts';
import { openCache } from './cache.ts';
import packageJson from '../../package.json' with { type: 'json' };

export const DEFAULT_REPORT_DIR = 'report';

export async function reportCommand(file: string, compileFlags: CompileFlags, out: string | undefined, cacheFlag: string | undefined): Promise<number> {
  const program = await compileFile(file, compileFlags);
  if (stopsOnErrors(file, program, false)) return EXIT.invalid;
  const store = await openCache('report', cacheFlag);
  const results = await readResults(program, store, { series: true, provenance: true });
  const probes: ProbeResults[] = program.probes.map((table) => ({
    name: table.name, op: table.op, declarations: table.declarations, rows: results[table.name] ?? [],
  }));
  const figures = [...figuresFor(probes, standardLibrary), ...curveFigures(await readCurves(program, store))];
  const rendered: RenderedFigure[] = [];
  for (const figure of figures) rendered.push({ figure, svg: await renderSvg(figure.spec, figure.id) });
  const html = reportPage({ file, generatedAt: new Date(), ltxVersion: packageJson.version, figures: rendered, probes, library: standardLibrary });

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
