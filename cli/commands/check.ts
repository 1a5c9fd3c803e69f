import { compileFile, errorCount, printJson, programReport, type CompileFlags } from '../compile-file.ts';
import { printDiagnostics } from '../print-diagnostics.ts';
import { plural } from '../terminal.ts';
import { EXIT } from '../usage.ts';

export async function checkCommand(files: string[], compileFlags: CompileFlags, json: boolean): Promise<number> {
  let failed = false;
  const reports = [];
  for (const file of files) {
    const program = await compileFile(file, compileFlags);
    const errors = errorCount(program);
    failed ||= errors > 0;
    if (json) reports.push({ ...programReport(file, program), stages: program.stages.length });
    else {
      printDiagnostics(program.diagnostics, program.files);
      if (errors === 0) process.stdout.write(`${file}: ok (${plural(program.stages.length, 'stage')})\n`);
    }
  }
  if (json) printJson({ files: reports });
  return failed ? EXIT.invalid : EXIT.ok;
}
