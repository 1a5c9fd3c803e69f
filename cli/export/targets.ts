// What `ltx export NAME` writes: the stages NAME designates, each with the name and coordinates its file
// carries. NAME is written as `--only` takes it: a declaration (`dense`, `t[3]`, `m[4]`), a lottery's
// level (`imp[2]`), a whole family (`t`, `imp`, a lottery's masks `imp.mask`), a stage name (`imp.mask[3]`,
// `dense 0→24`), or a run's checkpoint at a step the program splits it at (`dense @ 24 steps`).
import type { CompiledProgram, DeclarationOutput } from '../../compiler/compile.ts';
import type { Coordinates } from '../../compiler/values.ts';
import { canonicalJson, type Json } from '../../core/json.ts';
import type { Stage, StageKind } from '../../core/stage.ts';
import { didYouMean } from '../../core/suggest.ts';

export interface ExportMember {
  /** How the program names it: `imp[3]`, `t[2]`, `dense @ 24 steps`. */
  label: string;
  /** Its file's name without the extension: the name, then each coordinate (`imp-level3`, `dense-step24`). */
  stem: string;
  coordinates: Coordinates;
  stage: Stage;
}

export interface ExportTarget {
  /** NAME as written on the command line. */
  name: string;
  /** NAME as a file name: a family's directory. */
  stem: string;
  /** A family is written as a directory with a file per member; anything else as one file. */
  family: boolean;
  members: ExportMember[];
}

/** NAME designates nothing that has weights or a mask: a usage error. */
export class ExportNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportNameError';
  }
}

const EXPORTABLE: ReadonlySet<StageKind> = new Set(['init', 'train', 'rewind', 'reinit', 'mask']);

export function exportTarget(program: CompiledProgram, written: string): ExportTarget {
  const name = squeeze(written);
  const target = (family: boolean, members: ExportMember[]): ExportTarget => ({ name: written, stem: fileSafe(name), family, members });
  const at = /^(.+)@(\d+)(steps?)?$/.exec(name);
  if (at) return target(false, [checkpointAt(program, single(program, at[1]!, written), Number(at[2]))]);
  if (name.includes('@')) throw new ExportNameError(`'${written}': write the step as a number of steps, e.g. '${name.split('@')[0]} @ 500 steps'`);
  const declared = program.declarations.find((d) => squeeze(d.label) === name);
  if (declared) return target(declared.kind === 'lottery', membersOf(program, declared));
  const level = lotteryLevel(program, name);
  if (level) return target(false, [level]);
  const family = program.declarations.filter((d) => d.name === name || squeeze(d.label).startsWith(`${name}[`));
  if (family.length > 0) return target(true, family.flatMap((d) => membersOf(program, d)));
  const stage = program.stages.find((s) => s.names.some((n) => squeeze(n) === name));
  if (stage) return target(false, [stageMember(stage, written.trim())]);
  const parts = lotteryParts(program, name);
  if (parts.length > 0) return target(true, parts);
  throw new ExportNameError(`the program declares no '${written}'${didYouMean(name, exportableNames(program))}`);
}

/** Names compared without their layout: `t[ 3 ]` is `t[3]`, `dense @ 24 steps` is `dense@24steps`. */
function squeeze(name: string): string {
  return name.replace(/\s+/g, '');
}

/** The one member `name` designates (the run of `NAME @ N steps`). */
function single(program: CompiledProgram, name: string, written: string): ExportMember {
  const target = exportTarget(program, name);
  if (target.family) throw new ExportNameError(`'${written}': '${name}' is a family; name one of its members, e.g. '${target.members.at(-1)!.label}'`);
  return target.members[0]!;
}

/** A declaration's members: a lottery's levels 0..rounds, or the declaration itself. */
function membersOf(program: CompiledProgram, d: DeclarationOutput): ExportMember[] {
  if (d.kind === 'lottery') {
    // A lottery's stages are its levels' runs in order, level 0 the dense run (compiler/ops.ts).
    return d.stages.map((key, level) => member(`${d.label}[${level}]`, d.name, { ...d.index, level }, program.stageByKey.get(key)!));
  }
  const stage = d.stages.length === 1 ? program.stageByKey.get(d.stages[0]!) : undefined;
  if (d.kind === 'probe') throw new ExportNameError(`'${d.label}' is a probe: its numbers are in 'ltx results'; ltx export writes checkpoints and masks`);
  if (stage === undefined || !EXPORTABLE.has(stage.kind)) throw new ExportNameError(`'${d.label}' is a ${d.kind}: it has no weights or mask to export`);
  return [member(d.label, d.name, d.index, stage)];
}

