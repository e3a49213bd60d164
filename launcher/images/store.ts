// The content-addressed image store:
//   blobs/sha256/<hex>       manifests, configs and compressed layers, by digest
//   layers/<hex>/            each layer unpacked once, named by its diff_id (rootless: one
//                            layers-<maps>/ per id mapping, layers shifted by it, see
//                            launcher/rootless/layer-owners.ts)
//   refs/<name>.json         one record per image name (ImageRecord), base64url of the name
//   tmp/<pid>.<n>.<what>     work in progress, renamed into place when complete
//   locks/<what>             advisory locks (store-lock.ts)
// Nothing is used before its rename, so a crash leaves only temporaries, which the next
// start removes when their owner is gone. node:crypto and node:stream load only to write: a
// run of a stored image reads records and configs without them (they cost start-up time).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { digestHex } from './digest';
import { imageErrors } from './errors';
import { acquireLock, ownerPid, processAlive } from './store-lock';
import { layerOwners, type LayerOwners } from '../rootless/layer-owners';

export interface LayerRecord {
  /** Digest of the blob as stored (compressed or not). */
  digest: string;
  /** Digest of the uncompressed tar: the unpacked directory's name. */
  diffId: string;
  size: number;
  /** 'tar' for layers, 'aci' for an ACI's rootfs/. */
  format?: 'tar' | 'aci';
}

export interface ImageRecord {
  name: string;
  /** The manifest's digest (registry, OCI), or the config's for archives without one. */
  digest: string;
  config: string;
  layers: LayerRecord[];
  created?: string;
  pulledAt: string;
  /** For archives and layouts: size and mtime of the source when it was read. */
  sourceStamp?: string;
}

function defaultStoreRoot(env: NodeJS.ProcessEnv, uid: number): string {
  if (env.HUSH_IMAGE_STORE) return path.resolve(env.HUSH_IMAGE_STORE);
  if (uid === 0) return '/var/lib/hush/images';
  const data = env.XDG_DATA_HOME || path.join(env.HOME || '/', '.local', 'share');
  return path.join(data, 'hush', 'images');
}

/** The caller's store: root's as it is; an ordinary user's with its layers shifted by the id
 * maps its rootless runs use (launcher/rootless/layer-owners.ts). */
export function openDefaultStore(env: NodeJS.ProcessEnv): ImageStore {
  const uid = process.getuid?.() ?? 0;
  if (uid === 0) return ImageStore.open(defaultStoreRoot(env, uid));
  const { rootlessIdMaps } = require('../rootless/rootless-run') as typeof import('../rootless/rootless-run');
  return ImageStore.open(defaultStoreRoot(env, uid), layerOwners(rootlessIdMaps(env)));
}

let tempCounter = 0;

export class ImageStore {
  private constructor(
    readonly root: string,
    readonly owners: LayerOwners,
  ) {}

  /** Opens (creating) the store and removes temporaries left by processes that are gone. */
  static open(root: string, owners: LayerOwners = layerOwners(undefined)): ImageStore {
    try {
      for (const dir of ['blobs/sha256', owners.layersDir, 'refs', 'tmp', 'locks']) fs.mkdirSync(path.join(root, dir), { recursive: true, mode: 0o700 });
    } catch (err) {
      throw imageErrors.HUSH_ERR_IMAGE_STORE(root, (err as Error).message);
    }
    const store = new ImageStore(root, owners);
    store.removeStaleTemporaries();
    return store;
  }

  private removeStaleTemporaries(): void {
    for (const name of fs.readdirSync(path.join(this.root, 'tmp'))) {
      if (!processAlive(ownerPid(name))) this.removeTree(path.join(this.root, 'tmp', name));
    }
  }

  /** The directory of this mapping's unpacked layers. */
  get layersRoot(): string {
    return path.join(this.root, this.owners.layersDir);
  }

  /** rm -rf; a layer whose owners were shifted into the subuid range is removed in the user
   * namespace it was written in (the caller cannot unlink what those ids own). */
  removeTree(target: string): void {
    removeTree(target);
    if (this.owners.kind !== 'userns' || !fs.existsSync(target)) return;
    (require('./userns-unpack') as typeof import('./userns-unpack')).removeInUserns(this.owners, target);
  }

  blobPath(digest: string): string {
    return path.join(this.root, 'blobs', 'sha256', digestHex(digest));
  }

  hasBlob(digest: string): boolean {
    return fs.existsSync(this.blobPath(digest));
  }

  layerDir(diffId: string): string {
    return path.join(this.layersRoot, digestHex(diffId));
  }

