#!/usr/bin/env node
// ltx runs on Node >= 22.18 / 24, which executes the TypeScript sources directly.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(`ltx needs Node 22.18 or newer (this is ${process.version}); run it through npm (npx ltx, npm run ltx) to use the project's Node 24.\n`);
  process.exit(2);
}
// `ltx plan x.ltx | head`: a closed pipe ends the output, not the program with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
const { run } = await import('../cli/main.ts');
await run(process.argv.slice(2));
