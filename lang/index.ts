// The public API of the .ltx front end.
export * from './ast.ts';
export type { Diagnostic, RelatedInformation, Severity } from '../core/diagnostics.ts';
export { parseProgram, parseExpression, type ParseProgramResult, type ParseExpressionResult } from './parse.ts';
export { formatDiagnostic, formatDiagnostics, type FormatDiagnosticOptions } from './print-diagnostic.ts';
export { formatProgram, FORMAT_WIDTH } from './formatter.ts';
export { tokenize, KEYWORDS, type TokenizeResult } from './lexer.ts';
export { LineIndex } from './source-text.ts';
