// Shared test scaffolding: throwaway store roots and stage keys.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { CommitInfo } from '../../runtime/store/index.ts';

/** A fresh directory for one test's store, removed when the file's tests finish. */
export async function freshStoreRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'ltx-store-test-'));
  after(() => rm(root, { recursive: true, force: true }));
  return join(root, '.ltx-cache');
}

/** A stage key standing in for the compiler's hash of a preimage. */
export function keyFor(label: string): string {
  return createHash('sha256').update(label).digest('hex');
}

export const commitInfo: CommitInfo = {
  startedAt: '2025-01-01T00:00:00.000Z',
  finishedAt: '2025-01-01T00:00:02.500Z',
  backend: 'cpu',
  ltxVersion: '0.1.0',
};

export function bytesOf(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
