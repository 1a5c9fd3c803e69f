// Command-line usage errors: exit status 2, one line naming the flag or argument.
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT = { ok: 0, invalid: 1, usage: 2 } as const;
