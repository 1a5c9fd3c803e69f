// The registry of standard-library functions: one place where a name maps to its signature.
import type { Signature } from './signature.ts';
import { datasetSignatures } from './signatures/datasets.ts';
import { modelSignatures } from './signatures/models.ts';
import { initSignatures } from './signatures/inits.ts';
import { optimizerSignatures } from './signatures/optimizers.ts';
import { trainingSignatures } from './signatures/training.ts';
import { probeSignatures } from './signatures/probes.ts';

const all: Signature[] = [
  ...datasetSignatures,
  ...modelSignatures,
  ...initSignatures,
  ...optimizerSignatures,
  ...trainingSignatures,
  ...probeSignatures,
];

export const signatures: ReadonlyMap<string, Signature> = new Map(all.map((s) => [s.name, s]));

export function lookupSignature(name: string): Signature | undefined {
  return signatures.get(name);
}
