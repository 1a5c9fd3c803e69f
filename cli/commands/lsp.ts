// `ltx lsp`: serves the Language Server Protocol on stdin/stdout until the client says exit.
import { startServer } from '../lsp/server.ts';

export async function lspCommand(): Promise<number> {
  const connection = startServer();
  // The connection ends the process on `exit` (status 0 after `shutdown`, 1 otherwise).
  await new Promise<void>((resolve) => connection.onExit(() => resolve()));
  return 0;
}
