import { formatGraph, type GraphFormat } from '../../compiler/graph-format.ts';
import { compileFile, printJson, stopsOnErrors, type CompileFlags } from '../compile-file.ts';
import { EXIT, UsageError } from '../usage.ts';

const FORMATS: GraphFormat[] = ['dot', 'mermaid', 'json'];

export async function graphCommand(file: string, compileFlags: CompileFlags, format: string): Promise<number> {
  if (!FORMATS.includes(format as GraphFormat)) throw new UsageError(`--format ${format}: expected one of ${FORMATS.join(', ')}`);
  const program = await compileFile(file, compileFlags);
  if (stopsOnErrors(file, program, format === 'json')) return EXIT.invalid;
  process.stdout.write(formatGraph(program, format as GraphFormat) + '\n');
  return EXIT.ok;
}
