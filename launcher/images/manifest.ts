// Pure: the JSON documents of images, checked just enough to be used safely: OCI and Docker
// schema 2 manifests, OCI indexes and Docker manifest lists (→ linux/<this arch>), and the
// image config (Entrypoint, Cmd, Env, WorkingDir, User, rootfs.diff_ids).

import { isDigest } from './digest';
import { imageErrors } from './errors';

const mediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;
export const acceptedManifests = Object.values(mediaTypes).join(', ');

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  config: Descriptor;
  layers: Descriptor[];
}

export interface ImageConfig {
  created?: string;
  architecture?: string;
  os?: string;
  config?: { Entrypoint?: string[] | null; Cmd?: string[] | null; Env?: string[] | null; WorkingDir?: string; User?: string };
  rootfs: { type: string; diff_ids: string[] };
}

export type ParsedManifest = { kind: 'index'; manifests: Descriptor[] } | { kind: 'manifest'; manifest: ImageManifest };

function parseJson(bytes: Uint8Array | string, where: string): Record<string, unknown> {
  try {
    const value = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8')) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Reported below.
  }
  throw imageErrors.HUSH_ERR_IMAGE_FORMAT(where, 'not a JSON object');
}

function descriptor(value: unknown, where: string): Descriptor {
  const d = value as Descriptor;
  if (!d || typeof d !== 'object' || !isDigest(d.digest)) throw imageErrors.HUSH_ERR_IMAGE_FORMAT(where, 'a descriptor without a sha256 digest');
  if (d.size !== undefined && (!Number.isSafeInteger(d.size) || d.size < 0)) throw imageErrors.HUSH_ERR_IMAGE_FORMAT(where, `bad size for ${d.digest}`);
  return d;
}

export function parseManifest(bytes: Uint8Array, where: string, contentType?: string): ParsedManifest {
  const doc = parseJson(bytes, where);
  const type = (doc.mediaType as string | undefined) ?? contentType?.split(';')[0];
  if (doc.schemaVersion !== 2) throw imageErrors.HUSH_ERR_IMAGE_FORMAT(where, `schemaVersion ${String(doc.schemaVersion)} is not supported (only 2)`);
  if (Array.isArray(doc.manifests) || type === mediaTypes.ociIndex || type === mediaTypes.dockerList) {
    if (!Array.isArray(doc.manifests)) throw imageErrors.HUSH_ERR_IMAGE_FORMAT(where, 'an index without manifests');
    return { kind: 'index', manifests: doc.manifests.map((m) => descriptor(m, where)) };
  }
  if (!Array.isArray(doc.layers)) throw imageErrors.HUSH_ERR_IMAGE_FORMAT(where, 'a manifest without layers');
  return { kind: 'manifest', manifest: { config: descriptor(doc.config, where), layers: doc.layers.map((l) => descriptor(l, where)) } };
}

export function parseConfig(bytes: Uint8Array, where: string): ImageConfig {
  const doc = parseJson(bytes, where) as unknown as ImageConfig;
  const diffIds = doc.rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || !diffIds.every(isDigest)) throw imageErrors.HUSH_ERR_IMAGE_FORMAT(where, 'config without sha256 rootfs.diff_ids');
  const c = doc.config;
  const strings = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.every((s) => typeof s === 'string'));
  if (c && (!strings(c.Entrypoint) || !strings(c.Cmd) || !strings(c.Env))) throw imageErrors.HUSH_ERR_IMAGE_FORMAT(where, 'Entrypoint, Cmd and Env must be lists of strings');
  return doc;
}

/** This machine's platform in OCI's words. */
export function hostPlatform(arch: string = process.arch): { os: string; architecture: string; variant?: string } {
  const table: Record<string, { architecture: string; variant?: string }> = {
    x64: { architecture: 'amd64' },
    arm64: { architecture: 'arm64', variant: 'v8' },
    arm: { architecture: 'arm', variant: 'v7' },
    ia32: { architecture: '386' },
    ppc64: { architecture: 'ppc64le' },
    s390x: { architecture: 's390x' },
    riscv64: { architecture: 'riscv64' },
  };
  return { os: 'linux', ...(table[arch] ?? { architecture: arch }) };
}

/** The index entry for linux/<this arch> (variant preferred when several match). */
export function selectPlatform(manifests: Descriptor[], want = hostPlatform()): Descriptor {
  const candidates = manifests.filter((m) => m.platform?.os === want.os && m.platform?.architecture === want.architecture);
  const exact = candidates.find((m) => (m.platform?.variant ?? want.variant) === want.variant);
  const chosen = exact ?? candidates[0];
  if (!chosen) {
    const have = manifests.filter((m) => m.platform).map((m) => [m.platform!.os, m.platform!.architecture, m.platform!.variant].filter(Boolean).join('/'));
    throw imageErrors.HUSH_ERR_IMAGE_PLATFORM([want.os, want.architecture].join('/'), have);
  }
  return chosen;
}
