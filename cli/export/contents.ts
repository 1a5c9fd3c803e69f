// What an exported file holds: a checkpoint's weights by parameter name (`layer1.weight`, …) and, when
// it trains under a mask, that mask as uint8 `mask.<parameter>`; a mask's uint8 arrays by parameter
// name. Optimizer state stays in ltx (it is only for resuming a run). Metadata: string → string, JSON
// where a value has structure, the same in every format.
import type { Checkpoint, Mask } from '../../core/artifacts.ts';
import type { NamedTensor } from '../../runtime/store/index.ts';
import { layoutFor, type ExportLayout } from './layout.ts';
import type { ExportMember } from './targets.ts';

export const MASK_PREFIX = 'mask.';

export interface ExportContents {
  tensors: NamedTensor[];
  metadata: Record<string, string>;
}

/** Where the artifact comes from, for the metadata. */
export interface Provenance {
  member: ExportMember;
  /** The program file as given on the command line. */
  program: string;
  layout: ExportLayout;
  ltxVersion: string;
}

export function exportContents(artifact: Checkpoint | Mask, from: Provenance): ExportContents {
  const inLayout = layoutFor(from.layout, artifact.model);
  const masks = (mask: Mask, prefix: string): NamedTensor[] => [...mask.masks].map(([param, m]) => {
    const { shape, data } = inLayout(param, m);
    return { name: prefix + param, dtype: 'uint8', shape, data };
  });
  const tensors = artifact.kind === 'mask' ? masks(artifact, '') : [
    ...[...artifact.weights].map(([param, w]): NamedTensor => {
      const { shape, data } = inLayout(param, w);
      return { name: param, dtype: 'float32', shape, data };
    }),
    ...(artifact.mask ? masks(artifact.mask, MASK_PREFIX) : []),
  ];
  const metadata: Record<string, string> = {
    artifact: artifact.kind,
    name: from.member.label,
    coordinates: JSON.stringify(from.member.coordinates),
    model: JSON.stringify(artifact.model),
    ...(artifact.kind === 'checkpoint' ? { step: String(artifact.step), masked: String(artifact.mask !== undefined) } : {}),
    stage_key: from.member.stage.key,
    program: from.program,
    layout: from.layout,
    ltx_version: from.ltxVersion,
  };
  return { tensors, metadata };
}
