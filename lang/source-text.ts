// Offsets ↔ line/column for one source text. Line breaks are `\n`, `\r\n` and a lone `\r`, the
// same set the Chevrotain lexer counts, so positions computed here agree with token positions.
import type { Position, SourceRange } from './ast.ts';

export class LineIndex {
  readonly text: string;
  /** Offset of the first character of each line. */
  readonly lineStarts: number[];

  constructor(text: string) {
    this.text = text;
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 10 /* \n */) starts.push(i + 1);
      else if (ch === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.lineStarts = starts;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** The position of `offset`, clamped into [0, text.length]. */
  position(offset: number): Position {
    const at = Math.max(0, Math.min(Number.isFinite(offset) ? offset : 0, this.text.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid]! <= at) low = mid;
      else high = mid - 1;
    }
    return { offset: at, line: low + 1, column: at - this.lineStarts[low]! + 1 };
  }

  range(startOffset: number, endOffset: number): SourceRange {
    return { start: this.position(startOffset), end: this.position(endOffset) };
  }

  /** The text of 1-based `line` without its line break (empty past the end). */
  lineText(line: number): string {
    if (line < 1 || line > this.lineStarts.length) return '';
    const start = this.lineStarts[line - 1]!;
    const next = line < this.lineStarts.length ? this.lineStarts[line]! : this.text.length;
    return this.text.slice(start, next).replace(/\r?\n$|\r$/, '');
  }

  /** True when 1-based `line` holds only spaces and tabs. */
  isBlankLine(line: number): boolean {
    return /^[ \t\f\v]*$/.test(this.lineText(line));
  }
}

export function pointRange(position: Position): SourceRange {
  return { start: position, end: position };
}

/** The smallest range covering every given range (undefined entries are ignored). */
export function coverRanges(...ranges: (SourceRange | undefined)[]): SourceRange | undefined {
  let result: SourceRange | undefined;
  for (const range of ranges) {
    if (range === undefined) continue;
    if (result === undefined) {
      result = range;
      continue;
    }
    result = {
      start: range.start.offset < result.start.offset ? range.start : result.start,
      end: range.end.offset > result.end.offset ? range.end : result.end,
    };
  }
  return result;
}

/** The range from the first to the last of `nodes`, which stand in source order; undefined for none. */
export function spanOf(nodes: readonly { range: SourceRange }[]): SourceRange | undefined {
  return nodes.length === 0 ? undefined : coverRanges(nodes[0]!.range, nodes[nodes.length - 1]!.range);
}
