// Diagnostics: one shape for every phase (lexing, parsing, resolution, schemas, stage building),
// printed as `FILE:LINE:COL: error: MESSAGE` with a code frame.
import type { SourceRange } from './source.ts';

export type Severity = 'error' | 'warning' | 'info';

export interface RelatedInformation {
  file: string;
  range: SourceRange;
  message: string;
}

export interface Diagnostic {
  severity: Severity;
  /** A stable machine-readable code from the catalog below. */
  code: DiagnosticCode;
  message: string;
  file: string;
  range: SourceRange;
  related?: RelatedInformation[];
}

/**
 * Every diagnostic code, with what it means. Codes are stable (editors and scripts match on them); a new
 * check gets a new code here rather than reusing a near one.
 */
export const DIAGNOSTIC_CODES = {
  'syntax': 'the text does not parse (lexer or parser)',
  'file-not-found': 'the program file cannot be read',
  'import-not-found': 'an imported file cannot be read',
  'import-cycle': 'files import each other in a circle',
  'import-in-loop': 'an import inside a for loop',
  'duplicate': 'a name declared twice',
  'shadowing': 'a loop variable hides a declaration of the same name',
  'indexed-param': 'a param with an index',
  'param-in-loop': 'a param inside a for loop',
  'cycle': 'declarations that depend on each other in a circle',
  'unknown-name': 'a name that no declaration, loop variable or param defines',
  'unknown-function': 'a call of a function the standard library does not have',
  'unknown-member': 'a member (.train, .mask, …) the value does not have',
  'unknown-layer': 'a layer name the model does not have',
  'unknown-hidden-layer': 'a hidden layer name (a representation probe\'s layer:) the model does not expose',
  'no-hidden-layers': 'a representation probe on a model that exposes no hidden layers',
  'unknown-epoch': 'epochs used where the dataset size is not known',
  'kind-mismatch': 'a declaration kind that does not fit its value',
  'type-mismatch': 'a value of the wrong type for its place',
  'schema': 'an argument that its function\'s schema refuses (range, enum, required, unknown name)',
  'missing-argument': 'a required argument left out',
  'duplicate-argument': 'an argument given twice',
  'too-many-positional': 'more positional arguments than the function takes',
  'duplicate-key': 'a record key given twice',
  'bad-index': 'an index that is not a whole number in range, or a missing member',
  'index-arity': 'a name indexed with another number of indices than it was declared with',
  'bad-iterable': 'a for loop over something that is not a range or a list',
  'bad-interval': 'a range whose end is before its start, or an every-interval that is not positive',
  'range-too-large': 'a range with more members than a program may have',
  'misplaced-range': 'a range where a single value is expected',
  'bad-quantity': 'a quantity with an unknown unit or used where it cannot be',
  'fractional-steps': 'a quantity that is not a whole number of steps',
  'not-integer': 'a fraction where a whole number is expected',
  'division-by-zero': 'integer division by zero',
  'step-out-of-range': 'a checkpoint step outside its run',
  'empty-run': 'a run that trains no step',
  'no-recipe': 'a checkpoint whose training recipe is needed but not known (give like:)',
  'no-mask': 'a mask asked of something that has none',
  'family-mismatch': 'two families whose members cannot be paired',
  'too-few-members': 'a family too short for its probe',
  'model-mismatch': 'weights, masks or data of different architectures combined',
  'data-mismatch': 'a model put on data it does not fit (input shape, classes, vocabulary, task)',
  'invalid-model': 'model arguments that describe no valid network',
  'specs': 'a model whose layers cannot be laid out',
  'not-finite': 'a number literal or arithmetic past what a double can hold',
  'too-many-steps': 'a step count past the steps a run may have',
  'invalid-dataset': 'dataset arguments that pass the schema but describe no usable data set',
  'data-file': 'a data file that is missing, a device, a FIFO, a directory, or too large',
  'model-too-large': 'a model with more weights than a model may have',
  'import-too-deep': 'imports nested deeper than the limit',
  'too-many-stages': 'a program that makes more stages (or loop iterations) than --max-stages',
  'too-deep': 'an expression nested deeper than the limit',
  'too-long': 'a file, name, string or number longer than the limit',
  'invalid': 'an argument that is well-typed but has no meaning here',
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;
