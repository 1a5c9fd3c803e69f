import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { diffPrograms, type ProgramDiff } from '../../compiler/diff.ts';
import { formatJsonValue } from '../../compiler/preimage-diff.ts';
import type { CompiledProgram } from '../../compiler/compile.ts';
import { compileFile, printDiagnostics, printJson, programReport, type CompileFlags } from '../compile-file.ts';
import { gitHost, gitPath, parseGitSpec, resolveCommit } from '../git-host.ts';
import { fileHost, worktreePath } from '../host.ts';
import { paint, useColor } from '../terminal.ts';
import { EXIT, UsageError } from '../usage.ts';

async function load(spec: string, compileFlags: CompileFlags): Promise<CompiledProgram> {
  if (existsSync(spec)) return compileFile(spec, compileFlags, fileHost);
  const git = parseGitSpec(spec);
  if (!git) throw new UsageError(`ltx diff: '${spec}' is neither a file nor a git REV:PATH`);
  const lookup = resolveCommit(git.rev);
  if ('problem' in lookup) throw new UsageError(`ltx diff: '${spec}': revision '${git.rev}': ${lookup.problem}`);
  const host = gitHost(lookup.commit);
  const path = gitPath(git.path);
  if (host.readFile(path) === undefined) throw new UsageError(`ltx diff: '${spec}': git has no file '${path}' at revision '${git.rev}'`);
  return compileFile(path, compileFlags, host, dirname(worktreePath(path)));
}

export async function diffCommand(oldSpec: string, newSpec: string, compileFlags: CompileFlags, json: boolean): Promise<number> {
  const before = await load(oldSpec, compileFlags);
  const after = await load(newSpec, compileFlags);
  for (const program of [before, after]) printDiagnostics(program.diagnostics, program);
  const reports = { old: programReport(oldSpec, before), new: programReport(newSpec, after) };
  if (!reports.old.ok || !reports.new.ok) {
    if (json) printJson({ ok: false, ...reports });
    return EXIT.invalid;
  }
  const diff = diffPrograms(before, after);
  if (json) printJson(diff);
  else process.stdout.write(render(diff));
  return EXIT.ok;
}

function render(diff: ProgramDiff): string {
  const p = paint(useColor(process.stdout));
  const lines: string[] = [];
  for (const s of diff.added) lines.push(p.green(`+ ${s.name}`) + p.dim(`  (${s.kind} ${s.op}, ${s.key.slice(0, 12)})`));
  for (const s of diff.removed) lines.push(p.red(`- ${s.name}`) + p.dim(`  (${s.kind} ${s.op}, ${s.key.slice(0, 12)})`));
  for (const c of diff.changed) {
    lines.push(p.yellow(`~ ${c.name}`) + p.dim(`  (${c.kind} ${c.op}, ${c.oldKey.slice(0, 12)} → ${c.newKey.slice(0, 12)})`));
    for (const f of c.params) lines.push(`    ${f.path.replace(/^params\./, '')}: ${formatJsonValue(f.old)} → ${formatJsonValue(f.new)}`);
    for (const i of c.inputs) lines.push(`    input ${i.role} changed${i.newName ? ` (now from ${i.newName})` : ''}`);
  }
  if (lines.length === 0) lines.push('no stage changed');
  lines.push('', `${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed; ${diff.unchanged.length} unchanged (their cached results stay valid)`);
  return lines.join('\n') + '\n';
}
