// One stored layer blob → a fresh directory, while its uncompressed stream is hashed: returns
// the diff_id. Run in the launcher, or (a rootless store with a subuid range) in the worker
// that hush-userns starts as root of the store's user namespace (unpack-worker.ts).

import * as fs from 'node:fs';
import { finished } from 'node:stream/promises';
import { pipeline, type Readable } from 'node:stream';
import { Decompressor } from './compression';
import { HashingStream } from './hashing';
import { unpackLayer, type UnpackOptions } from './unpack';

export async function unpackBlob(blob: string, target: string, options: UnpackOptions, onRead?: (bytes: number) => void): Promise<string> {
  const hashing = new HashingStream();
  const source = fs.createReadStream(blob);
  if (onRead) source.on('data', (chunk) => onRead(chunk.length));
  const tar = pipeline(source, new Decompressor(), hashing, () => undefined) as Readable;
  await unpackLayer(tar, target, options).catch((err: unknown) => {
    source.destroy();
    throw err;
  });
  tar.resume();
  await finished(hashing);
  return hashing.digest();
}
