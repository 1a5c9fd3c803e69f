// SHA-256 digests as 64 lowercase hex characters: the identity of stages and of stored blobs.
import { createHash } from 'node:crypto';

/** 64 lowercase hex characters of a SHA-256. */
export type Sha256Hex = string;

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function isSha256Hex(value: unknown): value is Sha256Hex {
  return typeof value === 'string' && SHA256_HEX.test(value);
}

/** The digest of text (as UTF-8) or bytes. */
export function sha256Hex(data: string | Uint8Array): Sha256Hex {
  return createHash('sha256').update(data).digest('hex');
}
