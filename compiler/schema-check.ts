// Validation of a call's arguments against its signature's JSON Schema with ajv (all errors, defaults
// filled), and the mapping of each ajv error back to the source range of the argument it concerns.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { SourceRange } from '../lang/ast.ts';
import type { Signature } from '../core/op.ts';
import { describeType } from './values.ts';
import { closestName, didYouMean } from '../core/suggest.ts';
import { formatCount } from '../core/limits.ts';

/** A non-JSON argument (a run, a mask, a quantity, ...) as ajv sees it. */
export interface TypedPlaceholder {
  $ltx: string;
  $id?: number;
  amount?: number;
  unit?: string;
  name?: string;
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, strictTypes: false });

function typeAccepted(allowed: string[], actual: string, data: unknown): boolean {
  if (allowed.includes(actual)) return true;
  if (actual === 'init' && allowed.includes('checkpoint')) return true;
  // A lottery and a list `[a, b]` are families.
  if ((actual === 'lottery' || actual === 'list') && allowed.includes('family')) return true;
  // A plain number of steps is a quantity in steps.
  return allowed.includes('quantity') && typeof data === 'number' && Number.isInteger(data) && data >= 0;
}

function placeholderType(data: unknown): string {
  if (data !== null && typeof data === 'object' && !Array.isArray(data) && '$ltx' in data) {
    return String((data as TypedPlaceholder).$ltx);
  }
  if (Array.isArray(data)) return 'list';
  if (data === null) return 'null';
  if (typeof data === 'object') return 'record';
  return typeof data;
}

ajv.addKeyword({
  keyword: 'ltxType',
  schemaType: 'array',
  errors: true,
  validate: function ltxType(this: unknown, schema: string[], data: unknown): boolean {
    const actual = placeholderType(data);
    // An argument whose own error was reported already is not reported again.
    if (actual === 'error') return true;
    if (typeAccepted(schema, actual, data)) return true;
    (ltxType as unknown as { errors: Partial<ErrorObject>[] }).errors = [
      { keyword: 'ltxType', message: 'wrong type', params: { allowed: schema, actual } },
    ];
    return false;
  },
});

// By schema, not by name: two libraries may give one name different schemas (a test's toy op, a newer version).
const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(signature: Signature): ValidateFunction {
  let validate = compiled.get(signature.schema);
  if (!validate) {
    validate = ajv.compile(signature.schema);
    compiled.set(signature.schema, validate);
  }
  return validate;
}

/** Where each argument was written: the ranges diagnostics point at. */
export interface ArgumentSites {
  call: SourceRange;
  callee: SourceRange;
  /** Parameter name → range of the argument's value. */
  values: Map<string, SourceRange>;
  /** Parameter name → range of the argument's name (named arguments only). */
  names: Map<string, SourceRange>;
  /** Parameter name → ranges of list items or record entries, for errors inside them. */
  items: Map<string, SourceRange[]>;
  /** Parameter name → a word for the value as written (`m`, `dense`), for type errors. */
  spelled: Map<string, string>;
  /** Set when the arguments are already known to be broken (too many positional): skip "missing". */
  omitRequired?: boolean;
}

export interface SchemaProblem {
  range: SourceRange;
  message: string;
}

