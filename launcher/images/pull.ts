// `REF` → an image in the store, from wherever REF says. Fetching again (`--pull always`)
// neither fetches nor unpacks a layer the store already has.

import * as fs from 'node:fs';
import { aciConfig, ingestAci } from './aci';
import { resolveDockerArchive } from './docker-archive';
import { installImage, installLayer } from './install';
import { resolveOciArchive, resolveOciDir } from './oci-layout';
import { refName, type ImageRef } from './reference';
import { authFiles } from './registry-auth';
import { resolveRegistry } from './registry-pull';
import { sourceStamp } from './stored-image';
import type { ImageRecord, ImageStore } from './store';
import type { Progress } from './progress';

export interface PullOptions {
  env: NodeJS.ProcessEnv;
  insecureHosts: readonly string[];
  progress?: Progress;
}

export async function pullImage(store: ImageStore, ref: ImageRef, options: PullOptions): Promise<ImageRecord> {
  const name = refName(ref);
  const stamp = sourceStamp(ref);
  const done = store.beginPull();
  try {
    const progress = options.progress;
    let record: ImageRecord;
    switch (ref.kind) {
      case 'registry':
        record = await installImage(
          store,
          await resolveRegistry(store, ref, { insecureHosts: options.insecureHosts, authFiles: authFiles(options.env) }, progress, async (i, digest, diffId) => {
            if (diffId === undefined || store.hasLayer(diffId)) return;
            progress?.layerStarted(`layer ${i + 1} (${digest.slice(7, 19)})`, fs.statSync(store.blobPath(digest)).size);
            await installLayer(store, { digest, diffId, label: `layer ${i + 1} (${digest.slice(7, 19)})` }, progress);
          }),
          progress,
        );
        break;
      case 'docker-archive':
        record = await installImage(store, await resolveDockerArchive(store, name, ref.path, ref.pick, progress), progress);
        break;
      case 'oci-archive':
        record = await installImage(store, await resolveOciArchive(store, name, ref.path, ref.tag, progress), progress);
        break;
      case 'oci-layout':
        record = await installImage(store, await resolveOciDir(store, name, ref.dir, ref.tag, progress), progress);
        break;
      case 'aci':
        record = await pullAci(store, name, ref.path, progress);
        break;
    }
    if (stamp !== undefined) {
      record = { ...record, sourceStamp: stamp };
      store.writeRecord(record);
    }
    return record;
  } finally {
    done();
  }
}

async function pullAci(store: ImageStore, name: string, file: string, progress?: Progress): Promise<ImageRecord> {
  const { blob, manifest } = await ingestAci(store, file, progress);
  progress?.layerStarted('rootfs', blob.size);
  const diffId = await installLayer(store, { digest: blob.digest, under: 'rootfs', label: `${file} rootfs` }, progress);
  const config = aciConfig(manifest, diffId);
  const configDigest = store.writeSmallBlob(Buffer.from(JSON.stringify(config)));
  const record: ImageRecord = { name, digest: blob.digest, config: configDigest, layers: [{ digest: blob.digest, diffId, size: blob.size, format: 'aci' }], pulledAt: new Date().toISOString() };
  store.writeRecord(record);
  return record;
}