  hasLayer(diffId: string): boolean {
    return fs.existsSync(this.layerDir(diffId));
  }

  /** A fresh name under tmp/ owned by this process. */
  tempPath(what: string): string {
    // Unique among live processes by pid; created with O_EXCL (or renamed from one) anyway.
    return path.join(this.root, 'tmp', `${process.pid}.${++tempCounter}${Date.now().toString(36)}.${what}`);
  }

  lock(what: string): Promise<() => void> {
    return acquireLock(path.join(this.root, 'locks', what));
  }

  /** Stores small bytes already in memory (manifests, configs) under their digest. */
  writeSmallBlob(bytes: Uint8Array): string {
    const digest = sha256(bytes);
    if (!this.hasBlob(digest)) {
      const temp = this.tempPath('blob');
      fs.writeFileSync(temp, bytes, { mode: 0o644, flag: 'wx' });
      fs.renameSync(temp, this.blobPath(digest));
    }
    return digest;
  }

  /** A blob's bytes, checked against its digest (for the small JSON blobs only). */
  readSmallBlob(digest: string, what: string): Buffer {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(this.blobPath(digest));
    } catch {
      throw imageErrors.HUSH_ERR_IMAGE_MISSING_BLOB(what, digest);
    }
    const got = sha256(bytes);
    if (got !== digest) throw imageErrors.HUSH_ERR_IMAGE_DIGEST(what, digest, got);
    return bytes;
  }

  /**
   * A stored blob's bytes without hashing them again (they were verified on the way in, and
   * the store is its owner's alone): for runs of stored images.
   */
  readStoredBlob(digest: string, what: string): Buffer {
    try {
      return fs.readFileSync(this.blobPath(digest));
    } catch {
      throw imageErrors.HUSH_ERR_IMAGE_MISSING_BLOB(what, digest);
    }
  }

  private recordPath(name: string): string {
    const encoded = Buffer.from(name).toString('base64url');
    // NAME_MAX is 255: a long name goes by its hash instead.
    return path.join(this.root, 'refs', `${encoded.length <= 200 ? encoded : digestHex(sha256(Buffer.from(name)))}.json`);
  }

  writeRecord(record: ImageRecord): void {
    const temp = this.tempPath('ref');
    fs.writeFileSync(temp, JSON.stringify(record, null, 2) + '\n', { mode: 0o644, flag: 'wx' });
    fs.renameSync(temp, this.recordPath(record.name));
  }

  readRecord(name: string): ImageRecord | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.recordPath(name), 'utf8')) as ImageRecord;
    } catch {
      return undefined;
    }
  }

  removeRecord(name: string): boolean {
    try {
      fs.unlinkSync(this.recordPath(name));
      return true;
    } catch {
      return false;
    }
  }

  records(): ImageRecord[] {
    const out: ImageRecord[] = [];
    for (const file of fs.readdirSync(path.join(this.root, 'refs'))) {
      if (!file.endsWith('.json')) continue;
      try {
        out.push(JSON.parse(fs.readFileSync(path.join(this.root, 'refs', file), 'utf8')) as ImageRecord);
      } catch {
        // A record being replaced or a foreign file: not an image.
      }
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Pulls running now (their markers under tmp/), which prune must not race. */
  livePulls(): number {
    return fs.readdirSync(path.join(this.root, 'tmp')).filter((name) => name.endsWith('.pull') && processAlive(ownerPid(name))).length;
  }

  /** Marks a pull as running until the returned function is called. */
  beginPull(): () => void {
    const marker = this.tempPath('pull');
    fs.writeFileSync(marker, `${process.pid}\n`, { flag: 'wx' });
    return () => fs.rmSync(marker, { force: true });
  }
}

function sha256(bytes: Uint8Array): string {
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** rm -rf that also copes with directories a layer made read-only; what the caller may not
 * remove (another id's) is left. */
function removeTree(target: string): void {
  try {
    fs.rmSync(target, { recursive: true, force: true });
  } catch {
    makeWritable(target);
    try {
      fs.rmSync(target, { recursive: true, force: true });
    } catch {
      // ImageStore.removeTree removes the rest in the layers' user namespace.
    }
  }
}

function makeWritable(dir: string): void {
  try {
    const st = fs.lstatSync(dir);
    if (!st.isDirectory()) return;
    fs.chmodSync(dir, 0o700);
    for (const name of fs.readdirSync(dir)) makeWritable(path.join(dir, name));
  } catch {
    // Gone already.
  }
}
