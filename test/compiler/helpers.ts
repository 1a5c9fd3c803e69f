// Compile programs held in memory: { 'main.ltx': '...', 'other.ltx': '...' }.
import { compile, type CompiledProgram } from '../../compiler/compile.ts';
import type { ParamOverride } from '../../compiler/evaluate.ts';
import type { CompileHost } from '../../compiler/program-loader.ts';
import { standardLibrary } from '../../stdlib/library.ts';

export function memoryHost(files: Record<string, string>): CompileHost {
  return {
    readFile: (path) => files[path],
    resolveImport: (_from, spec) => spec.replace(/^\.\//, ''),
  };
}

export function compileText(text: string, sets: ParamOverride[] = [], extra: Record<string, string> = {}): CompiledProgram {
  return compile('main.ltx', { host: memoryHost({ 'main.ltx': text, ...extra }), sets, library: standardLibrary });
}

/** Compile and fail loudly on any diagnostic: for programs that must be valid. */
export function compileOk(text: string, sets: ParamOverride[] = []): CompiledProgram {
  const program = compileText(text, sets);
  const messages = program.diagnostics.map((d) => `${d.range.start.line}:${d.range.start.column} ${d.message}`);
  if (messages.length > 0 || program.usageErrors.length > 0) throw new Error(`unexpected diagnostics:\n${[...messages, ...program.usageErrors].join('\n')}`);
  return program;
}

export function keys(program: CompiledProgram): Set<string> {
  return new Set(program.stages.map((s) => s.key));
}

/** The key of the stage(s) a declaration label stands for. */
export function stagesOf(program: CompiledProgram, label: string): string[] {
  const d = program.declarations.find((x) => x.label === label);
  if (!d) throw new Error(`no declaration ${label}`);
  return d.stages;
}

export function errors(text: string, extra: Record<string, string> = {}): { line: number; column: number; message: string; file: string }[] {
  return compileText(text, [], extra).diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => ({ line: d.range.start.line, column: d.range.start.column, message: d.message, file: d.file }));
}

export const PRELUDE = `dataset d = digits()
model net = mlp(input: 64, hidden: [32], classes: 10)
init theta0 = kaiming_normal(net, seed: 0)
optimizer opt = sgd(lr: 0.1, batch: 60)
train dense = fit(theta0, data: d.train, optimizer: opt, steps: 240 steps)
`;
