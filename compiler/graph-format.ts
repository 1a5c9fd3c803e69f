// The stage DAG as Graphviz dot, Mermaid or JSON.
import type { CompiledProgram } from './compile.ts';
import type { Stage } from '../core/stage.ts';

export type GraphFormat = 'dot' | 'mermaid' | 'json';

/** What each stage reads, by role, and (role `after`) the earlier stages of its run it is computed after. */
function edges(program: CompiledProgram): { source: string; target: string; role: string }[] {
  return program.stages.flatMap((s) => [
    ...Object.entries(s.inputs).map(([role, source]) => ({ source, target: s.key, role })),
    ...(s.after ?? []).map((source) => ({ source, target: s.key, role: 'after' })),
  ]);
}

const short = (key: string) => key.slice(0, 12);
const label = (s: Stage) => `${s.name}\\n${s.op} ${short(s.key)}`;

export function formatGraph(program: CompiledProgram, format: GraphFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify({
        nodes: program.stages.map((s) => ({ id: s.key, name: s.name, names: s.names, kind: s.kind, op: s.op })),
        edges: edges(program),
      }, null, 2);
    case 'dot': {
      const lines = ['digraph ltx {', '  rankdir=LR;', '  node [shape=box, fontname="monospace"];'];
      for (const s of program.stages) lines.push(`  "${short(s.key)}" [label="${label(s).replace(/"/g, '\\"')}"${s.kind === 'probe' ? ', shape=ellipse' : ''}];`);
      for (const e of edges(program)) lines.push(`  "${short(e.source)}" -> "${short(e.target)}" [label="${e.role}"];`);
      lines.push('}');
      return lines.join('\n');
    }
    case 'mermaid': {
      const lines = ['flowchart LR'];
      for (const s of program.stages) {
        const text = `${s.name}<br/>${s.op} ${short(s.key)}`.replace(/"/g, '#quot;');
        lines.push(s.kind === 'probe' ? `  s${short(s.key)}(["${text}"])` : `  s${short(s.key)}["${text}"]`);
      }
      for (const e of edges(program)) lines.push(`  s${short(e.source)} -->|${e.role}| s${short(e.target)}`);
      return lines.join('\n');
    }
  }
}
