import { writeFileSync } from 'node:fs';
import { unreadableFile } from '../../compiler/program-loader.ts';
import { formatProgram } from '../../lang/formatter.ts';
import { parseProgram } from '../../lang/parse.ts';
import { fileHost } from '../host.ts';
import { printDiagnostics } from '../print-diagnostics.ts';
import { EXIT } from '../usage.ts';

export async function fmtCommand(files: string[], check: boolean): Promise<number> {
  let status: number = EXIT.ok;
  for (const file of files) {
    const text = fileHost.readFile(file);
    // Like every command given a program it cannot read: an error naming the file, exit status 1.
    if (text === undefined) {
      printDiagnostics([unreadableFile(file, fileHost)]);
      status = EXIT.invalid;
      continue;
    }
    const { program, diagnostics } = parseProgram(text, file);
    if (diagnostics.some((d) => d.severity === 'error')) {
      printDiagnostics(diagnostics, [{ path: file, text }]);
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
