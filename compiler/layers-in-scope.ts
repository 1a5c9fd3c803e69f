// The prunable layers of the model a declaration's weights belong to, read from its compiled stages:
// what `skip:` and `rates:` may name where that declaration is pruned (editors complete them).
import type { Library } from '../core/library.ts';
import type { OpParams } from '../core/op.ts';
import type { Stage } from '../core/stage.ts';
import type { CompiledProgram } from './compile.ts';

interface ModelJson {
  op: string;
  params: OpParams;
}

function modelOfStage(stage: Stage): ModelJson | undefined {
  const model = stage.params.model as unknown as ModelJson | undefined;
  return model && typeof model === 'object' && typeof model.op === 'string' ? model : undefined;
}

function layersOf(library: Library, model: ModelJson): string[] {
  const lowering = library.op(model.op)?.lowering;
  if (lowering?.rule !== 'model') return [];
  try {
    return lowering.shape(model.params).prunableLayers;
  } catch {
    return [];
  }
}

/** The layers of the model `name`'s stages compute on (the first model found through their inputs); undefined when unknown. */
export function prunableLayersOf(program: CompiledProgram, library: Library, name: string): string[] | undefined {
  const pending = program.declarations.filter((d) => d.name === name).flatMap((d) => d.stages);
  const seen = new Set<string>();
  while (pending.length > 0) {
    const key = pending.shift()!;
    if (seen.has(key)) continue;
    seen.add(key);
    const stage = program.stageByKey.get(key);
    if (!stage) continue;
    const model = modelOfStage(stage);
    if (model) return layersOf(library, model);
    pending.push(...Object.values(stage.inputs));
  }
  return undefined;
}

/** The layers of every model the program's stages use, each name once. */
export function allPrunableLayers(program: CompiledProgram, library: Library): string[] {
  const layers = new Set<string>();
  const models = new Set<string>();
  for (const stage of program.stages) {
    const model = modelOfStage(stage);
    if (!model || models.has(JSON.stringify(model))) continue;
    models.add(JSON.stringify(model));
    for (const layer of layersOf(library, model)) layers.add(layer);
  }
  return [...layers];
}
