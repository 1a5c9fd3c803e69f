// `ltx export FILE NAME`: a declaration's checkpoint or mask, from the cache, as a file PyTorch, JAX and
// NumPy load directly (safetensors or npz); a family as a directory with a file per member, named by
// its coordinates. Read-only towards the cache; nothing is written unless every member is computed.
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { CompiledProgram } from '../../compiler/compile.ts';
import type { Checkpoint, Mask } from '../../core/artifacts.ts';
import { decodeArtifact } from '../../runtime/artifact-codec.ts';
import { selectStages } from '../../runtime/run.ts';
import { writeFileAtomically } from '../../runtime/store/durable-fs.ts';
import { Store, StoreError, type ActionRecord } from '../../runtime/store/index.ts';
import { compileFile, errorCount, printDiagnostics, type CompileFlags } from '../compile-file.ts';
import { exportContents } from '../export/contents.ts';
import { EXPORT_FORMATS, type ExportFormatName } from '../export/formats.ts';
import { EXPORT_LAYOUTS, type ExportLayout } from '../export/layout.ts';
import { ExportNameError, exportTarget, type ExportMember, type ExportTarget } from '../export/targets.ts';
import { whyUnwritable } from '../unwritable.ts';
import { EXIT, UsageError } from '../usage.ts';
import { openCache } from './cache.ts';
import packageJson from '../../package.json' with { type: 'json' };

export const DEFAULT_EXPORT_DIR = 'export';

export interface ExportFlags {
  format?: string;
  layout?: string;
  out?: string;
  cache?: string;
}

interface ExportSettings {
  format: ExportFormatName;
  layout: ExportLayout;
}

/** Flags are checked before anything is compiled: a typo is a usage error, exit status 2. */
export function exportSettings(flags: ExportFlags): ExportSettings {
  const format = flags.format ?? 'safetensors';
  if (!Object.hasOwn(EXPORT_FORMATS, format)) throw new UsageError(`ltx export: --format ${format}: expected one of ${Object.keys(EXPORT_FORMATS).join(', ')}`);
  const layout = flags.layout ?? 'ltx';
  if (!(EXPORT_LAYOUTS as readonly string[]).includes(layout)) throw new UsageError(`ltx export: --layout ${layout}: expected one of ${EXPORT_LAYOUTS.join(', ')}`);
  return { format: format as ExportFormatName, layout: layout as ExportLayout };
}

export async function exportCommand(file: string, name: string, compileFlags: CompileFlags, flags: ExportFlags): Promise<number> {
  const settings = exportSettings(flags);
  const program = await compileFile(file, compileFlags);
  printDiagnostics(program.diagnostics, program);
  if (errorCount(program) > 0) return EXIT.invalid;
  let target: ExportTarget;
  try {
    target = exportTarget(program, name);
  } catch (error) {
    if (error instanceof ExportNameError) throw new UsageError(`ltx export: ${error.message}`);
    throw error;
  }

  const store = await openCache('export', flags.cache);
  const records = await Promise.all(target.members.map((member) => store.lookup(member.stage.key)));
  const missing = target.members.filter((_, i) => records[i] === undefined);
  if (missing.length > 0) {
    process.stderr.write(`ltx export: not computed yet: ${missing.map((m) => m.label).join(', ')}: run \`${runCommandFor(program, file, name)}\` first\n`);
    return EXIT.invalid;
  }

  const { extension, encode } = EXPORT_FORMATS[settings.format];
  const paths = await outputPaths(target, flags.out, extension);
  for (const [i, member] of target.members.entries()) {
    let artifact: Checkpoint | Mask;
    try {
      artifact = await readArtifact(store, records[i]!);
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      process.stderr.write(`ltx export: ${member.label}: the cache is damaged (${error.message}); 'ltx cache verify' lists what is\n`);
      return EXIT.invalid;
    }
    const { tensors, metadata } = exportContents(artifact, { member, program: file, layout: settings.layout, ltxVersion: packageJson.version });
    const path = paths[i]!;
    try {
      await writeFileAtomically(path, encode(tensors, metadata), dirname(path));
    } catch (error) {
      throw new UsageError(`ltx export: --out ${flags.out ?? dirname(path)}: cannot write ${path} (${whyUnwritable(error)})`);
    }
    process.stdout.write(`wrote ${path}: ${describe(member, artifact)}\n`);
  }
  return EXIT.ok;
}

/**
 * Where each member goes. One member: the file --out names (inside it, when it is a directory), by
 * default export/STEM.EXT. A family: a file per member in the directory --out names, by default
 * export/NAME/.
 */
async function outputPaths(target: ExportTarget, out: string | undefined, extension: string): Promise<string[]> {
  const fileName = (member: ExportMember): string => `${member.stem}${extension}`;
  if (target.family) {
    const dir = out ?? join(DEFAULT_EXPORT_DIR, target.stem);
    return target.members.map((member) => join(dir, fileName(member)));
  }
  const member = target.members[0]!;
  if (out === undefined) return [join(DEFAULT_EXPORT_DIR, fileName(member))];
  const isDirectory = out.endsWith('/') || (await stat(out).catch(() => undefined))?.isDirectory() === true;
  return [isDirectory ? join(out, fileName(member)) : out];
}

async function readArtifact(store: Store, record: ActionRecord): Promise<Checkpoint | Mask> {
  const output = Object.keys(record.outputs).find((n) => ['checkpoint', 'mask'].includes(record.outputs[n]!.kind));
  if (output === undefined) throw new StoreError(`stage ${record.key} stored no checkpoint or mask`);
  const artifact = decodeArtifact(await store.readOutput(record, output));
  if (artifact.kind === 'probe') throw new StoreError(`stage ${record.key} stored a probe result as its ${output}`);
  return artifact;
}

/** The run that computes NAME: `--only NAME` where --only knows the name, else the whole program. */
function runCommandFor(program: CompiledProgram, file: string, name: string): string {
  try {
    selectStages(program, name);
    return `ltx run ${shellWord(file)} --only ${shellWord(name)}`;
  } catch {
    return `ltx run ${shellWord(file)}`;
  }
}

function shellWord(word: string): string {
  return /^[A-Za-z0-9._\/-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function describe(member: ExportMember, artifact: Checkpoint | Mask): string {
  if (artifact.kind === 'mask') return `${member.label}, the mask of ${artifact.masks.size} parameters`;
  const masked = artifact.mask ? ` and the mask of ${artifact.mask.masks.size}` : '';
  return `${member.label}, ${artifact.weights.size} parameters at step ${artifact.step}${masked}`;
}
