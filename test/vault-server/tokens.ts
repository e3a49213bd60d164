// The token store: service tokens with TTLs that end on the injected clock, renewal capped by
// the max TTL, parent/child revocation, num_uses; and the auth/token/* endpoints.
import type { Clock } from './clock';
import { durationField, formatGoDuration, rfc3339, unixSeconds } from './duration';
import { VaultError, badRequest, permissionDenied, unsupportedOperation, unsupportedPath } from './errors';
import { newAccessor, newServiceToken, newUuid } from './ids';
import type { AuthBlock, Body, Engine, EngineRequest, Reply, TokenEntry } from './types';
import { boolField, logical, noContent, str, strList } from './types';

/** Vault's default system max TTL (768h), also the default TTL of mounts. */
export const SYSTEM_MAX_TTL = 768 * 3600;

export interface IssueOptions {
  policies: string[];
  ttl: number;
  maxTtl?: number;
  explicitMaxTtl?: number;
  period?: number;
  renewable?: boolean;
  numUses?: number;
  meta?: Record<string, string> | null;
  displayName: string;
  path: string;
  parent?: string | null;
  entityId?: string;
  id?: string;
}

export class TokenStore {
  private readonly byId = new Map<string, TokenEntry>();
  private readonly revokeHooks: Array<(token: TokenEntry) => void> = [];

  constructor(private readonly clock: Clock) {}

  onRevoke(hook: (token: TokenEntry) => void): void {
    this.revokeHooks.push(hook);
  }

  createRoot(id: string): TokenEntry {
    const entry: TokenEntry = {
      id,
      accessor: newAccessor(),
      policies: ['root'],
      meta: null,
      displayName: 'root',
      path: 'auth/token/root',
      entityId: '',
      createdAt: this.clock.now(),
      creationTtl: 0,
      expireAt: null,
      maxExpireAt: null,
      explicitMaxTtl: 0,
      period: 0,
      renewable: false,
      numUses: 0,
      orphan: true,
      parent: null,
      lastRenewal: null,
    };
    this.byId.set(id, entry);
    return entry;
  }

  issue(options: IssueOptions): TokenEntry {
    const now = this.clock.now();
    const limits = [options.maxTtl ?? SYSTEM_MAX_TTL, SYSTEM_MAX_TTL];
    if (options.explicitMaxTtl) limits.push(options.explicitMaxTtl);
    const maxTtl = Math.min(...limits);
    const ttl = options.period ? options.period : Math.min(options.ttl || SYSTEM_MAX_TTL, maxTtl);
    const unbounded = options.policies.includes('root') && !options.ttl && !options.explicitMaxTtl;
    const policies = options.policies.includes('root')
      ? ['root']
      : [...new Set(['default', ...options.policies])].sort();
    const entry: TokenEntry = {
      id: options.id ?? newServiceToken(),
      accessor: newAccessor(),
      policies,
      meta: options.meta ?? null,
      displayName: options.displayName,
      path: options.path,
      entityId: options.entityId ?? '',
      createdAt: now,
      creationTtl: unbounded ? 0 : ttl,
      expireAt: unbounded ? null : now + ttl * 1000,
      maxExpireAt: unbounded || (options.period && !options.explicitMaxTtl) ? null : now + maxTtl * 1000,
      explicitMaxTtl: options.explicitMaxTtl ?? 0,
      period: options.period ?? 0,
      renewable: unbounded ? false : options.renewable ?? true,
      numUses: options.numUses ?? 0,
      orphan: !options.parent,
      parent: options.parent ?? null,
      lastRenewal: null,
    };
    this.byId.set(entry.id, entry);
    return entry;
  }

  /** The live token, or null when unknown, revoked or expired (an expired one is revoked now). */
  lookup(id: string | null | undefined): TokenEntry | null {
    if (!id) return null;
    const entry = this.byId.get(id);
    if (!entry) return null;
    if (entry.expireAt !== null && this.clock.now() >= entry.expireAt) {
      this.revoke(entry.id);
      return null;
    }
    return entry;
  }

