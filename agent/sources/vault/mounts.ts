// Which mount a path lives in, and what it is (kv v1/v2, database, pki...), from
// sys/internal/ui/mounts/PATH, cached per mount. Vault versions without that endpoint, or a
// token not allowed to ask, fall back to "the first segment is a KV v1 mount" as
// consul-template does.

import { VaultApiError } from './client';
import type { Api } from './api';

export interface MountInfo {
  /** "secret/", with the trailing slash. */
  path: string;
  type: string;
  kvVersion: 1 | 2;
}

export interface MountCache {
  resolve(path: string, signal?: AbortSignal): Promise<MountInfo>;
}

export function createMountCache(api: Api): MountCache {
  const known: MountInfo[] = [];
  const pending = new Map<string, Promise<MountInfo>>();

  async function ask(path: string, signal?: AbortSignal): Promise<MountInfo> {
    try {
      const reply = await api({ method: 'GET', path: `sys/internal/ui/mounts/${path}`, ...(signal ? { signal } : {}) });
      const data = (reply.body?.['data'] ?? {}) as Record<string, unknown>;
      const options = (data['options'] ?? {}) as Record<string, unknown> | null;
      const mountPath = String(data['path'] ?? `${path.split('/')[0]}/`);
      return {
        path: mountPath.endsWith('/') ? mountPath : `${mountPath}/`,
        type: String(data['type'] ?? 'kv'),
        kvVersion: options?.['version'] === '2' ? 2 : 1,
      };
    } catch (err) {
      if (err instanceof VaultApiError && (err.status === 403 || err.status === 404)) {
        return { path: `${path.split('/')[0]}/`, type: 'kv', kvVersion: 1 };
      }
      throw err;
    }
  }

  return {
    async resolve(path, signal) {
      const hit = known.find((m) => path.startsWith(m.path));
      if (hit) return hit;
      const first = `${path.split('/')[0]}/`;
      let flight = pending.get(first);
      if (!flight) {
        flight = ask(path, signal).then((info) => {
          known.push(info);
          known.sort((a, b) => b.path.length - a.path.length);
          return info;
        }).finally(() => pending.delete(first));
        pending.set(first, flight);
      }
      return flight;
    },
  };
}
