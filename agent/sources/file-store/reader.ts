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

export function createStoreReader(path: string, credentials: StoreCredentials): StoreReader {
  let creds: ResolvedCredentials | undefined;
  const keys = new KeyCache();
  const entries: EntryCache = new Map();
  return {
    async read() {
      creds ??= resolveCredentials(credentials);
      const bytes = await readStoreFile(path);
      const opened = await openStoreBytes(bytes, creds, path, { keys, entries });
      return { generation: opened.doc.generation, entries: opened.values };
    },
  };
}
