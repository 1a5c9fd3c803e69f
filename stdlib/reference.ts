// The standard-library reference of docs/language.md, rendered from the op modules of the Library
// themselves so that the documentation cannot drift from what the compiler accepts (a test compares them).
import type { Library } from '../core/library.ts';
import { standardLibrary } from './library.ts';
import { formatCount } from '../core/limits.ts';
import type { Category, JsonSchema, Signature } from './signature.ts';

const SECTIONS: { category: Category; title: string }[] = [
  { category: 'dataset', title: 'Datasets' },
  { category: 'model', title: 'Models' },
  { category: 'init', title: 'Initializations' },
  { category: 'optimizer', title: 'Optimizers' },
  { category: 'schedule', title: 'Learning-rate schedules' },
  { category: 'training', title: 'Training' },
  { category: 'pruning', title: 'Pruning, rewinding and controls' },
  { category: 'lottery', title: 'Lottery sugar' },
  { category: 'probe', title: 'Probes' },
];

function typeOf(schema: JsonSchema): string {
  if (Array.isArray(schema.ltxType)) {
    return (schema.ltxType as string[]).map((t) => (t === 'quantity' ? 'steps or epochs' : t)).join(' or ');
  }
  if (Array.isArray(schema.enum)) return (schema.enum as string[]).join(' or ');
  if (schema.type === 'array') {
    const items = (schema.items ?? {}) as JsonSchema;
    const itemBounds = bounds(items);
    return `[${typeOf(items)}${itemBounds ? ` (${itemBounds})` : ''}]`;
  }
  if (schema.type === 'object') return `{layer: ${typeOf((schema.additionalProperties ?? {}) as JsonSchema)}}`;
  return String(schema.type ?? 'any');
}

function bounds(schema: JsonSchema): string {
  const parts: string[] = [];
  const number = (value: unknown): string => (typeof value === 'number' ? formatCount(value) : String(value));
  if (schema.minimum !== undefined) parts.push(`≥ ${number(schema.minimum)}`);
  if (schema.exclusiveMinimum !== undefined) parts.push(`> ${number(schema.exclusiveMinimum)}`);
  if (schema.maximum !== undefined) parts.push(`≤ ${number(schema.maximum)}`);
  if (schema.exclusiveMaximum !== undefined) parts.push(`< ${number(schema.exclusiveMaximum)}`);
  if (schema.minItems !== undefined) parts.push(`at least ${number(schema.minItems)} item(s)`);
  if (schema.maxItems !== undefined) parts.push(`at most ${number(schema.maxItems)} items`);
  return parts.join(', ');
}

function defaultOf(schema: JsonSchema): string {
  if (!('default' in schema)) return '';
  const d = schema.default as unknown;
  if (d && typeof d === 'object' && '$ltx' in (d as object)) {
    const q = d as { amount: number; unit: string };
    return `${q.amount} ${q.unit}`;
  }
  return typeof d === 'string' ? d : JSON.stringify(d);
}

function renderSignature(sig: Signature): string {
  const props = (sig.schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((sig.schema.required ?? []) as string[]);
  const head = Object.keys(props).map((p) => (sig.positional.includes(p) ? p : `${p}:`)).join(', ');
  const lines = [
    `### \`${sig.name}(${head})\` → ${sig.returns}`,
    '',
    sig.summary,
    '',
    '| parameter | type | default | meaning |',
    '|---|---|---|---|',
  ];
  for (const [name, schema] of Object.entries(props)) {
    const position = sig.positional.indexOf(name);
    const label = `\`${name}\`${position >= 0 ? ` (positional ${position + 1})` : ''}`;
    const bound = bounds(schema);
    const def = required.has(name) ? '*required*' : defaultOf(schema) || '—';
    lines.push(`| ${label} | ${typeOf(schema)}${bound ? ` (${bound})` : ''} | ${def} | ${String(schema.description ?? '')} |`);
  }
  lines.push('', `Implementation version ${sig.version}.`);
  return lines.join('\n');
}

export function renderReference(library: Library = standardLibrary): string {
  const out: string[] = [];
  for (const { category, title } of SECTIONS) {
    out.push(`## ${title}`, '');
    for (const op of library.ops.values()) if (op.category === category) out.push(renderSignature(op), '');
  }
  return out.join('\n').trimEnd() + '\n';
}

export const REFERENCE_START = '<!-- reference:start (generated from the op modules of stdlib/library.ts by `npm run docs`; do not edit) -->';
export const REFERENCE_END = '<!-- reference:end -->';
