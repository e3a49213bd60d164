// The mount table: which engine answers which path prefix, plus sys/mounts, sys/auth and
// sys/internal/ui/mounts (how clients tell KV v1 from v2).
import { durationField } from './duration';
import { VaultError, badRequest, noRoute, unsupportedOperation } from './errors';
import { newAccessor, newUuid } from './ids';
import type { PolicyStore } from './policy';
import { SYSTEM_MAX_TTL } from './tokens';
import type { Body, Engine, EngineRequest, Reply } from './types';
import { logical, noContent, str } from './types';

export interface MountEntry {
  /** "secret/", or "auth/approle/" for auth methods. */
  path: string;
  kind: 'secret' | 'auth';
  type: string;
  description: string;
  options: Record<string, string> | null;
  accessor: string;
  uuid: string;
  defaultLeaseTtl: number;
  maxLeaseTtl: number;
  engine: Engine;
}

export type EngineFactory = (mount: Omit<MountEntry, 'engine'>) => Engine | null;

const ACCESSOR_PREFIX: Record<string, string> = { kv: 'kv', database: 'database', pki: 'pki', system: 'system' };

export class MountTable {
  private readonly mounts = new Map<string, MountEntry>();

  constructor(private readonly factory: EngineFactory) {}

  /** Throws 400 like Vault when the path is taken or the type is unknown. */
  enable(kind: 'secret' | 'auth', path: string, type: string, body: Body = {}): MountEntry {
    const clean = path.replace(/^\/+|\/+$/g, '');
    const full = kind === 'auth' ? `auth/${clean}/` : `${clean}/`;
    const existing = this.find(full);
    if (existing && (existing.path === full || full.startsWith(existing.path) || existing.path.startsWith(full))) {
      throw badRequest(`path is already in use at ${existing.path}`);
    }
    const rawOptions = body['options'];
    const options =
      rawOptions && typeof rawOptions === 'object' && !Array.isArray(rawOptions)
        ? Object.fromEntries(Object.entries(rawOptions as Body).map(([k, v]) => [k, String(v)]))
        : null;
    if (type === 'kv-v2') return this.enable(kind, path, 'kv', { ...body, options: { ...(options ?? {}), version: '2' } });
    const config = (body['config'] ?? {}) as Body;
    let defaultLeaseTtl: number;
    let maxLeaseTtl: number;
    try {
      defaultLeaseTtl = durationField(config, 'default_lease_ttl', 0);
      maxLeaseTtl = durationField(config, 'max_lease_ttl', 0);
    } catch (err) {
      throw badRequest((err as Error).message);
    }
    const base = {
      path: full,
      kind,
      type,
      description: str(body, 'description'),
      options: type === 'kv' ? { version: options?.['version'] ?? '1', ...(options ?? {}) } : options,
      accessor: `${kind === 'auth' ? 'auth_' : ''}${ACCESSOR_PREFIX[type] ?? type}_${newAccessor().slice(0, 8).toLowerCase()}`,
      uuid: newUuid(),
      defaultLeaseTtl,
      maxLeaseTtl,
    };
    const engine = this.factory(base);
    if (!engine) {
      throw badRequest(
        kind === 'auth' ? `unknown backend type: "${type}"` : `plugin not found in the catalog: ${type}`,
      );
    }
    const entry: MountEntry = { ...base, engine };
    this.mounts.set(full, entry);
    return entry;
  }

  disable(path: string): void {
    this.mounts.delete(path.endsWith('/') ? path : `${path}/`);
  }

  /** Longest mount whose path prefixes the request path. */
  find(path: string): MountEntry | null {
    const withSlash = path.endsWith('/') ? path : `${path}/`;
    let best: MountEntry | null = null;
    for (const mount of this.mounts.values()) {
      if (withSlash.startsWith(mount.path) && (!best || mount.path.length > best.path.length)) best = mount;
    }
    return best;
  }

  route(path: string): MountEntry {
    const mount = this.find(path);
    if (!mount) throw noRoute(path);
    return mount;
  }

  list(kind: 'secret' | 'auth'): MountEntry[] {
    return [...this.mounts.values()].filter((m) => m.kind === kind);
  }

