// An op's parameters with its schema's defaults filled in, as the compiler fills them before hashing.
// For code that calls an op's implementation without compiling a program (tests, tools, a preset
// spelled out as its general op): the schema stays the only place a default is written.
import { Ajv, type ValidateFunction } from 'ajv';
import type { OpParams, Signature } from './op.ts';

// `ltxType` is the compiler's keyword for values that are not plain JSON (models, runs, quantities);
// here it only annotates, so such arguments pass as they are.
const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, strictTypes: false });
ajv.addKeyword({ keyword: 'ltxType', schemaType: 'array' });

const validators = new WeakMap<object, ValidateFunction>();

function validatorFor(signature: Signature): ValidateFunction {
  let validate = validators.get(signature.schema);
  if (!validate) {
    validate = ajv.compile(signature.schema);
    validators.set(signature.schema, validate);
  }
  return validate;
}

/**
 * A copy of `params` with every absent parameter that has a default set to it. Only fills: whether the
 * values fit the schema is for the compiler to say, and for the op's own readers of its parameters.
 */
export function withDefaults(signature: Signature, params: OpParams): OpParams {
  const filled = structuredClone(params);
  // ajv fills the defaults of an object's absent properties before it checks any of them, and with
  // allErrors it visits every property whatever fails, so the verdict can be ignored.
  validatorFor(signature)(filled);
  return filled;
}
