import { writeFileSync } from 'node:fs';
import { formatProgram } from '../../lang/formatter.ts';
import { parseProgram } from '../../lang/parse.ts';
import { printDiagnostics } from '../compile-file.ts';
import { readProgramText, whyUnreadable } from '../host.ts';
import { EXIT, UsageError } from '../usage.ts';

export async function fmtCommand(files: string[], check: boolean): Promise<number> {
  let status: number = EXIT.ok;
  for (const file of files) {
    const text = readProgramText(file);
    if (text === undefined) {
      const why = whyUnreadable(file);
      throw new UsageError(`cannot read '${file}'${why ? `: ${why}` : ''}`);
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
