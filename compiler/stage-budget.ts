// How much a program may unroll. Stages are counted as the evaluator builds the nodes they come from,
// and loop iterations as loops unroll, so a program that would make millions of them is refused at the
// expression that passes the limit, before its nodes fill memory. The count is an upper bound: stages
// that turn out identical merge later.
import type { SourceRange } from '../lang/ast.ts';
import { formatCount } from '../core/limits.ts';
import type { DiagnosticSink } from './diagnostics-sink.ts';

/** Far above a 20-level IMP × 5 seeds with its controls and probes (a few thousand stages). */
export const DEFAULT_MAX_STAGES = 100_000;

type Counted = 'stages' | 'iterations';

const WHAT: Record<Counted, string> = {
  stages: 'the program makes more than {limit} stages',
  iterations: 'the for loops unroll to more than {limit} iterations',
};

export class StageBudget {
  readonly limit: number;
  private readonly sink: DiagnosticSink;
  private readonly used: Record<Counted, number> = { stages: 0, iterations: 0 };
  /** Set once the limit is passed: the evaluator then stops building anything. */
  exhausted = false;

  constructor(limit: number, sink: DiagnosticSink) {
    this.limit = limit;
    this.sink = sink;
  }

  /** A function that takes back everything counted after this call (unless the limit was passed). */
  mark(): () => void {
    const used = { ...this.used };
    return () => {
      if (!this.exhausted) Object.assign(this.used, used);
    };
  }

  /** Whether `count` more fit; when they do not, says so at `range` (once) and stops the evaluation. */
  spend(counted: Counted, count: number, file: string, range: SourceRange): boolean {
    if (this.exhausted) return false;
    this.used[counted] += count;
    if (this.used[counted] <= this.limit) return true;
    this.exhausted = true;
    const message = WHAT[counted].replace('{limit}', formatCount(this.limit));
    this.sink.error(file, range, 'too-many-stages', `${message}; raise the limit with --max-stages N`);
    return false;
  }
}
