// KV version 1: one value per path, no versions; the lease_duration is advisory (the mount
// default, or a "ttl" key stored with the secret).
import { parseDuration } from './duration';
import { badRequest, notFound, unsupportedOperation } from './errors';
import { listChildren } from './kv-list';
import type { Body, Engine, EngineRequest, Reply } from './types';
import { logical, noContent } from './types';

export interface KvV1Store {
  read(path: string): Body | undefined;
  write(path: string, data: Body): void;
}

export function kvV1Engine(defaultTtl: () => number): Engine & KvV1Store {
  const secrets = new Map<string, Body>();
  return {
    read: (path) => secrets.get(path),
    write: (path, data) => {
      secrets.set(path, data);
    },
    handle(req: EngineRequest): Reply {
      const key = req.subpath;
      switch (req.op) {
        case 'read': {
          const data = secrets.get(key);
          if (!data) throw notFound();
          const ttl = 'ttl' in data ? parseDuration(data['ttl']) : null;
          return logical(data, { lease: { id: '', duration: ttl ?? defaultTtl(), renewable: false } });
        }
        case 'list':
          return listChildren(secrets.keys(), key);
        case 'update':
          if (Object.keys(req.body).length === 0) throw badRequest('missing data fields');
          if ('ttl' in req.body && parseDuration(req.body['ttl']) === null) {
            throw badRequest(`failed to parse TTL: time: invalid duration "${String(req.body['ttl'])}"`);
          }
          secrets.set(key, req.body);
          return noContent();
        case 'delete':
          secrets.delete(key);
          return noContent();
        default:
          throw unsupportedOperation();
      }
    },
  };
}
