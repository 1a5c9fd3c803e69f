// The layers of the model a declaration's weights belong to, read from its compiled stages: the prunable
// ones are what `skip:` and `rates:` may name where that declaration is pruned, the hidden ones what a
// representation probe's `layer:` may name where it is compared (editors complete them).
import type { Library } from '../core/library.ts';
import type { OpParams } from '../core/op.ts';
import type { Stage } from '../core/stage.ts';
import type { CompiledProgram } from './compile.ts';

/** Prunable: the layers holding a prunable kernel; hidden: the representations its forward exposes. */
export type LayerKind = 'prunable' | 'hidden';

interface ModelJson {
  op: string;
  params: OpParams;
}

function modelOfStage(stage: Stage): ModelJson | undefined {
  const model = stage.params.model as unknown as ModelJson | undefined;
  return model && typeof model === 'object' && typeof model.op === 'string' ? model : undefined;
}

function layersOf(library: Library, model: ModelJson, kind: LayerKind): string[] {
  const lowering = library.op(model.op)?.lowering;
  if (lowering?.rule !== 'model') return [];
  try {
    const shape = lowering.shape(model.params);
    return kind === 'prunable' ? shape.prunableLayers : shape.hiddenLayers;
  } catch {
    return [];
  }
}

/** The layers of the model `name`'s stages compute on (the first model found through their inputs); undefined when unknown. */
export function modelLayersOf(program: CompiledProgram, library: Library, name: string, kind: LayerKind): string[] | undefined {
  const pending = program.declarations.filter((d) => d.name === name).flatMap((d) => d.stages);
  const seen = new Set<string>();
  while (pending.length > 0) {
    const key = pending.shift()!;
    if (seen.has(key)) continue;
    seen.add(key);
    const stage = program.stageByKey.get(key);
    if (!stage) continue;
    const model = modelOfStage(stage);
    if (model) return layersOf(library, model, kind);
    pending.push(...Object.values(stage.inputs));
  }
  return undefined;
}

/** The layers of every model the program's stages use, each name once. */
export function allModelLayers(program: CompiledProgram, library: Library, kind: LayerKind): string[] {
  const layers = new Set<string>();
  const models = new Set<string>();
  for (const stage of program.stages) {
    const model = modelOfStage(stage);
    if (!model || models.has(JSON.stringify(model))) continue;
    models.add(JSON.stringify(model));
    for (const layer of layersOf(library, model, kind)) layers.add(layer);
  }
  return [...layers];
}
