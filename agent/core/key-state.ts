// One fetched key between fetches, and how a fetch result moves it on: pure, with `now` and
// `rand` passed in. A value keeps its last good data through failures (the files stay); a key
// the source says is gone loses it (optional files disappear, required ones keep their last
// rendering); a failure backs off. The runner keeps one state per distinct (source, key).

import type { Random } from '../ports/random';
import type { FetchResult } from '../ports/secret-source';
import { sameBytes } from './diff';
import { nextRotation, retryDelay, type RetryPolicy, type RotateSpec } from './schedule';
import type { SecretData } from './values';

export interface KeyState {
  /** When it is due again (ms since epoch). */
  readonly nextAt: number;
  /** Failed fetches in a row. */
  readonly attempts: number;
  /** The last fetch that gave a value. */
  readonly fetchedAt?: number;
  /** The source's own words for why the last fetch gave no value; cleared by a value. */
  readonly error?: string;
  readonly version?: string;
  /** The last good value; absent before the first, or once the source said it is gone. */
  readonly data?: SecretData;
}

export const initialKeyState: KeyState = { nextAt: 0, attempts: 0 };

export interface FetchContext {
  /** When the fetch answered. */
  now: number;
  rand: Random;
  rotate: RotateSpec;
  retry: RetryPolicy;
  /** The source reported a change while this fetch was in flight: stay due. */
  changedMeanwhile: boolean;
}

export interface KeyTransition {
  state: KeyState;
  /** The value appeared, changed or went: the secrets that read it render again. */
  changed: boolean;
  /** A fetch that failed: which attempt it was and the delay chosen before the next. */
  failure?: { attempt: number; retryInMs: number; reason: string };
}

export const noResult: FetchResult = { ok: false, missing: false, reason: 'the source returned no result' };

export function sameData(a: SecretData | undefined, b: SecretData | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && sameBytes(a, b);
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

export function applyFetch(state: KeyState, result: FetchResult, at: FetchContext): KeyTransition {
  const { now } = at;
  if (result.ok) {
    const data = result.secret.data;
    const nextAt = at.changedMeanwhile ? now : nextRotation(now, at.rotate, at.rand, result.secret.refreshAt);
    return {
      state: { nextAt, attempts: 0, fetchedAt: now, data, ...(result.secret.version !== undefined ? { version: result.secret.version } : {}) },
      changed: !sameData(state.data, data),
    };
  }
  if (result.missing) {
    const { data: _gone, ...rest } = state;
    const nextAt = at.changedMeanwhile ? now : nextRotation(now, at.rotate, at.rand);
    return { state: { ...rest, nextAt, attempts: 0, error: result.reason }, changed: state.data !== undefined };
  }
  const attempt = state.attempts + 1;
  const retryInMs = retryDelay(attempt, at.retry, at.rand, result.retryAfterMs);
  return {
    state: { ...state, nextAt: now + retryInMs, attempts: attempt, error: result.reason },
    changed: false,
    failure: { attempt, retryInMs, reason: result.reason },
  };
}