  /** Tuned TTLs of a mount, with the system defaults filled in. */
  ttls(mount: Pick<MountEntry, 'defaultLeaseTtl' | 'maxLeaseTtl'>): { defaultTtl: number; maxTtl: number } {
    const maxTtl = mount.maxLeaseTtl || SYSTEM_MAX_TTL;
    return { defaultTtl: Math.min(mount.defaultLeaseTtl || SYSTEM_MAX_TTL, maxTtl), maxTtl };
  }
}

function describe(mount: MountEntry): Record<string, unknown> {
  return {
    accessor: mount.accessor,
    config: { default_lease_ttl: mount.defaultLeaseTtl, force_no_cache: false, max_lease_ttl: mount.maxLeaseTtl },
    description: mount.description,
    external_entropy_access: false,
    local: false,
    options: mount.options,
    plugin_version: '',
    running_plugin_version: '',
    running_sha256: '',
    seal_wrap: false,
    type: mount.type,
    uuid: mount.uuid,
  };
}

/** sys/mounts[/PATH[/tune]] and sys/auth[/PATH]. `rest` is the path after "sys/". */
export function handleMountsApi(table: MountTable, req: EngineRequest, rest: string): Reply {
  const kind = rest.startsWith('auth') ? 'auth' : 'secret';
  const base = kind === 'auth' ? 'auth' : 'mounts';
  const target = rest.slice(base.length).replace(/^\//, '');
  if (target === '') {
    if (req.op !== 'read') throw unsupportedOperation();
    const listing = Object.fromEntries(
      table.list(kind).map((m) => [kind === 'auth' ? m.path.slice('auth/'.length) : m.path, describe(m)]),
    );
    return logical(listing);
  }
  if (target.endsWith('/tune') || target.endsWith('tune')) {
    const mountPath = target.replace(/\/?tune$/, '');
    const mount = table.find(kind === 'auth' ? `auth/${mountPath}` : mountPath);
    if (!mount) throw badRequest(`cannot fetch mount: ${mountPath}`);
    if (req.op === 'read') {
      return logical({ default_lease_ttl: mount.defaultLeaseTtl || SYSTEM_MAX_TTL, max_lease_ttl: mount.maxLeaseTtl || SYSTEM_MAX_TTL, force_no_cache: false, options: mount.options });
    }
    try {
      mount.defaultLeaseTtl = durationField(req.body, 'default_lease_ttl', mount.defaultLeaseTtl);
      mount.maxLeaseTtl = durationField(req.body, 'max_lease_ttl', mount.maxLeaseTtl);
    } catch (err) {
      throw badRequest((err as Error).message);
    }
    return noContent();
  }
  const full = kind === 'auth' ? `auth/${target.replace(/\/$/, '')}/` : `${target.replace(/\/$/, '')}/`;
  switch (req.op) {
    case 'update': {
      const type = str(req.body, 'type');
      if (!type) throw badRequest('backend type must be specified as a string');
      table.enable(kind, target, type, req.body);
      return noContent();
    }
    case 'delete':
      table.disable(full);
      return noContent();
    case 'read': {
      const mount = table.find(full);
      if (!mount || mount.path !== full) throw badRequest(`No secret engine mount at ${target}/`);
      return logical(describe(mount));
    }
    default:
      throw unsupportedOperation();
  }
}

/** sys/internal/ui/mounts/PATH: the mount's type and options, if the token can use the mount. */
export function handleUiMounts(table: MountTable, policies: PolicyStore, req: EngineRequest, path: string): Reply {
  if (req.op !== 'read') throw unsupportedOperation();
  const clean = path.endsWith('/') ? path : `${path}/`;
  const denied = new VaultError(403, [
    `preflight capability check returned 403, please ensure client's policies grant access to path "${clean}"`,
  ]);
  const mount = table.find(clean);
  if (!mount || !req.token || !policies.hasAccessUnder(req.token, mount.path)) throw denied;
  return logical({ ...describe(mount), path: mount.kind === 'auth' ? mount.path.slice('auth/'.length) : mount.path });
}
