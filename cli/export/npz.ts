// NumPy's .npz: a ZIP of one NAME.npy per array, what np.savez writes and np.load reads back as a
// mapping from NAME to array. The metadata rides along as `__metadata__`, a string holding JSON.
import type { NamedTensor } from '../../runtime/store/index.ts';
import { stringNpy, tensorNpy } from './npy.ts';
import { zipStored } from './zip.ts';

export const NPZ_METADATA_KEY = '__metadata__';

export function encodeNpz(tensors: readonly NamedTensor[], metadata: Readonly<Record<string, string>>): Uint8Array {
  const entries = tensors.map((tensor) => {
    if (tensor.name === NPZ_METADATA_KEY) throw new Error(`npz: the name ${NPZ_METADATA_KEY} is taken by the metadata`);
    return { name: `${tensor.name}.npy`, bytes: tensorNpy(tensor) };
  });
  entries.push({ name: `${NPZ_METADATA_KEY}.npy`, bytes: stringNpy(JSON.stringify(metadata)) });
  return zipStored(entries);
}
