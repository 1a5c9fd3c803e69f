// The compiler's pipeline, phase by phase: files → declarations (loops unrolled) → values (typed,
// schema-checked) → stages (content-hashed DAG). Pure apart from the host's readFile.
import { hasCycle, topologicalSort } from 'graphology-dag';
import type { DeclarationKind } from '../lang/ast.ts';
import type { Diagnostic } from '../core/diagnostics.ts';
import { DiagnosticSink } from './diagnostics-sink.ts';
import { Evaluator, type DeclaredValue, type EvaluateOptions } from './evaluate.ts';
import { loadProgramFiles, type CompileHost, type SourceFile } from './program-loader.ts';
import { StageBuilder } from './stages.ts';
import { type Stage } from '../core/stage.ts';
import type { Coordinates, Value } from './values.ts';
import type { DirectedGraph } from 'graphology';

export interface ProbeRow {
  /** The declaration the row comes from (`acc[3]`). */
  name: string;
  /** Loop variables, level, step, … of the row. */
  index: Coordinates;
  /** What the row measured, as written (`imp[3]`, `dense @ 500 steps`); several subjects joined by ', '. */
  subject: string;
  /** The same per argument of the probe (`{a: 'ticket[0][4]', b: 'ticket[1][4]'}`). */
  subjects: { [role: string]: string };
  stage: string;
}

export interface ProbeTable {
  /** The probe's name without indices. */
  name: string;
  op: string;
  rows: ProbeRow[];
  /** The source text of the declarations the rows come from (one per distinct declaration), for captions. */
  declarations: string[];
}

export interface DeclarationOutput {
  name: string;
  label: string;
  kind: DeclarationKind;
  index: Coordinates;
  /** The stages whose outputs are the declaration's value (a run's last segment, each member of a family, …). */
  stages: string[];
}

export interface CompiledProgram {
  entry: string;
  files: SourceFile[];
  /** Every stage, parents before children. */
  stages: Stage[];
  stageByKey: Map<string, Stage>;
  graph: DirectedGraph<{ stage: Stage }>;
  declarations: DeclarationOutput[];
  probes: ProbeTable[];
  diagnostics: Diagnostic[];
  /** Problems of command-line flags (`--set`): usage errors, exit status 2. */
  usageErrors: string[];
}

export interface CompileOptions extends EvaluateOptions {
  host: CompileHost;
  /**
   * False: stop once every declaration is evaluated, with the diagnostics and no stages. Building the
   * stages (hashing every one) reports nothing more, so an editor checking as the user types skips it.
   */
  stages?: boolean;
}

export function compile(entry: string, options: CompileOptions): CompiledProgram {
  const sink = new DiagnosticSink();
  const files = loadProgramFiles(entry, options.host, sink);
  const evaluator = new Evaluator(entry, files, sink, options);
  const empty: CompiledProgram = {
    entry, files, stages: [], stageByKey: new Map(), graph: new StageBuilder(new Map()).graph, declarations: [], probes: [],
    diagnostics: sink.diagnostics, usageErrors: evaluator.usageErrors,
  };
  // Syntax errors: the partial AST is not worth compiling; every error of every file is reported already.
  if (sink.hasErrors) return empty;
  evaluator.collect();
  const declared = evaluator.evaluateAll();
  if (sink.hasErrors || evaluator.usageErrors.length > 0 || options.stages === false) return { ...empty, diagnostics: sink.diagnostics };

  const builder = new StageBuilder(evaluator.splits);
  const declarations: DeclarationOutput[] = [];
  const probes = new Map<string, ProbeTable>();
  for (const d of declared) {
    const stages = stagesOf(builder, d);
    // `train t[0] = dense`: the stage answers to both names (diff and plan match stages by name).
    if (stages.length === 1 && d.value.type !== 'probe') builder.alias(stages[0]!, d.label);
    declarations.push({ name: d.name, label: d.label, kind: d.kind, index: d.coords, stages });
    if (d.value.type === 'probe') {
      let table = probes.get(d.name);
      if (!table) probes.set(d.name, (table = { name: d.name, op: d.value.node.op, rows: [], declarations: [] }));
      const text = declarationText(files, d);
      if (!table.declarations.includes(text)) table.declarations.push(text);
      d.value.node.rows.forEach((row, i) => {
        table!.rows.push({ name: d.label, index: { ...d.coords, ...row.coords }, subject: row.label, subjects: row.labels, stage: stages[i]! });
      });
    }
  }
  for (const table of probes.values()) table.rows.sort((a, b) => compareCoords(a.index, b.index));

  const graph = builder.graph;
  if (hasCycle(graph)) throw new Error('internal: the stage graph has a cycle');
  const stages = topologicalSort(graph).map((key) => builder.stages.get(key)!);
  return {
    entry, files, stages, stageByKey: builder.stages, graph, declarations, probes: [...probes.values()],
    diagnostics: sink.diagnostics, usageErrors: [],
  };
}

/** A declaration as written, with its layout folded to single spaces. */
function declarationText(files: SourceFile[], d: DeclaredValue): string {
  const text = files.find((f) => f.path === d.entry.env.file)?.text;
  const { start, end } = d.entry.decl.range;
  if (text === undefined) return d.label;
  return text.slice(start.offset, end.offset).replace(/\s+/g, ' ').replace(/([([]) /g, '$1').replace(/,? ([)\]])/g, '$1');
}

function stagesOf(builder: StageBuilder, d: DeclaredValue): string[] {
  const of = (value: Value, label: string): string[] => {
    switch (value.type) {
      case 'init': case 'checkpoint': return [builder.checkpoint(value.node)];
      case 'run': return [builder.run(value.node)];
      case 'mask': return [builder.mask(value.node)];
      case 'family': case 'lottery': return value.members.flatMap((m) => of(m.value, m.label));
      case 'probe': return value.node.rows.map((row) => builder.probeRow(value.node, row, rowName(label, row.coords)));
      default: return [];
    }
  };
  return of(d.value, d.label);
}

/** `acc[level=3]` for a row of a family probe; the declaration's label for a single row. */
function rowName(label: string, coords: Coordinates): string {
  const parts = Object.entries(coords).map(([k, v]) => `${k}=${v}`);
  return parts.length ? `${label}[${parts.join(', ')}]` : label;
}

function compareCoords(a: Coordinates, b: Coordinates): number {
  for (const key of Object.keys(a)) {
    const x = a[key];
    const y = b[key];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x).localeCompare(String(y));
  }
  return 0;
}