  byAccessor(accessor: string): TokenEntry | null {
    for (const entry of this.byId.values()) if (entry.accessor === accessor) return this.lookup(entry.id);
    return null;
  }

  /** Counts one use of a limited-use token; the last use revokes it after the request. */
  consumeUse(entry: TokenEntry): void {
    if (entry.numUses === 0) return;
    entry.numUses -= 1;
    if (entry.numUses === 0) entry.numUses = -1; // marks "used up"; revoked by finishUse
  }

  finishUse(entry: TokenEntry | null): void {
    if (entry && entry.numUses === -1) this.revoke(entry.id);
  }

  revoke(id: string): void {
    const entry = this.byId.get(id);
    if (!entry) return;
    this.byId.delete(id);
    for (const child of [...this.byId.values()]) if (child.parent === id) this.revoke(child.id);
    for (const hook of this.revokeHooks) hook(entry);
  }

  /** Revokes every token whose TTL ended. */
  sweep(): void {
    const now = this.clock.now();
    for (const entry of [...this.byId.values()]) if (entry.expireAt !== null && now >= entry.expireAt) this.revoke(entry.id);
  }

  /** Renews by increment seconds (0 = the token's own TTL), capped by its max TTL. */
  renew(entry: TokenEntry, increment: number): { ttl: number; warnings: string[] } {
    if (!entry.renewable || entry.expireAt === null) throw badRequest('lease is not renewable');
    const now = this.clock.now();
    const wanted = entry.period ? entry.period : increment || entry.creationTtl;
    let ttl = wanted;
    const warnings: string[] = [];
    if (entry.maxExpireAt !== null) {
      const left = Math.floor((entry.maxExpireAt - now) / 1000);
      if (wanted > left) {
        ttl = left;
        warnings.push(
          `TTL of "${formatGoDuration(wanted)}" exceeded the effective max_ttl of "${formatGoDuration(left)}"; TTL value is capped accordingly`,
        );
      }
    }
    entry.expireAt = now + ttl * 1000;
    entry.lastRenewal = now;
    return { ttl, warnings };
  }

  ttlLeft(entry: TokenEntry): number {
    if (entry.expireAt === null) return 0;
    return Math.max(0, Math.floor((entry.expireAt - this.clock.now()) / 1000));
  }

  /** The auth block of a login, create or renew; `granted` is the TTL just granted. */
  authBlock(entry: TokenEntry, granted: number = entry.creationTtl): AuthBlock {
    return {
      client_token: entry.id,
      accessor: entry.accessor,
      policies: entry.policies,
      token_policies: entry.policies,
      metadata: entry.meta,
      lease_duration: granted,
      renewable: entry.renewable,
      entity_id: entry.entityId,
      token_type: 'service',
      orphan: entry.orphan,
      mfa_requirement: null,
      num_uses: Math.max(0, entry.numUses),
    };
  }

  lookupData(entry: TokenEntry, hideId: boolean): Record<string, unknown> {
    const data: Record<string, unknown> = {
      accessor: entry.accessor,
      creation_time: unixSeconds(entry.createdAt),
      creation_ttl: entry.creationTtl,
      display_name: entry.displayName,
      entity_id: entry.entityId,
      expire_time: entry.expireAt === null ? null : rfc3339(entry.expireAt),
      explicit_max_ttl: entry.explicitMaxTtl,
      id: hideId ? '' : entry.id,
      meta: entry.meta,
      num_uses: Math.max(0, entry.numUses),
      orphan: entry.orphan,
      path: entry.path,
      policies: entry.policies,
      ttl: this.ttlLeft(entry),
      type: 'service',
    };
    if (entry.period) data['period'] = entry.period;
    if (entry.expireAt !== null) {
      // Vault adds these only for tokens that have a lease (not for root tokens).
      data['issue_time'] = rfc3339(entry.createdAt);
      data['renewable'] = entry.renewable;
      if (entry.lastRenewal !== null) {
        data['last_renewal_time'] = unixSeconds(entry.lastRenewal);
        data['last_renewal'] = rfc3339(entry.lastRenewal);
      }
    }
    return data;
  }

  size(): number {
    return this.byId.size;
  }
}

