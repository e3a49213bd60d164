// Leases of dynamic secrets: issued with a TTL and a max TTL counted from issue time, renewed
// from "now", revoked with their token, reaped when they expire; and sys/leases/*.
import type { Clock } from './clock';
import { durationField, formatGoDuration, rfc3339 } from './duration';
import { badRequest, unsupportedOperation, unsupportedPath } from './errors';
import { randomString } from './ids';
import type { EngineRequest, Reply } from './types';
import { logical, parseBool, str } from './types';

export interface Lease {
  id: string;
  issuedAt: number;
  expireAt: number;
  maxExpireAt: number;
  /** TTL granted at issue (the default increment). */
  ttl: number;
  renewable: boolean;
  owner: string | null;
  lastRenewal: number | null;
  onRevoke?: () => void;
}

export interface LeaseRequest {
  path: string;
  ttl: number;
  maxTtl: number;
  renewable: boolean;
  owner: string | null;
  onRevoke?: () => void;
}

export class LeaseStore {
  private readonly leases = new Map<string, Lease>();
  /** Every lease id ever revoked or expired, in order (tests assert revocation on exit). */
  readonly revoked: string[] = [];

  constructor(private readonly clock: Clock) {}

  create(request: LeaseRequest): Lease {
    const now = this.clock.now();
    const ttl = Math.min(request.ttl, request.maxTtl);
    const lease: Lease = {
      id: `${request.path}/${randomString(24)}`,
      issuedAt: now,
      expireAt: now + ttl * 1000,
      maxExpireAt: now + request.maxTtl * 1000,
      ttl,
      renewable: request.renewable,
      owner: request.owner,
      lastRenewal: null,
      ...(request.onRevoke ? { onRevoke: request.onRevoke } : {}),
    };
    this.leases.set(lease.id, lease);
    return lease;
  }

  get(id: string): Lease | null {
    const lease = this.leases.get(id);
    if (!lease) return null;
    if (this.clock.now() >= lease.expireAt) {
      this.revoke(id);
      return null;
    }
    return lease;
  }

  revoke(id: string): void {
    const lease = this.leases.get(id);
    if (!lease) return;
    this.leases.delete(id);
    this.revoked.push(id);
    lease.onRevoke?.();
  }

  revokeOwnedBy(tokenId: string): void {
    for (const lease of [...this.leases.values()]) if (lease.owner === tokenId) this.revoke(lease.id);
  }

  revokePrefix(prefix: string): void {
    for (const id of [...this.leases.keys()]) if (id.startsWith(prefix)) this.revoke(id);
  }

  sweep(): void {
    const now = this.clock.now();
    for (const lease of [...this.leases.values()]) if (now >= lease.expireAt) this.revoke(lease.id);
  }

  active(): Lease[] {
    this.sweep();
    return [...this.leases.values()];
  }

  renew(id: string, increment: number): { lease: Lease; ttl: number; warnings: string[] } {
    const lease = this.get(id);
    if (!lease) throw badRequest('lease not found');
    if (!lease.renewable) throw badRequest('lease is not renewable');
    const now = this.clock.now();
    const wanted = increment || lease.ttl;
    const left = Math.floor((lease.maxExpireAt - now) / 1000);
    const warnings: string[] = [];
    let ttl = wanted;
    if (wanted > left) {
      ttl = left;
      warnings.push(
        `TTL of "${formatGoDuration(wanted)}" exceeded the effective max_ttl of "${formatGoDuration(left)}"; TTL value is capped accordingly`,
      );
    }
    lease.expireAt = now + ttl * 1000;
    lease.lastRenewal = now;
    return { lease, ttl, warnings };
  }
}

function leaseIdFrom(req: EngineRequest, prefix: string): string {
  const fromBody = str(req.body, 'lease_id') || str(req.body, 'url_lease_id');
  if (fromBody) return fromBody;
  return req.subpath.startsWith(prefix) ? req.subpath.slice(prefix.length) : '';
}

/** sys/leases/renew, revoke, revoke-prefix, lookup (PUT and POST are the same operation). */
export function handleLeases(store: LeaseStore, req: EngineRequest): Reply {
  // subpath is relative to sys/: "leases/renew", "leases/renew/<id>", "renew/<id>" (legacy)...
  const path = req.subpath.startsWith('leases/') ? req.subpath.slice('leases/'.length) : req.subpath;
  const action = path.split('/')[0] ?? '';
  const inner: EngineRequest = { ...req, subpath: path };
  if (req.op !== 'update') {
    if (action === 'lookup' && req.op === 'list') return listLeases(store, path.slice('lookup/'.length));
    throw unsupportedOperation();
  }
  switch (action) {
    case 'renew': {
      const id = leaseIdFrom(inner, 'renew/');
      if (!id) throw badRequest('lease_id must be specified');
      let inc: number;
      try {
        inc = durationField(req.body, 'increment', 0);
      } catch (err) {
        throw badRequest((err as Error).message);
      }
      const { lease, ttl, warnings } = store.renew(id, inc);
      return { type: 'logical', data: null, lease: { id: lease.id, duration: ttl, renewable: true }, warnings };
    }
    case 'revoke': {
      const id = leaseIdFrom(inner, 'revoke/');
      if (!id) throw badRequest('lease_id must be specified');
      store.revoke(id);
      const sync = 'sync' in req.body ? parseBool(req.body['sync']) : true;
      return { type: 'empty', status: sync === false ? 202 : 204 };
    }
    case 'revoke-prefix': {
      store.revokePrefix(path.slice('revoke-prefix/'.length));
      return { type: 'empty', status: 204 };
    }
    case 'lookup': {
      const id = str(req.body, 'lease_id');
      if (!id) throw badRequest('missing lease_id');
      const lease = store.get(id);
      if (!lease) throw badRequest('invalid lease');
      return logical({
        id: lease.id,
        issue_time: rfc3339(lease.issuedAt),
        expire_time: rfc3339(lease.expireAt),
        last_renewal: lease.lastRenewal === null ? null : rfc3339(lease.lastRenewal),
        renewable: lease.renewable,
        ttl: Math.max(0, Math.floor((lease.expireAt - req.now) / 1000)),
      });
    }
    default:
      throw unsupportedPath();
  }
}

function listLeases(store: LeaseStore, prefix: string): Reply {
  const keys = new Set<string>();
  for (const lease of store.active()) {
    if (!lease.id.startsWith(prefix)) continue;
    const rest = lease.id.slice(prefix.length);
    const slash = rest.indexOf('/');
    keys.add(slash === -1 ? rest : rest.slice(0, slash + 1));
  }
  if (keys.size === 0) throw badRequest('no leases found');
  return logical({ keys: [...keys].sort() });
}
