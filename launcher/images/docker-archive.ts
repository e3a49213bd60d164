// `docker save` archives: the legacy manifest.json (Config `<id>.json`, Layers `<id>/layer.tar`)
// that every Docker writes, read from the blobs the single pass stored; Docker 25+ puts the
// same files under blobs/sha256/ beside an OCI index.json, which manifest.json points into.

import { ingestArchive, smallJson } from './archive-ingest';
import { sha256Of } from './hashing';
import { imageErrors } from './errors';
import type { ResolvedImage } from './install';
import { parseConfig } from './manifest';
import { parseImageRef, refName } from './reference';
import type { ImageStore } from './store';
import type { Progress } from './progress';

interface SavedImage {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

/** `app:v1`, `docker.io/library/app:v1` and `app` name the same Docker image. */
function sameName(a: string, b: string): boolean {
  const canonical = (text: string) => {
    try {
      return refName(parseImageRef(text, '/'));
    } catch {
      return text;
    }
  };
  return canonical(a) === canonical(b);
}

export async function resolveDockerArchive(store: ImageStore, name: string, file: string, pick: string | undefined, progress?: Progress): Promise<ResolvedImage> {
  const archive = await ingestArchive(store, file, progress);
  const saved = smallJson(archive, 'manifest.json', file) as SavedImage[];
  if (!Array.isArray(saved) || saved.length === 0) throw imageErrors.HUSH_ERR_IMAGE_FORMAT(file, 'manifest.json lists no image');
  let entry: SavedImage | undefined;
  if (pick !== undefined) {
    entry = saved.find((s) => (s.RepoTags ?? []).some((tag) => sameName(tag, pick)));
    if (!entry) throw imageErrors.HUSH_ERR_IMAGE_NOT_FOUND(`${pick} in ${file} (it has: ${saved.flatMap((s) => s.RepoTags ?? []).join(', ') || 'no tags'})`);
  } else if (saved.length === 1) {
    entry = saved[0];
  } else {
    throw imageErrors.HUSH_ERR_IMAGE_FORMAT(file, `holds ${saved.length} images: pick one with ${file}:NAME:TAG`);
  }
  if (typeof entry.Config !== 'string' || !Array.isArray(entry.Layers)) throw imageErrors.HUSH_ERR_IMAGE_FORMAT(file, 'manifest.json entry without Config or Layers');

  const configPath = entry.Config.replace(/^\.\//, '');
  const configBytes = archive.small.get(configPath);
  if (!configBytes) throw imageErrors.HUSH_ERR_IMAGE_FORMAT(file, `config ${entry.Config} is missing`);
  const configDigest = sha256Of(configBytes);
  // Legacy archives name the config by its digest: a different one is a corrupted archive.
  const namedHex = /(?:^|\/)([a-f0-9]{64})(?:\.json)?$/.exec(configPath)?.[1];
  if (namedHex && `sha256:${namedHex}` !== configDigest) throw imageErrors.HUSH_ERR_IMAGE_DIGEST(`${file}: ${entry.Config}`, `sha256:${namedHex}`, configDigest);

  const layers = entry.Layers.map((layerPath) => {
    const stored = archive.files.get(layerPath.replace(/^\.\//, ''));
    if (!stored) throw imageErrors.HUSH_ERR_IMAGE_MISSING_BLOB(`${file}: ${layerPath}`, layerPath);
    return stored;
  });
  return { name, digest: configDigest, configDigest, config: parseConfig(configBytes, `${file}: ${entry.Config}`), layers };
}
