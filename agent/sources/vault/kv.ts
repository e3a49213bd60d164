// KV reads. Version 2 paths are rewritten to the data/ endpoint (secret/webapp →
// secret/data/webapp; secret/data/webapp is taken as given). A soft-deleted or destroyed
// version answers 404 with a body: that is a missing secret, not an outage. The whole data map
// is returned; the renderer picks fields.

import type { FetchResult } from '../../ports/secret-source';
import type { Api } from './api';
import { VaultApiError } from './client';
import type { MountInfo } from './mounts';

export function kvDataPath(path: string, mount: MountInfo): string {
  if (mount.kvVersion === 1) return path;
  const rest = path.slice(mount.path.length);
  return rest.startsWith('data/') ? path : `${mount.path}data/${rest}`;
}

export async function readKv(api: Api, key: string, path: string, mount: MountInfo, params: Record<string, string>, signal?: AbortSignal): Promise<FetchResult> {
  const dataPath = kvDataPath(path, mount);
  try {
    const reply = await api({ method: 'GET', path: dataPath, query: params, ...(signal ? { signal } : {}) });
    const outer = (reply.body?.['data'] ?? null) as Record<string, unknown> | null;
    if (mount.kvVersion === 1) {
      if (!outer) return { ok: false, missing: true, reason: `no secret at ${dataPath}` };
      return { ok: true, secret: { key, data: outer } };
    }
    const data = (outer?.['data'] ?? null) as Record<string, unknown> | null;
    const metadata = (outer?.['metadata'] ?? {}) as Record<string, unknown>;
    if (!data) return { ok: false, missing: true, reason: `${dataPath}: ${deletedReason(metadata)}` };
    return { ok: true, secret: { key, data, version: `v${String(metadata['version'] ?? '?')}` } };
  } catch (err) {
    if (err instanceof VaultApiError && err.status === 404) {
      const metadata = ((err.body?.['data'] as Record<string, unknown> | null | undefined)?.['metadata'] ?? null) as Record<string, unknown> | null;
      return { ok: false, missing: true, reason: metadata ? `${dataPath}: ${deletedReason(metadata)}` : `no secret at ${dataPath}` };
    }
    throw err;
  }
}

function deletedReason(metadata: Record<string, unknown>): string {
  const version = metadata['version'] ?? '?';
  if (metadata['destroyed'] === true) return `version ${String(version)} was destroyed`;
  if (metadata['deletion_time']) return `version ${String(version)} was deleted`;
  return 'no data';
}
