// The plan: every stage with its status (cached, or to run and why), from what the store knows.
import type { Preimage } from '../core/stage.ts';
import type { CompiledProgram } from './compile.ts';
import { diffPreimages, formatJsonValue } from './preimage-diff.ts';
import { preimageOf, stageDependencies, type Stage } from '../core/stage.ts';

/** What the plan needs to know of the cache; read-only. */
export interface CacheView {
  isCached(key: string): boolean;
  /** The backend that computed a cached stage (its action record says). */
  backendOf?(key: string): string | undefined;
  /** The preimage of the stage this name had at the program's last run, if the cache still knows it. */
  previousPreimage(name: string): Preimage | undefined;
}

export interface PlanRow {
  id: string;
  name: string;
  kind: Stage['kind'];
  op: string;
  deps: string[];
  status: 'cached' | 'run';
  reason: string;
  /** For a cached stage, the backend that computed it. */
  backend?: string;
}

export const emptyCache: CacheView = { isCached: () => false, previousPreimage: () => undefined };

export function plan(program: CompiledProgram, cache: CacheView): PlanRow[] {
  const status = new Map<string, 'cached' | 'run'>();
  return program.stages.map((stage) => {
    const deps = stageDependencies(stage);
    const cached = cache.isCached(stage.key);
    status.set(stage.key, cached ? 'cached' : 'run');
    const backend = cached ? cache.backendOf?.(stage.key) : undefined;
    return {
      id: stage.key, name: stage.name, kind: stage.kind, op: stage.op, deps,
      status: cached ? 'cached' : 'run',
      reason: cached ? 'result in cache' : whyRun(stage, program, cache, status),
      ...(backend === undefined ? {} : { backend }),
    };
  });
}

function whyRun(stage: Stage, program: CompiledProgram, cache: CacheView, status: Map<string, 'cached' | 'run'>): string {
  const previous = cache.previousPreimage(stage.name);
  if (previous) {
    const changes = diffPreimages(previous, preimageOf(stage));
    const own = changes.filter((c) => !c.path.startsWith('inputs.'));
    if (own.length > 0) return own.slice(0, 3).map((c) => `${c.path.replace(/^params\./, '')}: ${formatJsonValue(c.old)} → ${formatJsonValue(c.new)}`).join('; ') + (own.length > 3 ? `; +${own.length - 3} more` : '');
    const inputs = changes.filter((c) => c.path.startsWith('inputs.'));
    if (inputs.length > 0) {
      const names = inputs.map((c) => program.stageByKey.get(String(c.new))?.name ?? c.path.slice(7));
      return `input changed: ${names.join(', ')}`;
    }
  }
  const waiting = stageDependencies(stage).filter((k) => status.get(k) === 'run');
  if (waiting.length > 0) return `new; after ${[...new Set(waiting.map((k) => program.stageByKey.get(k)!.name))].slice(0, 2).join(', ')}`;
  return 'not in cache';
}
