// Timing, as pure functions of `now` and `rand`: when to poll next, when to renew a lease or a
// token, how long to wait before a retry, and when a burst of changes has settled. The one
// owner of these formulas: the runner, the Vault token lifecycle and the lease book all call
// them.

import type { Random } from '../ports/random';

export interface RotateSpec {
  everyMs: number;
  /** 0..1: the poll comes up to this fraction of `every` early, never late. */
  jitter: number;
}

/**
 * When to refresh a value fetched at `fetchedAt`. A source's own hint (a lease's refreshAt)
 * wins; otherwise `every` minus up to `jitter * every`, so that many agents started together
 * spread out and no value is older than `every`.
 */
export function nextRotation(fetchedAt: number, rotate: RotateSpec, rand: Random, refreshAt?: number): number {
  if (refreshAt !== undefined) return Math.max(fetchedAt, refreshAt);
  const jitter = Math.min(Math.max(rotate.jitter, 0), 1);
  return fetchedAt + Math.round(rotate.everyMs * (1 - jitter * rand()));
}

/** Renew at this fraction of a TTL (Vault Agent and consul-template renew at about 2/3). */
export const renewFraction = 2 / 3;
/** Renewals come up to this fraction of the renewal delay early, so many agents spread out. */
const renewJitter = 0.1;

/**
 * When to renew something granted for `ttlMs` at `grantedAt`: `fraction` of the TTL, minus up
 * to 10% of that at random. Infinity when the grant has no end (root tokens, leases without a
 * duration).
 */
export function renewalTime(grantedAt: number, ttlMs: number, rand: Random, fraction = renewFraction): number {
  if (!Number.isFinite(ttlMs)) return Infinity;
  return grantedAt + Math.round(ttlMs * fraction * (1 - renewJitter * rand()));
}

export interface RetryPolicy {
  /** First delay. */
  baseMs: number;
  /** Cap on the exponential part. */
  maxMs: number;
  /** Cap on what a server's Retry-After can ask for. */
  maxRetryAfterMs: number;
}

export const defaultRetry: RetryPolicy = { baseMs: 1000, maxMs: 120_000, maxRetryAfterMs: 600_000 };

/**
 * Delay before retry number `attempt` (1 = first retry): base·2^(attempt-1) capped at max,
 * then "equal jitter" (between half and all of it), so retries spread without collapsing to
 * zero. A server's Retry-After is honoured (up to maxRetryAfterMs) when it asks for longer.
 */
export function retryDelay(attempt: number, policy: RetryPolicy, rand: Random, retryAfterMs?: number): number {
  const n = Math.max(1, Math.floor(attempt));
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(n - 1, 52));
  const delay = Math.round(exp / 2 + (exp / 2) * rand());
  if (retryAfterMs === undefined || !(retryAfterMs > 0)) return delay;
  return Math.max(delay, Math.min(retryAfterMs, policy.maxRetryAfterMs));
}

export interface WaitSpec {
  minMs: number;
  maxMs: number;
}

/**
 * consul-template's `wait`: act once changes stop for `min`, but no later than `max` after
 * the first change of the burst, so a steady trickle cannot postpone the action for ever.
 */
export function debounceDeadline(firstChangeAt: number, lastChangeAt: number, wait: WaitSpec): number {
  return Math.min(lastChangeAt + wait.minMs, firstChangeAt + Math.max(wait.maxMs, wait.minMs));
}

/** A burst of changes not acted on yet. */
export interface Burst {
  firstAt: number;
  lastAt: number;
}

/** Records one change at `now` into the current burst (or starts one). */
export function noteChange(burst: Burst | undefined, now: number): Burst {
  return burst ? { firstAt: burst.firstAt, lastAt: Math.max(burst.lastAt, now) } : { firstAt: now, lastAt: now };
}

/** True when the burst has settled and its one action should run now. */
export function burstDue(burst: Burst | undefined, now: number, wait: WaitSpec): boolean {
  return burst !== undefined && now >= debounceDeadline(burst.firstAt, burst.lastAt, wait);
}
