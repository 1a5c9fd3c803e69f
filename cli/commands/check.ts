import { compileFile, errorCount, printDiagnostics, type CompileFlags } from '../compile-file.ts';
import { EXIT } from '../usage.ts';

export async function checkCommand(files: string[], compileFlags: CompileFlags, json: boolean): Promise<number> {
  let failed = false;
  const reports = [];
  for (const file of files) {
    const program = await compileFile(file, compileFlags);
    const errors = errorCount(program);
    failed ||= errors > 0;
    if (json) reports.push({ file, ok: errors === 0, stages: program.stages.length, diagnostics: program.diagnostics });
    else {
      printDiagnostics(program.diagnostics, program);
      if (errors === 0) process.stdout.write(`${file}: ok (${program.stages.length} stages)\n`);
    }
  }
  if (json) process.stdout.write(JSON.stringify({ files: reports }, null, 2) + '\n');
  return failed ? EXIT.invalid : EXIT.ok;
}
