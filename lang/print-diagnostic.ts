// Human-readable diagnostics: `FILE:LINE:COL: error: MESSAGE`, then a code frame (the line, the
// one before it for context, a line-number gutter and a ^~~~ underline of the range), then
// related information as `note:` lines. ANSI colour only on request.
import type { SourceRange } from './ast.ts';
import type { Diagnostic, Severity } from '../core/diagnostics.ts';
import { LineIndex } from './source-text.ts';

export interface FormatDiagnosticOptions {
  color: boolean;
}

const ANSI = {
  bold: '\u001b[1m',
  red: '\u001b[31m',
  yellow: '\u001b[33m',
  cyan: '\u001b[36m',
  blue: '\u001b[34m',
  green: '\u001b[32m',
  reset: '\u001b[0m',
} as const;

type Paint = (text: string, ...styles: (keyof typeof ANSI)[]) => string;

function painter(color: boolean): Paint {
  if (!color) return (text) => text;
  return (text, ...styles) => (text === '' ? '' : `${styles.map((style) => ANSI[style]).join('')}${text}${ANSI.reset}`);
}

const SEVERITY_COLOR: Record<Severity, keyof typeof ANSI> = { error: 'red', warning: 'yellow', info: 'cyan' };

// Caches the line index of the last source printed: a file with many errors is indexed once.
let cachedIndex: LineIndex | undefined;

function lineIndexFor(source: string): LineIndex {
  if (cachedIndex?.text !== source) cachedIndex = new LineIndex(source);
  return cachedIndex;
}

function location(file: string, range: SourceRange): string {
  return `${file}:${range.start.line}:${range.start.column}`;
}

export function formatDiagnostic(d: Diagnostic, source: string | undefined, opts: FormatDiagnosticOptions): string {
  const paint = painter(opts.color);
  const lines: string[] = [];
  const severityColor = SEVERITY_COLOR[d.severity] ?? 'red';
  lines.push(`${paint(location(d.file, d.range), 'bold')}: ${paint(`${d.severity}:`, 'bold', severityColor)} ${paint(d.message, 'bold')}`);
  if (source !== undefined) lines.push(...codeFrame(source, d.range, paint, severityColor));
  for (const related of d.related ?? []) {
    lines.push(`${paint(location(related.file, related.range), 'bold')}: ${paint('note:', 'bold', 'cyan')} ${related.message}`);
    if (source !== undefined && related.file === d.file) lines.push(...codeFrame(source, related.range, paint, 'cyan'));
  }
  return lines.join('\n');
}

/** Columns of a line a code frame shows; of a longer line, a window starting a little before the range. */
const FRAME_COLUMNS = 160;
const FRAME_CONTEXT = 40;

/** The range's first line and the line before it, with the range underlined on its first line. */
function codeFrame(source: string, range: SourceRange, paint: Paint, underlineColor: keyof typeof ANSI): string[] {
  const index = lineIndexFor(source);
  const line = clamp(range.start.line, 1, index.lineCount);
  const text = index.lineText(line);
  const first = Math.max(1, line - 1);
  const gutterWidth = String(line).length;
  const gutter = (label: string): string => paint(`${label.padStart(gutterWidth)} |`, 'blue');

  const startColumn = range.start.line === line ? clamp(range.start.column, 1, text.length + 1) : 1;
  const endColumn = range.end.line === line ? clamp(range.end.column, startColumn, text.length + 1) : text.length + 1;
  // 0-based offsets of the window shown: all of a line that fits, else FRAME_COLUMNS around the range.
  const from = text.length <= FRAME_COLUMNS ? 0 : clamp(startColumn - 1 - FRAME_CONTEXT, 0, text.length - FRAME_COLUMNS);
  const to = from + FRAME_COLUMNS;
  const clip = (content: string): string => `${from > 0 ? '…' : ''}${content.slice(from, to)}${content.length > to ? '…' : ''}`;

  const frame: string[] = [];
  for (let shown = first; shown <= line; shown++) {
    const content = clip(index.lineText(shown));
    frame.push(content === '' ? gutter(String(shown)) : `${gutter(String(shown))} ${content}`);
  }

  const width = Math.max(1, Math.min(endColumn, to + 1) - startColumn);
  // Keep tabs in the padding so the caret lines up under tab-indented code.
  const padding = `${from > 0 ? ' ' : ''}${text.slice(from, startColumn - 1).replace(/[^\t]/g, ' ')}`;
  frame.push(`${gutter('')} ${padding}${paint(`^${'~'.repeat(width - 1)}`, 'bold', underlineColor)}`);
  return frame;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(Number.isFinite(value) ? value : low, low), Math.max(low, high));
}

/** Every diagnostic of one file, separated by blank lines. */
export function formatDiagnostics(diagnostics: readonly Diagnostic[], source: string | undefined, opts: FormatDiagnosticOptions): string {
  return diagnostics.map((diagnostic) => formatDiagnostic(diagnostic, source, opts)).join('\n\n');
}
