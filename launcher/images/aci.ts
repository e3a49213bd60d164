// rkt's App Container Images: a tar (often gzipped) of `manifest` and `rootfs/`. The whole
// file is one blob and one layer (its rootfs/); the manifest's app becomes an image config.

import * as fs from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import { Decompressor } from './compression';
import { imageErrors } from './errors';
import { writeBlob } from './blob-writer';
import type { ImageConfig } from './manifest';
import type { ImageStore } from './store';
import { readTar } from './tar-reader';
import type { Progress } from './progress';

interface AciManifest {
  acKind?: string;
  name?: string;
  app?: {
    exec?: string[];
    user?: string;
    group?: string;
    workingDirectory?: string;
    environment?: { name: string; value: string }[];
  };
}

export interface ResolvedAci {
  blob: { digest: string; size: number };
  manifest: AciManifest;
}

export async function ingestAci(store: ImageStore, file: string, progress?: Progress): Promise<ResolvedAci> {
  if (!fs.existsSync(file)) throw imageErrors.HUSH_ERR_IMAGE_NOT_FOUND(file);
  const source = fs.createReadStream(file);
  source.on('data', (chunk) => progress?.downloaded(chunk.length));
  const blob = await writeBlob(store, source, file);
  let manifestBytes: Buffer | undefined;
  try {
    const tar = pipeline(fs.createReadStream(store.blobPath(blob.digest)), new Decompressor(), () => undefined) as Readable;
    await readTar(tar, async (entry, body) => {
      if (entry.type !== 'file' || entry.name.replace(/^\.?\//, '') !== 'manifest' || entry.size > 1024 * 1024) return;
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      manifestBytes = Buffer.concat(chunks);
    });
  } catch (err) {
    throw imageErrors.HUSH_ERR_IMAGE_TRUNCATED(file, (err as Error).message);
  }
  if (!manifestBytes) throw imageErrors.HUSH_ERR_IMAGE_FORMAT(file, 'no manifest: not an ACI');
  let manifest: AciManifest;
  try {
    manifest = JSON.parse(manifestBytes.toString('utf8')) as AciManifest;
  } catch {
    throw imageErrors.HUSH_ERR_IMAGE_FORMAT(file, 'the manifest is not JSON');
  }
  if (manifest.acKind !== 'ImageManifest') throw imageErrors.HUSH_ERR_IMAGE_FORMAT(file, `acKind is ${JSON.stringify(manifest.acKind)}, not "ImageManifest"`);
  return { blob, manifest };
}

/** The ACI app in image-config terms, over the layer unpacked as diffId. */
export function aciConfig(manifest: AciManifest, diffId: string): ImageConfig {
  const app = manifest.app ?? {};
  const user = app.user ?? '0';
  return {
    config: {
      Entrypoint: app.exec ?? null,
      Cmd: null,
      Env: (app.environment ?? []).map((e) => `${e.name}=${e.value}`),
      WorkingDir: app.workingDirectory,
      User: app.group !== undefined ? `${user}:${app.group}` : user,
    },
    rootfs: { type: 'layers', diff_ids: [diffId] },
  };
}