/** `imp[2]` (or `imp[0][2]` of an indexed lottery), `imp.mask[2]`: one level of a lottery or of its parts. */
function lotteryLevel(program: CompiledProgram, name: string): ExportMember | undefined {
  const indexed = /^(.+)\[(\d+)\]$/.exec(name);
  if (!indexed) return undefined;
  const base = indexed[1]!;
  const level = Number(indexed[2]);
  const lottery = program.declarations.find((d) => d.kind === 'lottery' && squeeze(d.label) === base);
  const levels = lottery ? membersOf(program, lottery) : lotteryParts(program, base);
  if (levels.length === 0) return undefined;
  const found = levels.find((m) => m.coordinates['level'] === level);
  if (found === undefined) throw new ExportNameError(`'${name}': ${base} has levels ${levels[0]!.coordinates['level']} to ${levels.at(-1)!.coordinates['level']}`);
  return found;
}

/** `imp.mask`, `imp.rewind`: the stages a lottery makes per level, by their names `imp.mask[1]`, …. */
function lotteryParts(program: CompiledProgram, name: string): ExportMember[] {
  const lottery = program.declarations.find((d) => d.kind === 'lottery' && name.startsWith(`${squeeze(d.label)}.`));
  if (!lottery) return [];
  const members: ExportMember[] = [];
  for (const stage of program.stages) {
    if (!EXPORTABLE.has(stage.kind)) continue;
    for (const stageName of stage.names) {
      const level = stageName.startsWith(`${name}[`) ? /^\[(\d+)\]$/.exec(stageName.slice(name.length)) : null;
      if (level) members.push(member(stageName, name, { ...lottery.index, level: Number(level[1]) }, stage));
    }
  }
  return members.sort((a, b) => Number(a.coordinates['level']) - Number(b.coordinates['level']));
}

function stageMember(stage: Stage, written: string): ExportMember {
  if (!EXPORTABLE.has(stage.kind)) throw new ExportNameError(`'${written}' is a ${stage.kind} stage: ltx export writes checkpoints and masks`);
  return member(written, written, {}, stage);
}

/**
 * The checkpoint of `run` at `step`: the end of the segment that ends there, or the start of the run.
 * The compiler cuts a run into segments at every step the program refers to, so only those exist.
 */
function checkpointAt(program: CompiledProgram, run: ExportMember, step: number): ExportMember {
  const label = `${run.label} @ ${step} steps`;
  const found = (stage: Stage): ExportMember => ({ label, stem: `${run.stem}-step${step}`, coordinates: { ...run.coordinates, step }, stage });
  if (run.stage.kind !== 'train') throw new ExportNameError(`'${label}': '${run.label}' is not a training run`);
  const kept: number[] = [];
  let segment = run.stage;
  for (;;) {
    const { from, to } = segmentSteps(segment);
    if (to === step) return found(segment);
    kept.push(to);
    const start = program.stageByKey.get(segment.inputs['start']!)!;
    if (from === step) return found(start);
    if (!continues(start, segment)) {
      kept.push(from);
      break;
    }
    segment = start;
  }
  const steps = kept.sort((a, b) => a - b).join(', ');
  throw new ExportNameError(`'${label}': the program keeps ${run.label}'s checkpoints at steps ${steps} only (a run is cut where something refers to it: refer to ${label} in the program and run it)`);
}

function segmentSteps(stage: Stage): { from: number; to: number } {
  return { from: stage.params['from'] as number, to: stage.params['to'] as number };
}

/** Whether `next` resumes `previous`: the same recipe, starting where it ended. */
function continues(previous: Stage, next: Stage): boolean {
  return previous.kind === 'train' && segmentSteps(previous).to === segmentSteps(next).from && recipeOf(previous) === recipeOf(next);
}

function recipeOf(segment: Stage): string {
  const { from: _from, to: _to, ...recipe } = segment.params;
  return canonicalJson(recipe as Json);
}

function member(label: string, base: string, coordinates: Coordinates, stage: Stage): ExportMember {
  const stem = [base, ...Object.entries(coordinates).map(([variable, value]) => `${variable}${value}`)].join('-');
  return { label, stem: fileSafe(stem), coordinates, stage };
}

/** Letters, digits, `.`, `_` and `-`: a file name every shell and file system takes as it is. */
function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'export';
}

function exportableNames(program: CompiledProgram): string[] {
  const names = new Set<string>();
  for (const d of program.declarations) {
    if (d.kind !== 'lottery' && !d.stages.some((key) => EXPORTABLE.has(program.stageByKey.get(key)!.kind))) continue;
    names.add(d.name);
    names.add(d.label);
  }
  for (const stage of program.stages) if (EXPORTABLE.has(stage.kind)) for (const n of stage.names) names.add(n);
  return [...names];
}
