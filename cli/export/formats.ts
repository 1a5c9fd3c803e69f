// The file formats `ltx export --format` writes, each with its file extension.
import type { NamedTensor } from '../../runtime/store/index.ts';
import { encodeNpz } from './npz.ts';
import { encodeSafetensors } from './safetensors.ts';

export interface ExportFormat {
  extension: string;
  encode(tensors: readonly NamedTensor[], metadata: Readonly<Record<string, string>>): Uint8Array;
}

export const EXPORT_FORMATS = {
  safetensors: { extension: '.safetensors', encode: encodeSafetensors },
  npz: { extension: '.npz', encode: encodeNpz },
} as const satisfies Record<string, ExportFormat>;

export type ExportFormatName = keyof typeof EXPORT_FORMATS;
