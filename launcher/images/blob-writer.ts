// Streams a blob into the store, hashing as it goes: a different digest or size is an error
// and nothing is stored; without an expected digest, the blob is named by what came. (Kept
// apart from store.ts so that runs of stored images never load node:stream or node:crypto.)

import * as fs from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { imageErrors } from './errors';
import { HashingStream } from './hashing';
import type { ImageStore } from './store';

export async function writeBlob(store: ImageStore, source: Readable, what: string, expected?: { digest: string; size?: number }): Promise<{ digest: string; size: number }> {
  if (expected && store.hasBlob(expected.digest)) {
    source.resume();
    return { digest: expected.digest, size: fs.statSync(store.blobPath(expected.digest)).size };
  }
  const temp = store.tempPath('blob');
  const hashing = new HashingStream();
  try {
    await pipeline(source, hashing, fs.createWriteStream(temp, { flags: 'wx', mode: 0o644, flush: true }));
    const digest = hashing.digest();
    if (expected?.size !== undefined && hashing.bytes !== expected.size) {
      throw hashing.bytes < expected.size
        ? imageErrors.HUSH_ERR_IMAGE_TRUNCATED(what, `${hashing.bytes} of ${expected.size} bytes`)
        : imageErrors.HUSH_ERR_IMAGE_DIGEST(what, `${expected.size} bytes`, `${hashing.bytes}`);
    }
    if (expected && digest !== expected.digest) throw imageErrors.HUSH_ERR_IMAGE_DIGEST(what, expected.digest, digest);
    fs.renameSync(temp, store.blobPath(digest));
    return { digest, size: hashing.bytes };
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
}
