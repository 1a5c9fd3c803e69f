// ltx started by a Node too old to run its TypeScript sources (the system's Node 20 behind `npm link`,
// a symlink on PATH or an alias): hand the command over to the Node 24 the project installs (its `node`
// devDependency), so ltx runs from any directory. Plain JavaScript that any Node since 14 can run.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';

/** The project's Node binary, or undefined when `npm ci` has not installed it. */
function projectNode() {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('node/package.json')), 'bin', 'node');
  } catch {
    return undefined;
  }
}

/** Runs `script` with the project's Node and exits as it exits; false when there is no such Node. */
export function handOver(script) {
  const node = projectNode();
  if (node === undefined) return false;
  const child = spawn(node, [script, ...process.argv.slice(2)], { stdio: 'inherit' });
  // Ctrl-C reaches both processes (the terminal signals the whole foreground group): this one waits
  // for ltx to stop cleanly rather than forwarding a second SIGINT, which would stop it at once.
  process.on('SIGINT', () => undefined);
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => {
    process.stderr.write(`ltx: cannot start the project's Node (${node}): ${error.message}\n`);
    process.exit(2);
  });
  child.on('exit', (code, signal) => process.exit(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1)));
  return true;
}
