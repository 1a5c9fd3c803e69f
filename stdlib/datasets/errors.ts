// A dataset that cannot be loaded is the user's problem to fix (a missing download, a wrong path, a
// damaged file), not a bug: this error carries a message meant to be printed as is, without a stack.

export class DatasetError extends Error {
  /** The file the problem is in, when there is one. */
  readonly file: string | undefined;

  constructor(message: string, file?: string) {
    super(message);
    this.name = 'DatasetError';
    this.file = file;
  }
}
