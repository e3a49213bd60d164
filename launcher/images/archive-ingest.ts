// Reads an archive (docker save, an OCI archive) in one pass: every regular file streams into
// the blob store (a file under blobs/sha256/ must hash to its name), and the small JSON files
// that describe the images are kept in memory to be read once the pass is done.

import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import { isDigest } from './digest';
import { imageErrors } from './errors';
import { writeBlob } from './blob-writer';
import { pathComponents } from './safe-dir';
import type { ImageStore } from './store';
import { readTar } from './tar-reader';
import type { Progress } from './progress';

export interface IngestedArchive {
  /** Every regular file by its normalised path. */
  files: Map<string, { digest: string; size: number }>;
  /** The bytes of the small files (JSON documents, manifests in blobs/). */
  small: Map<string, Buffer>;
}

const smallLimit = 4 * 1024 * 1024;

function normalised(name: string): string {
  return pathComponents(name).join('/');
}

async function readSmall(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function ingestArchive(store: ImageStore, file: string, progress?: Progress): Promise<IngestedArchive> {
  const result: IngestedArchive = { files: new Map(), small: new Map() };
  let source: fs.ReadStream;
  try {
    fs.accessSync(file, fs.constants.R_OK);
    source = fs.createReadStream(file);
  } catch (err) {
    throw imageErrors.HUSH_ERR_IMAGE_NOT_FOUND(`${file} (${(err as NodeJS.ErrnoException).code})`);
  }
  source.on('data', (chunk) => progress?.downloaded(chunk.length));
  try {
    await readTar(source, async (entry, body) => {
      if (entry.type !== 'file') return;
      let name: string;
      try {
        name = normalised(entry.name);
      } catch {
        throw imageErrors.HUSH_ERR_IMAGE_FORMAT(file, `bad entry name ${JSON.stringify(entry.name)}`);
      }
      const hex = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name)?.[1];
      const expected = hex ? { digest: `sha256:${hex}`, size: entry.size } : undefined;
      if (entry.size <= smallLimit && (hex || /(^|\/)[^/]*\.json$|^oci-layout$|^repositories$/.test(name))) {
        const bytes = await readSmall(body);
        const digest = store.writeSmallBlob(bytes);
        if (expected && digest !== expected.digest) throw imageErrors.HUSH_ERR_IMAGE_DIGEST(`${file}: ${name}`, expected.digest, digest);
        result.small.set(name, bytes);
        result.files.set(name, { digest, size: bytes.length });
        return;
      }
      const stored = await writeBlob(store, body, `${file}: ${name}`, expected);
      result.files.set(name, stored);
    });
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('HUSH_ERR_')) throw err;
    throw imageErrors.HUSH_ERR_IMAGE_TRUNCATED(file, (err as Error).message);
  }
  return result;
}

export function smallJson(archive: IngestedArchive, name: string, where: string): unknown {
  const bytes = archive.small.get(name);
  if (!bytes) throw imageErrors.HUSH_ERR_IMAGE_FORMAT(where, `${name} is missing`);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw imageErrors.HUSH_ERR_IMAGE_FORMAT(where, `${name} is not JSON`);
  }
}

export { isDigest };
