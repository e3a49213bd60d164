// OCI image layouts (`index.json` + `blobs/sha256/`), wherever their blobs are: a directory
// (`oci:DIR[:TAG]`), an archive of one (`oci-archive:PATH[:TAG]`), or the layout Docker 25+
// writes inside `docker save`. The tag picks the index entry by its ref.name annotation.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { digestHex } from './digest';
import { imageErrors } from './errors';
import { writeBlob } from './blob-writer';
import { parseConfig, parseManifest, selectPlatform, type Descriptor } from './manifest';
import type { ResolvedImage } from './install';
import type { ImageStore } from './store';
import { ingestArchive } from './archive-ingest';
import type { Progress } from './progress';

const refNameKey = 'org.opencontainers.image.ref.name';

function tagOf(d: Descriptor): string | undefined {
  return d.annotations?.[refNameKey] ?? d.annotations?.['io.containerd.image.name'];
}

function pickByTag(manifests: Descriptor[], tag: string | undefined, where: string): Descriptor {
  if (tag !== undefined) {
    const found = manifests.find((m) => {
      const name = tagOf(m);
      return name === tag || (name !== undefined && name.endsWith(`:${tag}`));
    });
    if (!found) throw imageErrors.HUSH_ERR_IMAGE_NOT_FOUND(`tag '${tag}' in ${where} (it has: ${manifests.map(tagOf).filter(Boolean).join(', ') || 'no tags'})`);
    return found;
  }
  if (manifests.length === 1) return manifests[0];
  throw imageErrors.HUSH_ERR_IMAGE_FORMAT(where, `holds ${manifests.length} images: pick one with :TAG (${manifests.map(tagOf).filter(Boolean).join(', ')})`);
}

/**
 * From an index (bytes) to an image, loading documents with `blob(digest)` (verified by the
 * caller). A picked entry that is itself an index resolves to linux/<this arch>.
 */
function resolveFromIndex(name: string, index: Buffer, tag: string | undefined, where: string, blob: (digest: string, what: string) => Buffer): ResolvedImage {
  const top = parseManifest(index, `${where}: index.json`);
  let chosen = top.kind === 'index' ? pickByTag(top.manifests, tag, where) : undefined;
  if (!chosen) throw imageErrors.HUSH_ERR_IMAGE_FORMAT(where, 'index.json is not an index');
  for (let depth = 0; depth < 4; depth++) {
    const parsed = parseManifest(blob(chosen.digest, `${where}: manifest`), `${where}: manifest ${chosen.digest}`, chosen.mediaType);
    if (parsed.kind === 'manifest') {
      const configBytes = blob(parsed.manifest.config.digest, `${where}: config`);
      return {
        name,
        digest: chosen.digest,
        configDigest: parsed.manifest.config.digest,
        config: parseConfig(configBytes, `${where}: config`),
        layers: parsed.manifest.layers.map((l) => ({ digest: l.digest, size: l.size ?? 0 })),
      };
    }
    chosen = selectPlatform(parsed.manifests);
  }
  throw imageErrors.HUSH_ERR_IMAGE_FORMAT(where, 'indexes nested too deep');
}

/** `oci:DIR[:TAG]`: documents read from the directory, layers copied into the store as verified. */
export async function resolveOciDir(store: ImageStore, name: string, dir: string, tag: string | undefined, progress?: Progress): Promise<ResolvedImage> {
  let index: Buffer;
  try {
    index = fs.readFileSync(path.join(dir, 'index.json'));
  } catch {
    throw imageErrors.HUSH_ERR_IMAGE_NOT_FOUND(`${path.join(dir, 'index.json')}`);
  }
  const blobFile = (digest: string) => path.join(dir, 'blobs', 'sha256', digestHex(digest));
  const image = resolveFromIndex(name, index, tag, dir, (digest, what) => {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(blobFile(digest));
    } catch {
      throw imageErrors.HUSH_ERR_IMAGE_MISSING_BLOB(what, digest);
    }
    const got = store.writeSmallBlob(bytes);
    if (got !== digest) throw imageErrors.HUSH_ERR_IMAGE_DIGEST(what, digest, got);
    return bytes;
  });
  for (const layer of image.layers) {
    if (store.hasBlob(layer.digest)) continue;
    if (!fs.existsSync(blobFile(layer.digest))) throw imageErrors.HUSH_ERR_IMAGE_MISSING_BLOB(`${dir}: layer`, layer.digest);
    const source = fs.createReadStream(blobFile(layer.digest));
    source.on('data', (chunk) => progress?.downloaded(chunk.length));
    await writeBlob(store, source, `${dir}: layer ${layer.digest}`, { digest: layer.digest, size: layer.size || undefined });
  }
  return image;
}

/** `oci-archive:PATH[:TAG]`: the whole archive streams into the store, then resolves there. */
export async function resolveOciArchive(store: ImageStore, name: string, file: string, tag: string | undefined, progress?: Progress): Promise<ResolvedImage> {
  const archive = await ingestArchive(store, file, progress);
  const index = archive.small.get('index.json');
  if (!index) throw imageErrors.HUSH_ERR_IMAGE_FORMAT(file, 'no index.json: not an OCI archive');
  return resolveFromIndex(name, index, tag, file, (digest, what) => store.readSmallBlob(digest, what));
}
