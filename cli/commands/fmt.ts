import { readFileSync, writeFileSync } from 'node:fs';
import { formatProgram } from '../../lang/formatter.ts';
import { parseProgram } from '../../lang/parse.ts';
import { printDiagnostics } from '../compile-file.ts';
import { EXIT, UsageError } from '../usage.ts';

export async function fmtCommand(files: string[], check: boolean): Promise<number> {
  let status: number = EXIT.ok;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new UsageError(`cannot read '${file}'`);
    }
    const { program, diagnostics } = parseProgram(text, file);
    if (diagnostics.some((d) => d.severity === 'error')) {
      printDiagnostics(diagnostics, undefined, new Map([[file, text]]));
      process.stderr.write(`${file}: not formatted: it has syntax errors\n`);
      status = EXIT.invalid;
      continue;
    }
    const formatted = formatProgram(program, text);
    if (formatted === text) continue;
    if (check) {
      process.stdout.write(`${file}\n`);
      status = EXIT.invalid;
    } else {
      writeFileSync(file, formatted);
      process.stdout.write(`formatted ${file}\n`);
    }
  }
  return status;
}
