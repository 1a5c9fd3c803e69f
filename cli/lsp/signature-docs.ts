// What the editor shows of a standard-library function, read from its signature: the summary, each
// parameter's type, default and description (the schema is the only place defaults live), and a
// snippet of the call with its required arguments.
import type { JsonSchema, OpModule } from '../../core/op.ts';

export interface ParameterDoc {
  name: string;
  type: string;
  required: boolean;
  /** The default as ltx would write it; absent when there is none. */
  default?: string;
  description: string;
  /** The values an enum parameter takes. */
  values?: string[];
}

export function parametersOf(op: OpModule): ParameterDoc[] {
  const properties = (op.schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((op.schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, schema]) => ({
    name,
    type: typeOf(schema),
    required: required.has(name),
    ...(schema.default === undefined ? {} : { default: writeValue(schema.default) }),
    description: typeof schema.description === 'string' ? schema.description : '',
    ...(Array.isArray(schema.enum) ? { values: schema.enum.map(String) } : {}),
  }));
}

function typeOf(schema: JsonSchema): string {
  if (Array.isArray(schema.ltxType)) return (schema.ltxType as string[]).join(' | ');
  if (Array.isArray(schema.enum)) return schema.enum.map(String).join(' | ');
  if (Array.isArray(schema.anyOf ?? schema.oneOf)) return ((schema.anyOf ?? schema.oneOf) as JsonSchema[]).map(typeOf).join(' | ');
  if (schema.type === 'array') return `list of ${schema.items ? typeOf(schema.items as JsonSchema) : 'values'}`;
  if (schema.type === 'object') return 'record';
  return typeof schema.type === 'string' ? schema.type : 'value';
}

/** A default in ltx's notation: `500 steps`, `[]`, `relu`. */
function writeValue(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && (value as { $ltx?: string }).$ltx === 'quantity') {
    const q = value as { amount: number; unit: string };
    return `${q.amount} ${q.unit}`;
  }
  if (Array.isArray(value)) return `[${value.map(writeValue).join(', ')}]`;
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** The function's documentation in Markdown: signature line, summary, parameters. */
export function functionMarkdown(op: OpModule): string {
  const params = parametersOf(op);
  const head = `${op.name}(${params.map((p) => (p.required ? p.name : `${p.name}?`)).join(', ')}) → ${op.returns}`;
  const lines = params.map((p) => `- \`${p.name}\`: ${p.type}${p.required ? ' (required)' : ''}${p.default === undefined ? '' : `, default \`${p.default}\``}${p.description ? ` — ${p.description}` : ''}`);
  return ['```ltx', head, '```', op.summary, '', ...lines].join('\n');
}

export function parameterMarkdown(op: OpModule, param: ParameterDoc): string {
  const detail = `${param.type}${param.required ? ', required' : ''}${param.default === undefined ? '' : `, default \`${param.default}\``}`;
  return [`\`${param.name}\` of \`${op.name}\`: ${detail}`, param.description].filter(Boolean).join('\n\n');
}

/** `fit(${1:weights}, data: ${2:data}, …)`: the required arguments, positional ones first, as a snippet. */
export function callSnippet(op: OpModule): string {
  const required = parametersOf(op).filter((p) => p.required);
  const positional = op.positional.filter((name) => required.some((p) => p.name === name));
  const named = required.filter((p) => !positional.includes(p.name));
  let stop = 0;
  const parts = [
    ...positional.map((name) => `\${${++stop}:${name}}`),
    ...named.map((p) => `${p.name}: \${${++stop}:${p.values?.[0] ?? p.name}}`),
  ];
  return `${op.name}(${parts.join(', ')}${parts.length === 0 ? '$0' : ''})`;
}
