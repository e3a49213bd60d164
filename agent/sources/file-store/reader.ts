// The live reader for the agent: re-reads and fully verifies the file on every read(), but
// runs the KDF only when the key section (wrap) changed, and decrypts only entries whose
// nonce/ciphertext changed since the last good read.

import { StoreCredentials, resolveCredentials, ResolvedCredentials } from './credentials';
import type { EntryCache } from './model';
import { readStoreFile } from './read-file';
import { openStoreBytes } from './store-file';
import { KeyCache } from './unlock';

export interface StoreSnapshot {
  generation: number;
  entries: ReadonlyMap<string, { value: Uint8Array; updatedAt: string }>;
}

export interface StoreReader {
  read(): Promise<StoreSnapshot>;
}

/** The reader, plus counters for tests and diagnostics. */
export interface CountingStoreReader extends StoreReader {
  readonly stats: { reads: number; unwraps: number };
}

export function createStoreReader(path: string, credentials: StoreCredentials): CountingStoreReader {
  let creds: ResolvedCredentials | undefined;
  const stats = { reads: 0, unwraps: 0 };
  const keys = new KeyCache(() => stats.unwraps++);
  const entries: EntryCache = new Map();
  return {
    stats,
    async read() {
      stats.reads++;
      creds ??= resolveCredentials(credentials);
      const bytes = await readStoreFile(path);
      const opened = await openStoreBytes(bytes, creds, path, { keys, entries });
      return { generation: opened.doc.generation, entries: opened.values };
    },
  };
}
