// What `--pull` decides on, without loading the pull code: `missing` uses a stored image (an
// archive or layout only while its file is unchanged), `always` fetches again, `never` only
// uses the store.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { imageErrors } from './errors';
import { refName, type ImageRef } from './reference';
import type { ImageRecord, ImageStore } from './store';

export type PullPolicy = 'missing' | 'always' | 'never';

/** Size and mtime of a local source, so a rewritten archive is read again. */
export function sourceStamp(ref: ImageRef): string | undefined {
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

/** The stored image to run, or undefined when `policy` says to fetch it. */
export function storedImage(store: ImageStore, ref: ImageRef, policy: PullPolicy): ImageRecord | undefined {
  const name = refName(ref);
  const stored = store.readRecord(name);
  if (policy === 'never') {
    if (!usable(store, stored)) throw imageErrors.HUSH_ERR_IMAGE_NOT_PULLED(name);
    return stored;
  }
  if (policy === 'missing' && usable(store, stored) && (ref.kind === 'registry' || stored.sourceStamp === sourceStamp(ref))) return stored;
  return undefined;
}
