// KV version 2: versions, check-and-set, soft delete / undelete / destroy, key metadata, and
// the 404-with-a-body answers that tell "deleted" from "never existed".
import { durationField, formatGoDuration, rfc3339 } from './duration';
import { VaultError, badRequest, notFound, unsupportedOperation } from './errors';
import { listChildren } from './kv-list';
import type { Body, Engine, EngineRequest, Operation, Reply } from './types';
import { logical, noContent, parseBool } from './types';

interface Version {
  createdAt: number;
  deletionAt: number | null;
  destroyed: boolean;
  data: Body | null;
}

interface KeyMeta {
  createdAt: number;
  updatedAt: number;
  current: number;
  oldest: number;
  maxVersions: number;
  casRequired: boolean;
  deleteVersionAfter: number;
  custom: Record<string, string> | null;
  versions: Map<number, Version>;
}

interface MountConfig {
  maxVersions: number;
  casRequired: boolean;
  deleteVersionAfter: number;
}

const CLI_VERB: Record<Operation, string> = { read: 'get', update: 'put', patch: 'patch', list: 'list', delete: 'delete' };

function isObject(value: unknown): value is Body {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** RFC 7396 JSON merge patch. */
function mergePatch(target: Body, patch: Body): Body {
  const out: Body = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isObject(value) && isObject(out[key])) out[key] = mergePatch(out[key] as Body, value);
    else out[key] = value;
  }
  return out;
}

function versionList(body: Body): number[] {
  const raw = body['versions'];
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : typeof raw === 'number' ? [raw] : [];
  const versions = list.map((v) => Number(v)).filter((v) => Number.isInteger(v) && v > 0);
  if (versions.length === 0) throw badRequest('no version number provided');
  return versions;
}

export interface KvV2Store {
  /** Test helper: the stored data of a version (latest when omitted), ignoring deletion. */
  peek(path: string, version?: number): Body | null;
}

