// The token's life: log in, look the token up, renew it at about two thirds of its TTL while
// renewable, and log in again when it cannot be renewed, when renewals stop growing it (its max
// TTL is near), or when Vault answers 403 because it expired. One background loop sleeps on the
// Clock until the next renewal; calls from fetches share the same single flight, so two callers
// never renew or log in twice. The renewal time and the backoff after failures come from
// core/schedule.ts, as everywhere else in the agent.

import { defaultRetry, renewalTime, renewFraction, retryDelay } from '../../core/schedule';
import type { Logger } from '../../log';
import type { Clock } from '../../ports/clock';
import type { Random } from '../../ports/random';
import type { AuthMethod } from './auth/types';
import { VaultApiError, type VaultClient } from './client';
import { vaultErrors } from './errors';

interface Held {
  token: string;
  owned: boolean;
  /** ms since epoch; Infinity for a token without TTL (root, periodic unknown). */
  expiresAt: number;
  renewAt: number;
  renewable: boolean;
  /** Seconds to ask for at each renewal (the token's creation TTL). */
  incrementS: number;
  /** A renewal gave less than asked: the max TTL is near; log in again at renewAt. */
  nearMax: boolean;
}

export interface TokenLifecycle {
  /** A token that was valid when last checked; logs in first when there is none. */
  token(signal?: AbortSignal): Promise<string>;
  /** After a 403 with `used`: true when a new token is now held (retry), false when `used` is fine. */
  recheck(used: string, signal?: AbortSignal): Promise<boolean>;
  /** Keeps the token fresh until the signal aborts. */
  run(signal: AbortSignal): Promise<void>;
  /** Revokes the token when hush logged in itself. */
  revoke(): Promise<void>;
}

export function createTokenLifecycle(deps: { client: VaultClient; auth: AuthMethod; clock: Clock; random: Random; logger: Logger; renewFraction?: number }): TokenLifecycle {
  const { client, auth, clock, random, logger } = deps;
  const fraction = deps.renewFraction ?? renewFraction;
  let held: Held | undefined;
  let flight: Promise<void> | undefined;
  let failures = 0;

  const renewAt = (now: number, ttlS: number) => renewalTime(now, ttlS > 0 ? ttlS * 1000 : Infinity, random, fraction);

  async function adopt(token: string, owned: boolean, signal?: AbortSignal): Promise<void> {
    const reply = await client.request({ method: 'GET', path: 'auth/token/lookup-self', token, ...(signal ? { signal } : {}) });
    const data = (reply.body?.['data'] ?? {}) as Record<string, unknown>;
    const ttlS = Number(data['ttl'] ?? 0);
    const now = clock.now();
    const expiresAt = ttlS > 0 ? now + ttlS * 1000 : Infinity;
    const renewable = data['renewable'] === true && ttlS > 0;
    const creation = Number(data['creation_ttl'] ?? ttlS);
    held = { token, owned, expiresAt, renewable, incrementS: creation > 0 ? creation : ttlS, nearMax: false, renewAt: renewAt(now, ttlS) };
    logger.info('vault token ready', { method: auth.name, ttl_s: ttlS, renewable, owned });
  }

  async function login(signal?: AbortSignal): Promise<void> {
    const result = await auth.login(client, signal);
    await adopt(result.token, result.owned, signal);
  }

  async function renew(current: Held, signal?: AbortSignal): Promise<void> {
    const reply = await client.request({ method: 'POST', path: 'auth/token/renew-self', token: current.token, body: { increment: `${current.incrementS}s` }, ...(signal ? { signal } : {}) });
    const block = (reply.body?.['auth'] ?? {}) as Record<string, unknown>;
    const ttlS = Number(block['lease_duration'] ?? 0);
    const now = clock.now();
    current.expiresAt = ttlS > 0 ? now + ttlS * 1000 : Infinity;
    current.nearMax = ttlS < current.incrementS;
    current.renewable = block['renewable'] !== false;
    current.renewAt = renewAt(now, ttlS);
    if (current.nearMax) logger.info('vault token is near its max TTL; will log in again before it ends', { ttl_s: ttlS });
  }

  async function maintain(signal?: AbortSignal): Promise<void> {
    const current = held;
    if (!current || clock.now() >= current.expiresAt) return login(signal);
    if (!current.renewable || current.nearMax) return login(signal);
    try {
      await renew(current, signal);
    } catch (err) {
      if (err instanceof VaultApiError && !err.transient) {
        logger.warn('vault token renewal refused; logging in again', { status: err.status });
        return login(signal);
      }
      throw err;
    }
  }

  function once(work: () => Promise<void>): Promise<void> {
    flight ??= work().finally(() => {
      flight = undefined;
    });
    return flight;
  }

  return {
    async token(signal) {
      if (!held || clock.now() >= held.renewAt) {
        try {
          await once(() => maintain(signal));
        } catch (err) {
          // A renewal that failed for a transient reason leaves a token that still works.
          if (!held || clock.now() >= held.expiresAt) throw err;
        }
      }
      if (!held) throw vaultErrors.HUSH_ERR_VAULT_NO_TOKEN('no Vault token');
      return held.token;
    },

    async recheck(used, signal) {
      if (held && held.token !== used) return true;
      try {
        await client.request({ method: 'GET', path: 'auth/token/lookup-self', token: used, ...(signal ? { signal } : {}) });
        return false;
      } catch (err) {
        if (!(err instanceof VaultApiError) || err.status !== 403) throw err;
      }
      logger.warn('vault token was refused (expired or revoked); logging in again', { method: auth.name });
      if (held && held.token === used) held = undefined;
      await once(() => login(signal));
      return true;
    },

    async run(signal) {
      while (!signal.aborted) {
        const wait = failures > 0 ? retryDelay(failures, defaultRetry, random) : held ? held.renewAt - clock.now() : 0;
        try {
          if (wait > 0) await clock.sleep(Math.min(wait, 2 ** 31 - 1), signal);
        } catch {
          return;
        }
        if (signal.aborted) return;
        try {
          await once(() => maintain(signal));
          failures = 0;
        } catch (err) {
          if (signal.aborted) return;
          failures++;
          logger.warn('vault token upkeep failed; will retry', { attempt: failures, error: client.redactor.redact((err as Error).message) });
        }
      }
    },

    async revoke() {
      const current = held;
      held = undefined;
      if (!current?.owned || clock.now() >= current.expiresAt) return;
      await client.request({ method: 'POST', path: 'auth/token/revoke-self', token: current.token, timeoutMs: 5000 });
    },
  };
}
