// Why an optional package could not be loaded, in one line for the backend report.

/** "not installed" for a missing package; otherwise the load error's first line. */
export function explainLoadFailure(specifier: string, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    message.includes(`'${specifier}'`)
  ) {
    return 'not installed';
  }
  return message.split('\n', 1)[0]!.trim() || 'failed to load';
}
