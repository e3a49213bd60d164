// The per-key transitions of core/key-state.ts: a fetch result + the key's state + now + rand →
// its next state, whether the secrets that read it render again, and what a failure reports.
import { describe, expect, it } from 'vitest';
import { applyFetch, initialKeyState, noResult, sameData, type FetchContext, type KeyState } from '../../agent/core/key-state';
import { problemLines, problemText, type RenderProblem } from '../../agent/core/problems';
import { defaultRetry } from '../../agent/core/schedule';
import { ManualClock } from '../../agent/ports/clock';
import type { FetchResult } from '../../agent/ports/secret-source';

const bytes = (t: string) => new TextEncoder().encode(t);
const ok = (data: Uint8Array | Record<string, unknown>, extra: { refreshAt?: number; version?: string } = {}): FetchResult => ({ ok: true, secret: { key: 'k', data, ...extra } });
const gone: FetchResult = { ok: false, missing: true, reason: "no entry 'k'" };
const down = (retryAfterMs?: number): FetchResult => ({ ok: false, missing: false, reason: 'connection refused', ...(retryAfterMs ? { retryAfterMs } : {}) });

const held: KeyState = { nextAt: 50_000, attempts: 0, fetchedAt: 10_000, data: bytes('v1'), version: 'generation 3' };
const failing: KeyState = { ...held, attempts: 2, error: 'connection refused', nextAt: 12_000 };

const at = (now: number, over: Partial<FetchContext> = {}): FetchContext => ({
  now, rand: () => 0, rotate: { everyMs: 60_000, jitter: 0.1 }, retry: defaultRetry, changedMeanwhile: false, ...over,
});

describe('applyFetch', () => {
  it.each<[string, KeyState, FetchResult, FetchContext, { state: KeyState; changed: boolean; failure?: unknown }]>([
    ['first value: changed, due after every', initialKeyState, ok(bytes('v1')), at(1_000),
      { state: { nextAt: 61_000, attempts: 0, fetchedAt: 1_000, data: bytes('v1') }, changed: true }],
    ['same bytes again: not changed, version kept from the answer', held, ok(bytes('v1'), { version: 'generation 4' }), at(70_000, { rand: () => 1 }),
      { state: { nextAt: 124_000, attempts: 0, fetchedAt: 70_000, data: bytes('v1'), version: 'generation 4' }, changed: false }],
    ['new bytes: changed', held, ok(bytes('v2')), at(70_000),
      { state: { nextAt: 130_000, attempts: 0, fetchedAt: 70_000, data: bytes('v2') }, changed: true }],
    ['a lease hint wins over every', initialKeyState, ok({ user: 'u' }, { refreshAt: 41_000 }), at(1_000),
      { state: { nextAt: 41_000, attempts: 0, fetchedAt: 1_000, data: { user: 'u' } }, changed: true }],
    ['a change reported meanwhile keeps it due', held, ok(bytes('v1')), at(70_000, { changedMeanwhile: true }),
      { state: { nextAt: 70_000, attempts: 0, fetchedAt: 70_000, data: bytes('v1') }, changed: false }],
    ['a value after failures clears the error and the attempts', failing, ok(bytes('v1')), at(13_000),
      { state: { nextAt: 73_000, attempts: 0, fetchedAt: 13_000, data: bytes('v1') }, changed: false }],
    ['gone at the source: the value goes, the reason stays', held, gone, at(70_000),
      { state: { nextAt: 130_000, attempts: 0, fetchedAt: 10_000, version: 'generation 3', error: "no entry 'k'" }, changed: true }],
    ['gone and never held: nothing changed', initialKeyState, gone, at(1_000),
      { state: { nextAt: 61_000, attempts: 0, error: "no entry 'k'" }, changed: false }],
    ['first failure: last good value kept, retry after the first backoff', held, down(), at(70_000),
      { state: { ...held, nextAt: 70_500, attempts: 1, error: 'connection refused' }, changed: false, failure: { attempt: 1, retryInMs: 500, reason: 'connection refused' } }],
    ['third failure: the backoff doubles twice', failing, down(), at(20_000),
      { state: { ...failing, nextAt: 22_000, attempts: 3 }, changed: false, failure: { attempt: 3, retryInMs: 2_000, reason: 'connection refused' } }],
    ['Retry-After asks for longer', held, down(30_000), at(70_000),
      { state: { ...held, nextAt: 100_000, attempts: 1, error: 'connection refused' }, changed: false, failure: { attempt: 1, retryInMs: 30_000, reason: 'connection refused' } }],
    ['no result for the key is a failure', initialKeyState, noResult, at(1_000),
      { state: { nextAt: 1_500, attempts: 1, error: 'the source returned no result' }, changed: false, failure: { attempt: 1, retryInMs: 500, reason: 'the source returned no result' } }],
  ])('%s', (_what, state, result, context, expected) => {
    expect(applyFetch(state, result, context)).toEqual(expected);
  });

  it('an outage on a manual clock: retries back off to the cap, and the first value ends it', () => {
    const clock = new ManualClock(0);
    let state = applyFetch(initialKeyState, ok(bytes('v1')), at(clock.now())).state;
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      const step = applyFetch(state, down(), at(clock.now(), { rand: () => 1 }));
      delays.push(step.failure!.retryInMs);
      state = step.state;
      expect(state.data).toEqual(bytes('v1'));
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 120_000, 120_000, 120_000]);
    const back = applyFetch(state, ok(bytes('v1')), at(clock.now()));
    expect(back).toMatchObject({ changed: false, state: { attempts: 0 } });
    expect(back.state.error).toBeUndefined();
  });
});

