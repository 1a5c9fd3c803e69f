// The probes of the standard library, one line each: a probe's file holds its signature, its subjects,
// its implementation and what the report draws of it.
import { accuracyModule } from './accuracy.ts';
import { ckaModule } from './cka.ts';
import type { ProbeModule } from './define.ts';
import { fourierModule } from './fourier.ts';
import { instabilityModule } from './instability.ts';
import { kernelDistanceModule } from './kernel-distance.ts';
import { linearizationModule } from './linearization.ts';
import { llcModule } from './llc.ts';
import { lossModule } from './loss.ts';
import { maskDistanceModule } from './mask-distance.ts';
import { maskOverlapModule } from './mask-overlap.ts';
import { sparsityModule } from './sparsity.ts';
import { unitRolesModule } from './unit-roles.ts';
import { weightDistanceModule } from './weight-distance.ts';

export const probeModules: readonly ProbeModule[] = [
  accuracyModule,
  lossModule,
  sparsityModule,
  maskOverlapModule,
  maskDistanceModule,
  weightDistanceModule,
  instabilityModule,
  linearizationModule,
  kernelDistanceModule,
  llcModule,
  ckaModule,
  unitRolesModule,
  fourierModule,
];
