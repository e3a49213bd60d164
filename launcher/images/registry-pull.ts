// A registry image into the store: the manifest (an index resolves to linux/<this arch>), the
// config, then each layer the store lacks, streamed to disk and verified as it comes.

import { sha256Of } from './hashing';
import { imageErrors } from './errors';
import { writeBlob } from './blob-writer';
import type { ResolvedImage } from './install';
import { acceptedManifests, parseConfig, parseManifest, selectPlatform, type ImageManifest } from './manifest';
import { refName, type RegistryRef } from './reference';
import { RegistryClient, type RegistryOptions } from './registry-client';
import type { ImageStore } from './store';
import type { Progress } from './progress';
import type { HttpResponse } from './http-get';

const documentLimit = 8 * 1024 * 1024;

async function readDocument(res: HttpResponse, what: string, expected?: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await res.bytes(documentLimit);
  } catch (err) {
    throw imageErrors.HUSH_ERR_IMAGE_FORMAT(what, `not a manifest or config: ${(err as Error).message}`);
  }
  if (expected !== undefined && sha256Of(bytes) !== expected) throw imageErrors.HUSH_ERR_IMAGE_DIGEST(what, expected, sha256Of(bytes));
  return bytes;
}

/** Called with each layer once its blob is stored, so unpacking overlaps the other downloads. */
export type LayerStored = (index: number, digest: string, diffId: string | undefined) => Promise<void>;

export async function resolveRegistry(
  store: ImageStore,
  ref: RegistryRef,
  options: RegistryOptions,
  progress?: Progress,
  layerStored?: LayerStored,
): Promise<ResolvedImage> {
  const client = new RegistryClient(ref, options);
  const name = refName(ref);
  let reference = ref.digest ?? ref.tag!;
  let expected = ref.digest;
  let manifest: ImageManifest | undefined;
  let manifestDigest = '';
  for (let depth = 0; depth < 3 && !manifest; depth++) {
    const res = await client.get(`manifests/${reference}`, acceptedManifests);
    const bytes = await readDocument(res, `${name}: manifest`, expected);
    manifestDigest = sha256Of(bytes);
    const parsed = parseManifest(bytes, `${name}: manifest`, res.header('content-type'));
    if (parsed.kind === 'manifest') {
      store.writeSmallBlob(bytes);
      manifest = parsed.manifest;
    } else {
      reference = expected = selectPlatform(parsed.manifests).digest;
    }
  }
  if (!manifest) throw imageErrors.HUSH_ERR_IMAGE_FORMAT(name, 'indexes nested too deep');

  const configDigest = manifest.config.digest;
  const configBytes = store.hasBlob(configDigest)
    ? store.readSmallBlob(configDigest, `${name}: config`)
    : await readDocument(await client.get(`blobs/${configDigest}`), `${name}: config`, configDigest);
  store.writeSmallBlob(configBytes);
  const config = parseConfig(configBytes, `${name}: config`);

  // Up to four layers download at once, as podman does; each streams to disk, verified, and
  // is handed to layerStored (the unpacker) while the others still download.
  const pending = [...manifest.layers.entries()];
  const fetchBlob = async (i: number, digest: string, size: number | undefined): Promise<void> => {
    const what = `${name}: layer ${i + 1}/${manifest!.layers.length} ${digest}`;
    const release = await store.lock(`blob-${digest.slice(7)}`);
    try {
      if (store.hasBlob(digest)) return;
      const res = await client.get(`blobs/${digest}`);
      const body = res.body;
      body.on('data', (chunk: Buffer) => progress?.downloaded(chunk.length));
      await writeBlob(store, body, what, { digest, size });
    } finally {
      release();
    }
  };
  const download = async (): Promise<void> => {
    for (let next = pending.shift(); next; next = pending.shift()) {
      const [i, layer] = next;
      if (!store.hasBlob(layer.digest)) await fetchBlob(i, layer.digest, layer.size);
      await layerStored?.(i, layer.digest, config.rootfs.diff_ids[i]);
    }
  };
  // Every download settles (removing its temporary) before a failure is reported.
  const worker = () =>
    download().catch((err: unknown) => {
      pending.length = 0;
      throw err;
    });
  const failed = (await Promise.allSettled([worker(), worker(), worker(), worker()])).find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return { name, digest: manifestDigest, configDigest, config, layers: manifest.layers.map((l) => ({ digest: l.digest, size: l.size ?? 0 })) };
}