describe('sameData', () => {
  it.each<[string, Parameters<typeof sameData>[0], Parameters<typeof sameData>[1], boolean]>([
    ['equal bytes', bytes('a'), bytes('a'), true],
    ['different bytes', bytes('a'), bytes('b'), false],
    ['bytes and a map', bytes('a'), { a: 'a' }, false],
    ['equal maps', { a: 1, b: ['x'] }, { a: 1, b: ['x'] }, true],
    ['nothing and something', undefined, bytes('a'), false],
  ])('%s', (_what, a, b, same) => {
    expect(sameData(a, b)).toBe(same);
  });
});

describe('render problems', () => {
  const secret: RenderProblem = {
    policy: 'webapp', policyFile: 'webapp.yaml', secret: { index: 2, file: 'db.env' },
    missing: [
      { source: 'dev', key: 'db/password', reason: 'not available', fetchError: "no entry 'db/password' in store /s.hush" },
      { source: 'vault', key: 'kv/app', field: 'zz', reason: 'has no such field' },
      { source: 'vault', key: 'kv/app', field: 'yy', reason: 'has no such field', fetchError: 'Vault answered 503' },
    ],
    errors: ['the value of X is not UTF-8 text'],
  };

  it('one line per secret, as start() reports it', () => {
    expect(problemLines(secret)).toEqual([
      "webapp.yaml: secrets[2] (db.env): dev:db/password: no entry 'db/password' in store /s.hush; vault:kv/app#zz (has no such field); " +
        'vault:kv/app#yy (has no such field): Vault answered 503; the value of X is not UTF-8 text',
    ]);
    expect(problemText(secret)).toBe(problemLines(secret)[0]!.slice('webapp.yaml: secrets[2] (db.env): '.length));
  });

  it('one line per item of the env section', () => {
    const env: RenderProblem = { policy: 'webapp', policyFile: 'webapp.yaml', missing: [{ source: 'dev', key: 'x', reason: 'not available' }], errors: ['the value of Y contains a NUL character'] };
    expect(problemLines(env)).toEqual(['webapp.yaml: env: dev:x (not available)', 'webapp.yaml: env: the value of Y contains a NUL character']);
  });
});
