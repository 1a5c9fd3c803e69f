// The diverged training runs a probe row measured: the train stages among the inputs of the row's stage
// whose records say their run had diverged by that checkpoint (runtime/divergence.ts). Read-only.
import type { CompiledProgram } from '../compiler/compile.ts';
import { divergenceOf, type Divergence } from '../runtime/divergence.ts';
import type { Store } from '../runtime/store/index.ts';
import { oncePerKey } from './once-per-key.ts';

export interface DivergedInput extends Divergence {
  /** The train stage, by name (`dense 0→480`, `ticket[3]`). */
  stage: string;
}

export class DivergedInputs {
  readonly #program: CompiledProgram;
  readonly #store: Store;
  /** One lookup per train stage, however many rows measure it. */
  readonly #divergedRun = oncePerKey((key) => this.#read(key));

  constructor(program: CompiledProgram, store: Store) {
    this.#program = program;
    this.#store = store;
  }

  /** Those of `probeStage`'s inputs that are diverged training runs, in the order of its inputs. */
  async of(probeStage: string): Promise<DivergedInput[]> {
    const inputs = Object.values(this.#program.stageByKey.get(probeStage)?.inputs ?? {});
    const found = await Promise.all(inputs.map((key) => this.#divergedRun(key)));
    return found.filter((input) => input !== undefined);
  }

  async #read(key: string): Promise<DivergedInput | undefined> {
    const stage = this.#program.stageByKey.get(key);
    if (stage?.kind !== 'train') return undefined;
    const diverged = divergenceOf((await this.#store.lookup(key))?.metrics);
    return diverged === undefined ? undefined : { stage: stage.name, ...diverged };
  }
}
