// Leased values (database/creds/ROLE and other dynamic engines, PKI certificates): one holder
// per key, so exactly one renewer per lease.
//
// The runner calls fetch at the refreshAt this book returns. Then a renewable lease is renewed
// through sys/leases/renew, asking for its original duration; the data stays the same, so
// nothing is rewritten. When Vault grants less than asked, the lease's max TTL is near: the
// next refreshAt is set early enough to fetch a replacement before the old one ends, and the
// new credentials reach the app through on_change. A lease Vault no longer knows (400/404) or
// one that cannot be renewed is replaced. Calls before refreshAt (a manual rotate) return what
// is held: no new credentials are issued while the held ones are good, whoever logs in again.
// Replaced leases are kept until they expire, so that close() can revoke what is still live.

import { renewalTime, renewFraction } from '../../core/schedule';
import type { Logger } from '../../log';
import type { Clock } from '../../ports/clock';
import type { Random } from '../../ports/random';
import type { FetchResult } from '../../ports/secret-source';
import type { Api } from './api';
import { VaultApiError } from './client';

export interface Issued {
  data: Record<string, unknown>;
  /** Empty when Vault made no lease (PKI without generate_lease, static data). */
  leaseId: string;
  renewable: boolean;
  /** Lease duration in seconds (0 = none). */
  durationS: number;
  /** Absolute expiry when the value carries its own (a certificate's notAfter). */
  expiresAt?: number;
  version?: string;
}

interface Held extends Issued {
  expiresAt: number;
  refreshAt: number;
  /** Seconds asked at each renewal. */
  askS: number;
  nearMax: boolean;
}

export interface LeaseBook {
  fetch(key: string, issue: () => Promise<Issued>, signal?: AbortSignal): Promise<FetchResult>;
  /** Revokes every lease created and still live; returns how many were revoked. */
  revokeAll(api: Api): Promise<number>;
  /** Live lease ids, for status and tests. */
  leaseIds(): string[];
}

export function createLeaseBook(deps: { clock: Clock; random: Random; logger: Logger; api: Api; renewFraction?: number }): LeaseBook {
  const { clock, random, logger, api } = deps;
  const fraction = deps.renewFraction ?? renewFraction;
  const held = new Map<string, Held>();
  const retired: Held[] = [];

  function result(key: string, h: Held): FetchResult {
    const secret = { key, data: h.data, refreshAt: h.refreshAt, ...(Number.isFinite(h.expiresAt) ? { expiresAt: h.expiresAt } : {}) };
    const version = h.version ?? (h.leaseId ? h.leaseId.slice(h.leaseId.lastIndexOf('/') + 1, h.leaseId.lastIndexOf('/') + 9) : undefined);
    return { ok: true, secret: version === undefined ? secret : { ...secret, version } };
  }

  async function renew(h: Held, signal?: AbortSignal): Promise<void> {
    const reply = await api({ method: 'PUT', path: 'sys/leases/renew', body: { lease_id: h.leaseId, increment: h.askS }, ...(signal ? { signal } : {}) });
    const granted = Number(reply.body?.['lease_duration'] ?? 0);
    const now = clock.now();
    h.expiresAt = now + granted * 1000;
    h.nearMax = granted < h.askS;
    h.renewable = reply.body?.['renewable'] !== false;
    h.refreshAt = renewalTime(now, granted * 1000, random, fraction);
    if (h.nearMax) logger.info('lease is near its max TTL; a replacement will be fetched before it ends', { lease: leaseName(h.leaseId), ttl_s: granted });
  }

  function adopt(key: string, issued: Issued): Held {
    const now = clock.now();
    const expiresAt = issued.expiresAt ?? (issued.durationS > 0 ? now + issued.durationS * 1000 : Infinity);
    const life = Number.isFinite(expiresAt) ? expiresAt - now : Infinity;
    const h: Held = { ...issued, expiresAt, askS: issued.durationS, nearMax: false, refreshAt: renewalTime(now, life, random, fraction) };
    const old = held.get(key);
    if (old?.leaseId) retired.push(old);
    held.set(key, h);
    return h;
  }

  return {
    async fetch(key, issue, signal) {
      const now = clock.now();
      const h = held.get(key);
      if (h && now < h.expiresAt) {
        if (now < h.refreshAt) return result(key, h);
        if (h.leaseId && h.renewable && !h.nearMax) {
          try {
            await renew(h, signal);
            return result(key, h);
          } catch (err) {
            if (err instanceof VaultApiError && err.transient) throw err;
            logger.warn('lease renewal refused; fetching a new one', { lease: leaseName(h.leaseId), status: err instanceof VaultApiError ? err.status : 'error' });
          }
        }
      }
      const fresh = adopt(key, await issue());
      if (h && fresh.leaseId) logger.info('fetched a replacement for a lease', { key, lease: leaseName(fresh.leaseId) });
      return result(key, fresh);
    },

    async revokeAll(target) {
      const now = clock.now();
      const live = [...held.values(), ...retired].filter((h) => h.leaseId && h.expiresAt > now);
      held.clear();
      retired.length = 0;
      let revoked = 0;
      await Promise.all(live.map(async (h) => {
        try {
          await target({ method: 'PUT', path: 'sys/leases/revoke', body: { lease_id: h.leaseId }, timeoutMs: 5000 });
          revoked++;
        } catch (err) {
          logger.warn('could not revoke a lease on exit', { lease: leaseName(h.leaseId), error: (err as Error).message });
        }
      }));
      return revoked;
    },

    leaseIds: () => [...held.values()].map((h) => h.leaseId).filter((id) => id !== ''),
  };
}

/** The lease's path without its random suffix, for logs. */
function leaseName(leaseId: string): string {
  const at = leaseId.lastIndexOf('/');
  return at === -1 ? 'lease' : `${leaseId.slice(0, at)}/…`;
}