/** Validate (and fill defaults into) `args` in place. Returns one problem per distinct ajv error. */
export function checkArguments(signature: Signature, args: Record<string, unknown>, sites: ArgumentSites): SchemaProblem[] {
  const validate = validatorFor(signature);
  if (validate(args)) return [];
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  const errors = validate.errors ?? [];
  // `rtae: 20%` is reported as an unknown argument with "did you mean 'rate'?"; a second error saying
  // that `rate` is missing would only repeat it.
  const misspelled = new Set(errors.filter((e) => e.keyword === 'additionalProperties')
    .map((e) => closestName(String((e.params as { additionalProperty: string }).additionalProperty), properties(signature))));
  for (const error of errors) {
    if (error.keyword === 'required' && misspelled.has(String((error.params as { missingProperty: string }).missingProperty))) continue;
    if (error.keyword === 'required' && sites.omitRequired) continue;
    const problem = describeError(signature, error, sites, args);
    if (!problem) continue;
    const key = `${problem.range.start.offset}:${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

function properties(signature: Signature): string[] {
  return Object.keys((signature.schema.properties ?? {}) as object);
}

function describeError(signature: Signature, error: ErrorObject, sites: ArgumentSites, args: Record<string, unknown>): SchemaProblem | undefined {
  const fn = signature.name;
  const path = error.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (path.length === 0) {
    if (error.keyword === 'required') {
      const missing = String((error.params as { missingProperty: string }).missingProperty);
      return { range: sites.callee, message: `missing argument '${missing}' of ${fn}` };
    }
    if (error.keyword === 'additionalProperties') {
      const extra = String((error.params as { additionalProperty: string }).additionalProperty);
      return {
        range: sites.names.get(extra) ?? sites.call,
        message: `unknown argument '${extra}' of ${fn}${didYouMean(extra, properties(signature))}`,
      };
    }
    return { range: sites.call, message: `invalid arguments of ${fn}: ${error.message ?? error.keyword}` };
  }
  const param = path[0]!;
  let range = sites.values.get(param) ?? sites.call;
  const inner = path.slice(1);
  if (inner.length > 0) {
    const items = sites.items.get(param);
    const position = Number(inner[0]);
    if (items && Number.isInteger(position) && items[position]) range = items[position]!;
    else if (items && !Number.isInteger(position)) {
      // A record entry: records keep their ranges in key order.
      const record = args[param];
      if (record && typeof record === 'object') {
        const index = Object.keys(record as object).indexOf(inner[0]!);
        if (index >= 0 && items[index]) range = items[index]!;
      }
    }
  }
  const where = inner.length > 0 ? `${inner.join('.')} in argument '${param}'` : `argument '${param}'`;
  const subject = `${where} of ${fn}`;
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'ltxType': {
      const allowed = (p.allowed as string[]).map((t) => describeType(t as never));
      const actual = String(p.actual);
      const written = inner.length === 0 ? sites.spelled.get(param) : undefined;
      const got = actual === 'symbol' ? `the unknown name '${(valueAt(args, path) as TypedPlaceholder)?.name ?? ''}'`
        : written ? `${written} is ${describeType(actual as never)}` : `got ${describeType(actual as never)}`;
      return { range, message: `${subject} expects ${joinOr(allowed)}, but ${got}` };
    }
    case 'type': {
      const actualValue = valueAt(args, path);
      const actual = placeholderType(actualValue);
      if (actual === 'symbol') {
        return { range, message: `unknown name '${(actualValue as TypedPlaceholder).name}'` };
      }
      const expected = String(p.type) === 'integer' ? 'an integer' : describeType(String(p.type) as never);
      return { range, message: `${subject} must be ${expected}, but got ${describeType(actual as never)}` };
    }
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map(String);
      const actual = valueAt(args, path);
      const spelled = typeof actual === 'string' ? actual : (actual as TypedPlaceholder)?.name;
      return {
        range,
        message: `${subject} must be one of ${allowed.join(', ')}${spelled ? `, not '${spelled}'${didYouMean(spelled, allowed)}` : ''}`,
      };
    }
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum': {
      const words: Record<string, string> = { '>=': 'at least', '<=': 'at most', '>': 'greater than', '<': 'less than' };
      const got = valueAt(args, path);
      const percent = typeof got === 'number' && sites.spelled.get(param) === undefined && signatureIsFraction(signature, param)
        ? ` (${+(got * 100).toFixed(6)}%)` : '';
      const number = (value: unknown): string => (typeof value === 'number' ? formatCount(value) : String(value));
      return { range, message: `${subject} must be ${words[String(p.comparison)] ?? String(p.comparison)} ${number(p.limit)}, but it is ${number(got)}${percent}` };
    }
    case 'minItems':
      return { range, message: `${subject} needs at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}` };
    case 'maxItems':
      return { range, message: `${subject} takes at most ${String(p.limit)} items` };
    case 'minLength':
      return { range, message: `${subject} must not be empty` };
    case 'additionalProperties':
      return { range, message: `${subject} has an unknown entry '${String(p.additionalProperty)}'` };
    default:
      return { range, message: `${subject} ${error.message ?? 'is invalid'}` };
  }
}

function valueAt(args: Record<string, unknown>, path: string[]): unknown {
  let v: unknown = args;
  for (const part of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** Fractions (bounded by 0 and 1) are usually written as percentages: say both. */
function signatureIsFraction(signature: Signature, param: string): boolean {
  const schema = ((signature.schema.properties ?? {}) as Record<string, Record<string, unknown>>)[param];
  return schema?.type === 'number' && (schema.maximum === 1 || schema.exclusiveMaximum === 1);
}

function joinOr(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
