// SHA-256 digests as 64 lowercase hex characters: the identity of blobs and the shape of stage keys.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** 64 lowercase hex characters of a SHA-256. */
export type Sha256Hex = string;

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function isSha256Hex(value: unknown): value is Sha256Hex {
  return typeof value === 'string' && SHA256_HEX.test(value);
}

export function sha256Hex(bytes: Uint8Array): Sha256Hex {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Hash a file without holding it in memory (checkpoints can be large). */
export async function sha256OfFile(path: string): Promise<Sha256Hex> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
