// Declarations are evaluated on demand, one inside another: a probe of t[20] evaluates t[20], which
// evaluates t[19], and so on, each level a dozen stack frames plus a few per level of its expression.
// A chain deeper than MAX_EVALUATION_DEPTH is unwound instead (a DeferredEvaluation is thrown), the
// declaration at its end is evaluated first from a shallow stack, and the interrupted evaluation is
// retried: it then finds that declaration done. Chains of any length evaluate without running out of
// call stack, at the price of re-walking at most MAX_EVALUATION_DEPTH levels per deferral.
import type { StageBudget } from './stage-budget.ts';

/** Declarations evaluated one inside another before the innermost is deferred. */
export const MAX_EVALUATION_DEPTH = 16;

export class DeferredEvaluation {
  /** The declaration's label, e.g. `t[3]`. */
  readonly label: string;
  /** Evaluates it (it may defer others in turn). */
  readonly evaluate: () => void;
  /** Ends it with an error: it depends on itself through the labelled declarations. */
  readonly fail: (cycle: readonly string[]) => void;

  constructor(label: string, evaluate: () => void, fail: (cycle: readonly string[]) => void) {
    this.label = label;
    this.evaluate = evaluate;
    this.fail = fail;
  }
}

/**
 * Runs `compute`; whenever it defers a declaration, evaluates that one first (and whatever it defers
 * in turn), then runs `compute` again. The work of an interrupted attempt is taken back from the
 * stage budget, since the retry counts it again. A declaration deferred while it already waits for
 * its turn depends on itself: it fails with the chain of declarations waiting after it.
 */
export function settle<T>(compute: () => T, budget: StageBudget): T {
  const waiting: DeferredEvaluation[] = [];
  for (;;) {
    const restoreBudget = budget.mark();
    try {
      if (waiting.length === 0) return compute();
      waiting[waiting.length - 1]!.evaluate();
      waiting.pop();
    } catch (error) {
      if (!(error instanceof DeferredEvaluation)) throw error;
      restoreBudget();
      const earlier = waiting.findIndex((w) => w.label === error.label);
      if (earlier >= 0) error.fail([...waiting.slice(earlier).map((w) => w.label), error.label]);
      else waiting.push(error);
    }
  }
}
