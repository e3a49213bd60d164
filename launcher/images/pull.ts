// `REF` → an image in the store, from wherever REF says, and the lookup that `--pull` decides
// on: `missing` uses a stored image (an archive or layout only while its file is unchanged),
// `always` fetches again (unchanged layers are not fetched or unpacked twice), `never` only
// uses the store.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { imageErrors } from './errors';
import { refName, type ImageRef } from './reference';
import type { ImageRecord, ImageStore } from './store';
import type { Progress } from './progress';

export type PullPolicy = 'missing' | 'always' | 'never';

export interface PullOptions {
  env: NodeJS.ProcessEnv;
  insecureHosts: readonly string[];
  progress?: Progress;
}

/** Size and mtime of a local source, so a rewritten archive is read again. */
function sourceStamp(ref: ImageRef): string | undefined {
  const file = ref.kind === 'registry' ? undefined : ref.kind === 'oci-layout' ? path.join(ref.dir, 'index.json') : ref.path;
  if (file === undefined) return undefined;
  try {
    const st = fs.statSync(file);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

function usable(store: ImageStore, record: ImageRecord | undefined): record is ImageRecord {
  return record !== undefined && record.layers.every((layer) => store.hasLayer(layer.diffId));
}

export async function pullImage(store: ImageStore, ref: ImageRef, options: PullOptions): Promise<ImageRecord> {
  const name = refName(ref);
  const stamp = sourceStamp(ref);
  // Loaded here, not at the top: a run of a stored image needs none of them.
  const { aciConfig, ingestAci } = require('./aci') as typeof import('./aci');
  const { resolveDockerArchive } = require('./docker-archive') as typeof import('./docker-archive');
  const { installImage } = require('./install') as typeof import('./install');
  const { resolveOciArchive, resolveOciDir } = require('./oci-layout') as typeof import('./oci-layout');
  const { authFiles } = require('./registry-auth') as typeof import('./registry-auth');
  const { resolveRegistry } = require('./registry-pull') as typeof import('./registry-pull');
  const done = store.beginPull();
  try {
    const progress = options.progress;
    let record: ImageRecord;
    switch (ref.kind) {
      case 'registry':
        record = await installImage(store, await resolveRegistry(store, ref, { insecureHosts: options.insecureHosts, authFiles: authFiles(options.env) }, progress), progress);
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
        record = await pullAci(store, name, ref.path, ingestAci, aciConfig, progress);
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

async function pullAci(
  store: ImageStore,
  name: string,
  file: string,
  ingestAci: typeof import('./aci').ingestAci,
  aciConfig: typeof import('./aci').aciConfig,
  progress?: Progress,
): Promise<ImageRecord> {
  const { installLayer } = require('./install') as typeof import('./install');
  const { blob, manifest } = await ingestAci(store, file, progress);
  progress?.layerStarted('rootfs', blob.size);
  const diffId = await installLayer(store, { digest: blob.digest, under: 'rootfs', label: `${file} rootfs` }, progress);
  const config = aciConfig(manifest, diffId);
  const configDigest = store.writeSmallBlob(Buffer.from(JSON.stringify(config)));
  const record: ImageRecord = { name, digest: blob.digest, config: configDigest, layers: [{ digest: blob.digest, diffId, size: blob.size, format: 'aci' }], pulledAt: new Date().toISOString() };
  store.writeRecord(record);
  return record;
}

/** The stored image for `ref`, fetching it as `policy` says. */
export async function ensureImage(store: ImageStore, ref: ImageRef, policy: PullPolicy, options: PullOptions): Promise<ImageRecord> {
  const name = refName(ref);
  const stored = store.readRecord(name);
  if (policy === 'never') {
    if (!usable(store, stored)) throw imageErrors.HUSH_ERR_IMAGE_NOT_PULLED(name);
    return stored;
  }
  if (policy === 'missing' && usable(store, stored) && (ref.kind === 'registry' || stored.sourceStamp === sourceStamp(ref))) return stored;
  return pullImage(store, ref, options);
}
