// Plain-data masks as the pruning functions take and return them.
export interface MaskTensor {
  shape: number[];
  /** 1 = kept, 0 = pruned. */
  data: Uint8Array;
}

export type MaskMap = Map<string, MaskTensor>;

export function keptCount(mask: MaskTensor): number {
  let kept = 0;
  for (let i = 0; i < mask.data.length; i++) kept += mask.data[i]!;
  return kept;
}
