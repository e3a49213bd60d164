// From blobs in the store to an image that runs: each layer unpacked once into layers/<diff_id>
// (checked by hashing the uncompressed stream while it unpacks), then the image's record.
// A layer appears only by rename of a complete, verified directory; a failure removes the
// temporary, so nothing half-unpacked is ever used.

import * as fs from 'node:fs';
import { digestHex } from './digest';
import { imageErrors } from './errors';
import type { ImageConfig } from './manifest';
import type { ImageRecord, ImageStore, LayerRecord } from './store';
import { unpackBlob } from './unpack-blob';
import type { Progress } from './progress';

export interface ResolvedImage {
  name: string;
  /** Manifest digest, or the config digest when the source has no manifest. */
  digest: string;
  configDigest: string;
  config: ImageConfig;
  layers: { digest: string; size: number }[];
}

const asRoot = () => process.getuid?.() === 0;

/** Unpacks the blob `digest` into layers/<diff_id>; returns the diff_id (computed if not given). */
export async function installLayer(
  store: ImageStore,
  layer: { digest: string; diffId?: string; under?: string; label: string },
  progress?: Progress,
): Promise<string> {
  if (layer.diffId && store.hasLayer(layer.diffId)) return layer.diffId;
  if (!store.hasBlob(layer.digest)) throw imageErrors.HUSH_ERR_IMAGE_MISSING_BLOB(layer.label, layer.digest);
  const release = await store.lock(`layer-${digestHex(layer.diffId ?? layer.digest)}`);
  try {
    if (layer.diffId && store.hasLayer(layer.diffId)) return layer.diffId;
    const temp = store.tempPath('layer');
    fs.mkdirSync(temp, 0o755);
    try {
      const blob = store.blobPath(layer.digest);
      let diffId: string;
      if (store.owners.kind === 'userns') {
        // Owners shifted by the maps: unpacked as root of the store's user namespace.
        const { unpackInUserns } = require('./userns-unpack') as typeof import('./userns-unpack');
        diffId = await unpackInUserns(store.owners, blob, temp, layer.label, layer.under);
        progress?.unpacked(fs.statSync(blob).size);
      } else {
        diffId = await unpackBlob(blob, temp, { asRoot: asRoot(), layer: layer.label, under: layer.under }, (bytes) => progress?.unpacked(bytes));
      }
      if (layer.diffId && diffId !== layer.diffId) throw imageErrors.HUSH_ERR_IMAGE_DIGEST(`${layer.label} (uncompressed)`, layer.diffId, diffId);
      try {
        fs.renameSync(temp, store.layerDir(diffId));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
        store.removeTree(temp);
      }
      return diffId;
    } catch (err) {
      store.removeTree(temp);
      throw err;
    }
  } finally {
    release();
  }
}

/** Unpacks every layer of `image` and records it under its name. */
export async function installImage(store: ImageStore, image: ResolvedImage, progress?: Progress): Promise<ImageRecord> {
  const diffIds = image.config.rootfs.diff_ids;
  if (diffIds.length !== image.layers.length) {
    throw imageErrors.HUSH_ERR_IMAGE_FORMAT(image.name, `the manifest has ${image.layers.length} layers, the config ${diffIds.length} diff_ids`);
  }
  // Layers are independent directories: up to three unpack at once (inflating runs on
  // libuv's threads, hashing and writing here). Every one settles before a failure is
  // reported, so none is left half-done.
  const layers: LayerRecord[] = image.layers.map((layer, i) => ({ digest: layer.digest, diffId: diffIds[i], size: layer.size }));
  const pending = [...layers.entries()];
  const worker = async (): Promise<void> => {
    for (let next = pending.shift(); next; next = pending.shift()) {
      const [i, layer] = next;
      const label = `layer ${i + 1}/${layers.length} (${layer.digest.slice(7, 19)})`;
      if (store.hasLayer(layer.diffId)) continue;
      progress?.layerStarted(label, layer.size);
      try {
        await installLayer(store, { digest: layer.digest, diffId: layer.diffId, label }, progress);
      } catch (err) {
        pending.length = 0;
        throw err;
      }
    }
  };
  const failed = (await Promise.allSettled([worker(), worker(), worker()])).find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  const record: ImageRecord = {
    name: image.name,
    digest: image.digest,
    config: image.configDigest,
    layers,
    created: image.config.created,
    pulledAt: new Date().toISOString(),
  };
  store.writeRecord(record);
  return record;
}
