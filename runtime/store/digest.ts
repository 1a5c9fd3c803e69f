// SHA-256 digests as 64 lowercase hex characters: the identity of blobs and the shape of stage keys.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export { isSha256Hex, sha256Hex, type Sha256Hex } from '../../core/hash.ts';
import type { Sha256Hex } from '../../core/hash.ts';

/** Hash a file without holding it in memory (checkpoints can be large). */
export async function sha256OfFile(path: string): Promise<Sha256Hex> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