export function kvV2Engine(): Engine & KvV2Store {
  const keys = new Map<string, KeyMeta>();
  const config: MountConfig = { maxVersions: 0, casRequired: false, deleteVersionAfter: 0 };

  const versionMeta = (meta: KeyMeta, n: number, v: Version) => ({
    created_time: rfc3339(v.createdAt),
    custom_metadata: meta.custom,
    deletion_time: v.deletionAt === null ? '' : rfc3339(v.deletionAt),
    destroyed: v.destroyed,
    version: n,
  });

  const gone = (v: Version, now: number) => v.destroyed || (v.deletionAt !== null && v.deletionAt <= now);

  const newMeta = (now: number): KeyMeta => ({
    createdAt: now,
    updatedAt: now,
    current: 0,
    oldest: 0,
    maxVersions: 0,
    casRequired: false,
    deleteVersionAfter: 0,
    custom: null,
    versions: new Map(),
  });

  function writeVersion(key: string, data: Body, options: Body, now: number): Reply {
    const meta = keys.get(key) ?? newMeta(now);
    const casRequired = meta.casRequired || config.casRequired;
    if ('cas' in options) {
      const cas = Number(options['cas']);
      if (!Number.isInteger(cas)) throw badRequest('error parsing check-and-set parameter');
      if (cas !== meta.current) throw badRequest('check-and-set parameter did not match the current version');
    } else if (casRequired) {
      throw badRequest('check-and-set parameter required for this call');
    }
    keys.set(key, meta);
    const n = meta.current + 1;
    const dva = meta.deleteVersionAfter || config.deleteVersionAfter;
    const version: Version = { createdAt: now, deletionAt: dva ? now + dva * 1000 : null, destroyed: false, data };
    meta.versions.set(n, version);
    meta.current = n;
    meta.updatedAt = now;
    const mountMax = config.maxVersions || 10;
    const max = meta.maxVersions && meta.maxVersions < mountMax ? meta.maxVersions : mountMax;
    const numbers = [...meta.versions.keys()].sort((a, b) => a - b);
    while (numbers.length > max) {
      meta.versions.delete(numbers.shift() as number);
      meta.oldest = numbers[0] ?? 0;
    }
    return logical(versionMeta(meta, n, version));
  }

  function readData(req: EngineRequest, key: string): Reply {
    const meta = keys.get(key);
    const raw = req.query['version'];
    const wanted = raw === undefined || raw === '' ? 0 : Number(raw);
    if (!Number.isInteger(wanted) || wanted < 0) throw badRequest(`error converting input ${raw} for field "version"`);
    if (!meta || meta.current === 0) throw notFound();
    const n = wanted === 0 ? meta.current : wanted;
    const version = meta.versions.get(n);
    if (!version) throw notFound();
    if (gone(version, req.now)) {
      return { type: 'logical', status: 404, data: { data: null, metadata: versionMeta(meta, n, version) } };
    }
    return logical({ data: version.data, metadata: versionMeta(meta, n, version) });
  }

  function data(req: EngineRequest, key: string): Reply {
    switch (req.op) {
      case 'read':
        return readData(req, key);
      case 'update': {
        if (!isObject(req.body['data'])) throw badRequest('no data provided');
        const options = isObject(req.body['options']) ? req.body['options'] : {};
        return writeVersion(key, req.body['data'], options, req.now);
      }
      case 'patch': {
        if (req.contentType !== 'application/merge-patch+json') {
          throw new VaultError(415, [
            `PATCH requires Content-Type of application/merge-patch+json, provided ${req.contentType}`,
          ]);
        }
        const meta = keys.get(key);
        const current = meta?.versions.get(meta.current);
        if (!meta || !current) return { type: 'raw', status: 404, body: undefined };
        if (gone(current, req.now)) {
          return { type: 'logical', status: 404, data: { data: null, metadata: versionMeta(meta, meta.current, current) } };
        }
        if (!isObject(req.body['data'])) throw badRequest('no data provided');
        const options = isObject(req.body['options']) ? req.body['options'] : {};
        return writeVersion(key, mergePatch(current.data ?? {}, req.body['data']), options, req.now);
      }
      case 'delete': {
        const meta = keys.get(key);
        const current = meta?.versions.get(meta.current);
        if (current && !gone(current, req.now)) current.deletionAt = req.now;
        return noContent();
      }
      default:
        throw unsupportedOperation();
    }
  }

  function metadata(req: EngineRequest, key: string): Reply {
    const meta = keys.get(key);
    switch (req.op) {
      case 'read': {
        if (!meta) throw notFound();
        const versions: Record<string, unknown> = {};
        for (const [n, v] of meta.versions) {
          versions[String(n)] = {
            created_time: rfc3339(v.createdAt),
            deletion_time: v.deletionAt === null ? '' : rfc3339(v.deletionAt),
            destroyed: v.destroyed,
          };
        }
        return logical({
          cas_required: meta.casRequired,
          created_time: rfc3339(meta.createdAt),
          current_version: meta.current,
          custom_metadata: meta.custom,
          delete_version_after: formatGoDuration(meta.deleteVersionAfter),
          max_versions: meta.maxVersions,
          oldest_version: meta.oldest,
          updated_time: rfc3339(meta.updatedAt),
          versions,
        });
      }
      case 'list':
        return listChildren(keys.keys(), key);
      case 'update':
      case 'patch': {
        const entry = meta ?? newMeta(req.now);
        const body = req.body;
        if ('max_versions' in body) entry.maxVersions = Number(body['max_versions']) || 0;
        if ('cas_required' in body) entry.casRequired = parseBool(body['cas_required']) ?? false;
        try {
          entry.deleteVersionAfter = durationField(body, 'delete_version_after', entry.deleteVersionAfter);
        } catch (err) {
          throw badRequest((err as Error).message);
        }
        if (isObject(body['custom_metadata'])) {
          const custom = Object.fromEntries(Object.entries(body['custom_metadata']).map(([k, v]) => [k, String(v)]));
          entry.custom = req.op === 'patch' ? { ...(entry.custom ?? {}), ...custom } : custom;
        }
        entry.updatedAt = req.now;
        keys.set(key, entry);
        return noContent();
      }
      case 'delete':
        keys.delete(key);
        return noContent();
      default:
        throw unsupportedOperation();
    }
  }

  function versionsOp(req: EngineRequest, key: string, action: 'delete' | 'undelete' | 'destroy'): Reply {
    if (req.op !== 'update') throw unsupportedOperation();
    const numbers = versionList(req.body);
    const meta = keys.get(key);
    for (const n of numbers) {
      const v = meta?.versions.get(n);
      if (!v) continue;
      if (action === 'destroy') {
        v.destroyed = true;
        v.data = null;
      } else if (action === 'delete' && !v.destroyed && !gone(v, req.now)) v.deletionAt = req.now;
      else if (action === 'undelete' && !v.destroyed) v.deletionAt = null;
    }
    return noContent();
  }

  function subkeys(req: EngineRequest, key: string): Reply {
    if (req.op !== 'read') throw unsupportedOperation();
    const meta = keys.get(key);
    const version = meta?.versions.get(meta.current);
    if (!meta || !version) throw notFound();
    const shape = (value: unknown): unknown =>
      isObject(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)])) : null;
    const vm = versionMeta(meta, meta.current, version);
    if (gone(version, req.now)) return { type: 'logical', status: 404, data: { subkeys: null, metadata: vm } };
    return logical({ subkeys: shape(version.data), metadata: vm });
  }

  function mountConfig(req: EngineRequest): Reply {
    if (req.op === 'read') {
      return logical({
        cas_required: config.casRequired,
        delete_version_after: formatGoDuration(config.deleteVersionAfter),
        max_versions: config.maxVersions,
      });
    }
    if (req.op !== 'update') throw unsupportedOperation();
    if ('max_versions' in req.body) config.maxVersions = Number(req.body['max_versions']) || 0;
    if ('cas_required' in req.body) config.casRequired = parseBool(req.body['cas_required']) ?? false;
    try {
      config.deleteVersionAfter = durationField(req.body, 'delete_version_after', config.deleteVersionAfter);
    } catch (err) {
      throw badRequest((err as Error).message);
    }
    return noContent();
  }

  return {
    peek(path, version) {
      const meta = keys.get(path);
      return meta?.versions.get(version ?? meta.current)?.data ?? null;
    },
    handle(req: EngineRequest): Reply {
      const [section = '', ...rest] = req.subpath.split('/');
      const key = rest.join('/');
      switch (section) {
        case 'data':
          return data(req, key);
        case 'metadata':
          return metadata(req, key);
        case 'delete':
        case 'undelete':
        case 'destroy':
          return versionsOp(req, key, section);
        case 'subkeys':
          return subkeys(req, key);
        case 'config':
          if (rest.length === 0) return mountConfig(req);
          break;
        default:
          break;
      }
      return {
        type: 'logical',
        status: 404,
        data: null,
        warnings: [
          `Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv ${CLI_VERB[req.op]}' for this operation.`,
        ],
      };
    },
  };
}
