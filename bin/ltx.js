#!/usr/bin/env node
// ltx runs on Node >= 22.18 / 24, which executes the TypeScript sources directly; started by an older
// Node, it hands the command over to the project's Node 24 (bin/project-node.js).
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  const { handOver } = await import('./project-node.js');
  if (!handOver(fileURLToPath(import.meta.url))) {
    process.stderr.write(`ltx needs Node 22.18 or newer (this is ${process.version}); 'npm ci' in the ltx directory installs the project's Node 24, which ltx then uses.\n`);
    process.exit(2);
  }
} else {
  // `ltx plan x.ltx | head`: a closed pipe ends the output, not the program with a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  // Node keeps the compiled (and type-stripped) modules on disk between runs (in the system's temporary
  // directory, or $NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off): it halves startup.
  const { enableCompileCache } = await import('node:module');
  enableCompileCache?.();
  const { run } = await import('../cli/main.ts');
  await run(process.argv.slice(2));
}
