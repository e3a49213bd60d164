// Removing what no image uses: layer directories and blobs that no record references.
// Refused while a pull runs (it may be about to reference what looks unused).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { imageErrors } from './errors';
import type { ImageStore } from './store';

export interface Collected {
  layers: number;
  blobs: number;
  bytes: number;
}

/** Bytes under target; a directory the caller cannot read (a rootless layer's, owned by a
 * subordinate id) counts as its own size only. */
function sizeOf(target: string): number {
  const st = fs.lstatSync(target);
  if (!st.isDirectory()) return st.size;
  let names: string[];
  try {
    names = fs.readdirSync(target);
  } catch {
    return st.size;
  }
  let total = 0;
  for (const name of names) total += sizeOf(path.join(target, name));
  return total;
}

export function collectGarbage(store: ImageStore): Collected {
  if (store.livePulls() > 0) throw imageErrors.HUSH_ERR_IMAGE_IN_USE(store.root);
  const usedLayers = new Set<string>();
  const usedBlobs = new Set<string>();
  for (const record of store.records()) {
    usedBlobs.add(record.digest.slice(7));
    usedBlobs.add(record.config.slice(7));
    for (const layer of record.layers) {
      usedLayers.add(layer.diffId.slice(7));
      usedBlobs.add(layer.digest.slice(7));
    }
  }
  const collected: Collected = { layers: 0, blobs: 0, bytes: 0 };
  const layersDir = store.layersRoot;
  for (const hex of fs.readdirSync(layersDir)) {
    if (usedLayers.has(hex)) continue;
    collected.bytes += sizeOf(path.join(layersDir, hex));
    store.removeTree(path.join(layersDir, hex));
    collected.layers++;
  }
  const blobsDir = path.join(store.root, 'blobs', 'sha256');
  for (const hex of fs.readdirSync(blobsDir)) {
    if (usedBlobs.has(hex)) continue;
    collected.bytes += fs.statSync(path.join(blobsDir, hex)).size;
    fs.rmSync(path.join(blobsDir, hex), { force: true });
    collected.blobs++;
  }
  return collected;
}
