// Diagnostics: one shape for every phase (lexing, parsing, resolution, schemas, stage building),
// printed as `FILE:LINE:COL: error: MESSAGE` with a code frame.
import type { SourceRange } from './ast.ts';

export type Severity = 'error' | 'warning' | 'info';

export interface RelatedInformation {
  file: string;
  range: SourceRange;
  message: string;
}

export interface Diagnostic {
  severity: Severity;
  /** A stable machine-readable code, e.g. `syntax`, `unknown-name`, `type-mismatch`, `schema`. */
  code: string;
  message: string;
  file: string;
  range: SourceRange;
  related?: RelatedInformation[];
}
