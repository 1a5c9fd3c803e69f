// Collects diagnostics from every phase; phases keep going after errors so a user sees all of them.
import type { SourceRange } from '../lang/ast.ts';
import type { Diagnostic, DiagnosticCode, RelatedInformation } from '../core/diagnostics.ts';

export class DiagnosticSink {
  readonly diagnostics: Diagnostic[] = [];
  private readonly seen = new Set<string>();

  error(file: string, range: SourceRange, code: DiagnosticCode, message: string, related?: RelatedInformation[]): void {
    this.push({ severity: 'error', code, message, file, range, ...(related ? { related } : {}) });
  }

  warning(file: string, range: SourceRange, code: DiagnosticCode, message: string): void {
    this.push({ severity: 'warning', code, message, file, range });
  }

  push(d: Diagnostic): void {
    const key = this.keyOf(d);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.diagnostics.push(d);
  }

  /** Removes and returns the diagnostics reported after the first `count`, so that they can be reported anew. */
  takeAfter(count: number): Diagnostic[] {
    const taken = this.diagnostics.splice(count);
    for (const d of taken) this.seen.delete(this.keyOf(d));
    return taken;
  }

  private keyOf(d: Diagnostic): string {
    return `${d.file}:${d.range.start.offset}:${d.message}`;
  }

  get hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }
}
