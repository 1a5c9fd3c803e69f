// Places in program text, shared by the parser's AST, diagnostics and the stages that remember which
// declaration made them.

/** A position in a source file. `line` and `column` are 1-based; `offset` is 0-based (UTF-16 units). */
export interface Position {
  offset: number;
  line: number;
  column: number;
}

/** A half-open range [start, end) of source text. */
export interface SourceRange {
  start: Position;
  end: Position;
}

/** Where a value was declared: the file and the range of its expression. */
export interface Origin {
  file: string;
  range: SourceRange;
}
