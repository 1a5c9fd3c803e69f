// Hover: a function's documentation on its name, a parameter's on an argument name, and on a declared
// name its declaration, kind and type, its stages' keys, whether the cache has them, and a probe's
// latest values.
import type { Hover } from 'vscode-languageserver';
import type { CompiledProgram } from '../../compiler/compile.ts';
import { occurrenceAt, type DeclarationSite } from '../../compiler/symbols.ts';
import type { Node, SourceRange } from '../../lang/ast.ts';
import { nodesAt } from '../../lang/syntax-walk.ts';
import type { Store } from '../../runtime/store/index.ts';
import { viewOf, type ServerContext } from './context.ts';
import { toLspRange } from './positions.ts';
import { functionMarkdown, parameterMarkdown, parametersOf } from './signature-docs.ts';
import { KIND_TYPES, UNIT_DOCS } from './vocabulary.ts';

/** Probe rows whose values a hover lists. */
const SHOWN_ROWS = 6;

export async function hover(context: ServerContext, path: string, offset: number): Promise<Hover | null> {
  const view = viewOf(context, path);
  if (!view) return null;
  const nodes = nodesAt(view.file.program, offset);
  const innermost = nodes[nodes.length - 1]!;
  const parent = nodes[nodes.length - 2];
  const answer = (markdown: string, range: SourceRange): Hover => ({ contents: { kind: 'markdown', value: markdown }, range: toLspRange(range) });

  if (innermost.type === 'Identifier' && parent?.type === 'Call' && parent.callee === innermost) {
    const op = context.library.op(innermost.name);
    return op ? answer(functionMarkdown(op), innermost.range) : null;
  }
  if (innermost.type === 'Identifier' && parent?.type === 'Argument' && parent.name === innermost) {
    const call = nodes[nodes.length - 3];
    const op = call?.type === 'Call' ? context.library.op(call.callee.name) : undefined;
    const param = op && parametersOf(op).find((p) => p.name === innermost.name);
    return op && param ? answer(parameterMarkdown(op, param), innermost.range) : null;
  }
  const quantity = [...nodes].reverse().find((n): n is Extract<Node, { type: 'Quantity' }> => n.type === 'Quantity');
  if (quantity && offset >= quantity.unitRange.start.offset && offset <= quantity.unitRange.end.offset) {
    return answer(UNIT_DOCS[quantity.unit]!, quantity.unitRange);
  }

  const occurrence = occurrenceAt(view.symbols, path, offset);
  if (!occurrence) return null;
  if (occurrence.role === 'loop-variable') {
    const loop = occurrence.loop!;
    const iterable = view.file.text.slice(loop.iterable.range.start.offset, loop.iterable.range.end.offset);
    return answer(`loop variable \`${occurrence.name}\` in \`${iterable}\``, occurrence.range);
  }
  const sites = view.symbols.declarations.get(occurrence.name) ?? [];
  if (sites.length === 0) return null;
  const program = await context.diagnostics.programFor(path);
  const parts = [declarationMarkdown(context, sites, path), await stagesMarkdown(program, occurrence.name, context.storeFor(path))];
  return answer(parts.filter(Boolean).join('\n\n'), occurrence.range);
}

function declarationMarkdown(context: ServerContext, sites: DeclarationSite[], path: string): string {
  const shown = sites.slice(0, 3).map((site) => {
    const text = context.workspace.parsed(site.file)?.text ?? '';
    const source = text.slice(site.declaration.range.start.offset, site.declaration.range.end.offset);
    const firstLine = source.split(/\r?\n/)[0]!;
    return firstLine.length < source.length ? `${firstLine} …` : source;
  });
  const first = sites[0]!;
  const where = first.file === path ? `line ${first.range.start.line}` : `${first.file}:${first.range.start.line}`;
  const more = sites.length > 3 ? `\n(and ${sites.length - 3} more declarations)` : '';
  return ['```ltx', ...shown, '```', `**${first.kind}** — ${KIND_TYPES[first.kind]}; declared at ${where}${more}`].join('\n');
}

/** The stages a declaration compiles to: key prefixes, how many the cache has, a probe's values. */
async function stagesMarkdown(program: CompiledProgram | undefined, name: string, store: Store | undefined): Promise<string> {
  if (!program) return '';
  const outputs = program.declarations.filter((d) => d.name === name);
  const keys = [...new Set(outputs.flatMap((d) => d.stages))];
  if (keys.length === 0) return '';
  const records = await Promise.all(keys.map(async (key) => {
    try {
      return await store?.lookup(key);
    } catch {
      return undefined;
    }
  }));
  const cached = records.filter((r) => r !== undefined).length;
  const shownKeys = keys.slice(0, 3).map((k) => `\`${k.slice(0, 12)}\``).join(', ') + (keys.length > 3 ? ', …' : '');
  const status = store === undefined ? 'no cache to look in' : `${cached} of ${keys.length} cached`;
  const lines = [`${keys.length === 1 ? 'stage' : `${keys.length} stages`} ${shownKeys} — ${status}`];
  const table = program.probes.find((p) => p.name === name);
  if (table) {
    const byKey = new Map(keys.map((key, i) => [key, records[i]]));
    for (const row of table.rows.slice(0, SHOWN_ROWS)) {
      const metrics = byKey.get(row.stage)?.metrics;
      const values = metrics === undefined ? 'not computed yet'
        : Object.entries(metrics).filter(([, v]) => typeof v === 'number').slice(0, 4).map(([k, v]) => `${k} ${formatMetric(v as number)}`).join(', ');
      lines.push(`- ${row.name}${Object.keys(row.index).length ? ` (${Object.entries(row.index).map(([k, v]) => `${k}=${v}`).join(', ')})` : ''}: ${values}`);
    }
    if (table.rows.length > SHOWN_ROWS) lines.push(`- … ${table.rows.length - SHOWN_ROWS} more rows (\`ltx results\`)`);
  }
  return lines.join('\n');
}

function formatMetric(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}
