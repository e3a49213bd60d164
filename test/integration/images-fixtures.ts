// Tar archives made in the tests (tar-stream's packer), including hostile ones.

import * as tarStream from 'tar-stream';
import { gzipSync } from 'node:zlib';

export interface FixtureEntry extends Partial<tarStream.Headers> {
  name: string;
  body?: string | Buffer;
}

export async function makeTar(entries: FixtureEntry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const { body, ...header } of entries) {
    await new Promise<void>((resolve, reject) => {
      const bytes = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body);
      pack.entry({ type: 'file', mode: 0o644, mtime: new Date(1_600_000_000_000), ...header, size: bytes.length }, bytes, (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export const gzip = (bytes: Buffer): Buffer => gzipSync(bytes);