function increment(body: Body): number {
  try {
    return durationField(body, 'increment', 0);
  } catch (err) {
    throw badRequest((err as Error).message);
  }
}

function metaField(body: Body): Record<string, string> | null {
  const meta = body['meta'];
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return null;
  return Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, String(v)]));
}

/** auth/token/: create, create-orphan, lookup(-self), renew(-self), revoke(-self), lookup-accessor. */
export function tokenEngine(store: TokenStore): Engine {
  return {
    handle(req: EngineRequest): Reply {
      const caller = req.token;
      if (!caller) throw permissionDenied();
      const { subpath, op, body } = req;
      switch (subpath) {
        case 'lookup-self':
          if (op !== 'read' && op !== 'update') throw unsupportedOperation();
          return logical(store.lookupData(caller, false));
        case 'renew-self': {
          if (op !== 'update') throw unsupportedOperation();
          const { ttl, warnings } = store.renew(caller, increment(body));
          return { type: 'logical', data: null, auth: store.authBlock(caller, ttl), warnings };
        }
        case 'revoke-self':
          if (op !== 'update') throw unsupportedOperation();
          store.revoke(caller.id);
          return noContent();
        case 'lookup': {
          if (op !== 'update' && op !== 'read') throw unsupportedOperation();
          const target = store.lookup(str(body, 'token'));
          if (!target) throw new VaultError(403, ['bad token']);
          return logical(store.lookupData(target, false));
        }
        case 'lookup-accessor': {
          const target = store.byAccessor(str(body, 'accessor'));
          if (!target) throw badRequest('invalid accessor');
          return logical(store.lookupData(target, true));
        }
        case 'renew': {
          const target = store.lookup(str(body, 'token'));
          if (!target) throw badRequest('invalid token');
          const { ttl, warnings } = store.renew(target, increment(body));
          return { type: 'logical', data: null, auth: store.authBlock(target, ttl), warnings };
        }
        case 'revoke':
          store.revoke(str(body, 'token'));
          return noContent();
        case 'revoke-accessor': {
          const target = store.byAccessor(str(body, 'accessor'));
          if (target) store.revoke(target.id);
          return noContent();
        }
        case 'create':
        case 'create-orphan': {
          if (op !== 'update') throw unsupportedOperation();
          return createToken(store, caller, body, subpath === 'create-orphan');
        }
        default:
          throw unsupportedPath();
      }
    },
  };
}

function createToken(store: TokenStore, caller: TokenEntry, body: Body, forceOrphan: boolean): Reply {
  let ttl: number;
  let explicitMaxTtl: number;
  let period: number;
  try {
    ttl = durationField(body, 'ttl', 0);
    explicitMaxTtl = durationField(body, 'explicit_max_ttl', 0);
    period = durationField(body, 'period', 0);
  } catch (err) {
    throw badRequest((err as Error).message);
  }
  const isRoot = caller.policies.includes('root');
  const requested = strList(body, 'policies');
  const policies = requested ?? caller.policies.filter((p) => p !== 'default');
  if (!isRoot && policies.some((p) => !caller.policies.includes(p))) {
    throw badRequest('child policies must be subset of parent');
  }
  const orphan = forceOrphan || boolField(body, 'no_parent', false);
  const explicitId = str(body, 'id');
  if (explicitId && !isRoot) throw badRequest('root or sudo privileges required to specify token id');
  if (explicitId && store.lookup(explicitId)) throw badRequest('cannot create a token with a duplicate ID');
  const entry = store.issue({
    policies,
    ttl: ttl || (policies.includes('root') ? 0 : SYSTEM_MAX_TTL),
    explicitMaxTtl,
    period,
    renewable: boolField(body, 'renewable', true),
    numUses: Number(body['num_uses'] ?? 0) || 0,
    meta: metaField(body),
    displayName: `token${str(body, 'display_name') ? `-${str(body, 'display_name')}` : ''}`,
    path: 'auth/token/create',
    parent: orphan ? null : caller.id,
    entityId: '',
    ...(explicitId ? { id: explicitId } : {}),
  });
  return { type: 'logical', data: null, auth: store.authBlock(entry) };
}

export const newEntityId = newUuid;
