// Facts about a program's datasets that only their files tell (sizes, digests). The compiler is pure and
// synchronous, so it asks and goes on without an answer; the CLI reads the files for what was asked
// between two compiles, and the second compile finds every answer known.
import { canonicalJson } from '../core/json.ts';
import type { OpParams } from '../core/op.ts';

/** What a lookup asks about: a dataset op and its parameters (a relative path as the compiler wrote it). */
export interface DatasetQuestion {
  op: string;
  params: OpParams;
}

export class PendingLookups<Answer> {
  private readonly known = new Map<string, Answer | null>();
  private readonly wanted = new Map<string, DatasetQuestion>();
  private readonly find: (question: DatasetQuestion) => Promise<Answer | null>;

  /** `find` answers from the files, or null when they tell nothing the compiler could use. */
  constructor(find: (question: DatasetQuestion) => Promise<Answer | null>) {
    this.find = find;
  }

  readonly lookup = (op: string, params: OpParams): Answer | undefined => {
    const key = canonicalJson({ op, params });
    const hit = this.known.get(key);
    if (hit !== undefined) return hit ?? undefined;
    this.wanted.set(key, { op, params });
    return undefined;
  };

  /** Answers what was asked since the last call; true when anything new became known. */
  async resolvePending(): Promise<boolean> {
    let learned = false;
    for (const [key, question] of this.wanted) {
      const answer = await this.find(question);
      this.known.set(key, answer);
      if (answer !== null) learned = true;
    }
    this.wanted.clear();
    return learned;
  }
}
