// `ltx lsp`: serves the Language Server Protocol on stdin/stdout until the client says exit.
import { startServer } from '../lsp/server.ts';
import { EXIT } from '../usage.ts';

export async function lspCommand(): Promise<number> {
  const connection = startServer();
  return await new Promise<number>((resolve) => {
    // After `exit` the connection ends the process itself (status 0 after `shutdown`, else 1).
    connection.onExit(() => resolve(EXIT.ok));
    // A client that goes away without `shutdown` and `exit` (the editor crashed): as the protocol says
    // of an exit without shutdown, status 1.
    process.stdin.once('end', () => resolve(EXIT.invalid));
  });
}
