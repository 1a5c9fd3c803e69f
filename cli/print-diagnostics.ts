// Diagnostics on stderr, each with its code frame. Needs only the parser's printer, so `ltx fmt`
// reports syntax errors without loading the compiler.
import type { Diagnostic } from '../core/diagnostics.ts';
import type { SourceFile } from '../compiler/program-loader.ts';
import { formatDiagnostic } from '../lang/print-diagnostic.ts';
import { fileHost } from './host.ts';
import { useColor } from './terminal.ts';

/** `sources` gives the text of files the diagnostics point into (read from disk otherwise). */
export function printDiagnostics(diagnostics: readonly Diagnostic[], sources: readonly Pick<SourceFile, 'path' | 'text'>[] = []): void {
  const color = useColor(process.stderr);
  const texts = new Map(sources.map((f) => [f.path, f.text]));
  for (const d of diagnostics) {
    process.stderr.write(formatDiagnostic(d, texts.get(d.file) ?? fileHost.readFile(d.file), { color }) + '\n');
  }
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  if (errors > 1) process.stderr.write(`${errors} errors\n`);
}
