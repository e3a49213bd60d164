// The encrypted file store as a secret source. Every fetch re-reads and verifies the whole
// file (the reader skips the KDF and unchanged entries), and a watcher on the file's directory
// tells the runner when it changed: editors and `hush store` save by rename, which replaces the
// inode a watch on the file itself would follow.

import * as path from 'node:path';
import type { Logger } from '../log';
import { errorMessage } from '../errors';
import type { FetchResult, SecretSource } from '../ports/secret-source';
import { createStoreReader, type StoreCredentials, type StoreReader } from './file-store';

export interface FileStoreSourceOptions {
  name: string;
  path: string;
  credentials: StoreCredentials;
  logger: Logger;
  /** For tests: a reader other than the real one. */
  reader?: StoreReader;
}

export function createFileStoreSource(options: FileStoreSourceOptions): SecretSource {
  const { logger } = options;
  const storePath = path.resolve(options.path);
  const reader = options.reader ?? createStoreReader(storePath, options.credentials);
  let highestGeneration = -1;
  const closers: (() => Promise<void>)[] = [];

  return {
    name: options.name,
    type: 'file',
    async fetch(keys) {
      const results = new Map<string, FetchResult>();
      try {
        const snapshot = await reader.read();
        if (snapshot.generation < highestGeneration) {
          logger.warn('the store went back to an older generation (a rollback, or an old copy restored)', {
            store: storePath,
            generation: snapshot.generation,
            seen: highestGeneration,
          });
        }
        highestGeneration = Math.max(highestGeneration, snapshot.generation);
        for (const key of keys) {
          const entry = snapshot.entries.get(key);
          results.set(
            key,
            entry
              ? { ok: true, secret: { key, data: entry.value, version: `generation ${snapshot.generation}` } }
              : { ok: false, missing: true, reason: `no entry '${key}' in store ${storePath}` },
          );
        }
      } catch (err) {
        const reason = errorMessage(err);
        for (const key of keys) results.set(key, { ok: false, missing: false, reason });
      }
      return results;
    },
    watch(onChange) {
      // chokidar is loaded only by runs that watch a store.
      const { watch } = require('chokidar') as typeof import('chokidar');
      const base = path.basename(storePath);
      const watcher = watch(path.dirname(storePath), {
        depth: 0,
        ignoreInitial: true,
        ignored: (p: string) => p !== path.dirname(storePath) && path.basename(p) !== base,
      });
      // chokidar's change events coalesce and drop rename-saves that follow each other within
      // a few milliseconds (measured: 217 events for 300 saves); its raw inotify events miss
      // none. The runner coalesces the extra wake-ups into one fetch.
      watcher.on('raw', (_event: string, changed: string) => {
        if (path.basename(changed) === base) onChange();
      });
      // The watch is armed asynchronously; a save that lands before it is ready would go
      // unseen until the next poll, so read once more when it is.
      watcher.on('ready', () => onChange());
      watcher.on('error', (err: unknown) => logger.warn('watching the store failed', { store: storePath, error: errorMessage(err) }));
      const close = () => watcher.close();
      closers.push(close);
      return () => void close();
    },
    async close() {
      await Promise.all(closers.splice(0).map((c) => c()));
    },
  };
}
