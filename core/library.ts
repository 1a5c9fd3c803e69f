// The library of ops a program is compiled against and run with: the standard library's, or one a test
// builds with extra ops. The compiler and the runtime receive it; neither names an op.
import type { LoweringRule, OpCatalog, OpModule, StageBatching, StageImplementation } from './op.ts';
import type { Stage } from './stage.ts';

/**
 * What the runtime computes stages with: the implementation of each stage op, and the ops their stages
 * name (models, init schemes), which it hands to every stage. A Library is one; the runtime's tests bring
 * smaller ones.
 */
export interface StageLibrary extends OpCatalog {
  /** The implementation of a stage op (`train`, `magnitude`, `accuracy`, …), if the library has it. */
  implementationFor(stageOp: string): StageImplementation | undefined;
  /** How stages of a stage op run together (core/op.ts), if they can; a library without it computes every stage alone. */
  batchingFor?(stageOp: string): StageBatching | undefined;
}

export interface Library extends StageLibrary {
  /** Every op by the name programs call it with. */
  readonly ops: ReadonlyMap<string, OpModule>;
  /** The one op that lowers by `rule` among the structural rules (run, masks, rewind, reinit). */
  opWithRule(rule: LoweringRule): OpModule;
}

/** The rules one op must provide for the compiler to build the stages of the language's sugar. */
export const STRUCTURAL_RULES: readonly LoweringRule[] = ['run', 'magnitude-mask', 'random-mask', 'rewind', 'reinit'];

/** The group a stage may compute with (StageBatching.groupKey of its op), or undefined when it computes alone. */
export function groupKeyOf(library: StageLibrary, stage: Stage): string | undefined {
  return library.batchingFor?.(stage.op)?.groupKey(stage);
}

/** The op a module's stages carry: its `stageOp`, or its name. */
export function stageOpOf(module: OpModule): string {
  return module.stageOp ?? module.name;
}

/** A library from op modules; throws when two share a name or a structural rule has no single op. */
export function createLibrary(modules: readonly OpModule[]): Library {
  const ops = new Map<string, OpModule>();
  for (const module of modules) {
    if (ops.has(module.name)) throw new Error(`two ops are named '${module.name}'`);
    ops.set(module.name, module);
  }
  const byRule = new Map<LoweringRule, OpModule>();
  for (const rule of STRUCTURAL_RULES) {
    const providers = modules.filter((m) => m.lowering.rule === rule);
    if (providers.length !== 1) throw new Error(`the library needs exactly one op with the '${rule}' rule, found ${providers.length}`);
    byRule.set(rule, providers[0]!);
  }
  const implementations = new Map<string, StageImplementation>();
  const batchings = new Map<string, StageBatching>();
  for (const module of modules) {
    if (!module.implementation) continue;
    const stageOp = stageOpOf(module);
    const existing = implementations.get(stageOp);
    if (existing && existing !== module.implementation) throw new Error(`two implementations of the stage op '${stageOp}'`);
    implementations.set(stageOp, module.implementation);
    if (module.batching) batchings.set(stageOp, module.batching);
  }
  return {
    ops,
    op: (name) => ops.get(name),
    opWithRule: (rule) => {
      const module = byRule.get(rule);
      if (!module) throw new Error(`'${rule}' is not a structural rule`);
      return module;
    },
    implementationFor: (stageOp) => implementations.get(stageOp),
    batchingFor: (stageOp) => batchings.get(stageOp),
  };
}
