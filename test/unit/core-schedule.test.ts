import { describe, expect, it } from 'vitest';
import { burstDue, debounceDeadline, defaultRetry, nextRotation, noteChange, renewalTime, renewFraction, retryDelay, type Burst } from '../../agent/core/schedule';
import { ManualClock } from '../../agent/ports/clock';
import { seededRandom } from '../../agent/ports/random';

describe('nextRotation', () => {
  it.each<[number, number, number]>([
    [0, 0, 60_000],
    [0.1, 0, 60_000],
    [0.1, 1, 54_000],
    [0.5, 0.5, 45_000],
    [1, 1, 0],
  ])('jitter %s, rand %s → after %s ms', (jitter, r, delay) => {
    expect(nextRotation(1_000, { everyMs: 60_000, jitter }, () => r)).toBe(1_000 + delay);
  });

  it('stays within [every·(1-jitter), every] for many seeded draws', () => {
    const rand = seededRandom(7);
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const at = nextRotation(0, { everyMs: 900_000, jitter: 0.1 }, rand);
      expect(at).toBeGreaterThanOrEqual(810_000);
      expect(at).toBeLessThanOrEqual(900_000);
      seen.add(Math.floor(at / 10_000));
    }
    expect(seen.size).toBeGreaterThan(8); // spread over the whole window, not one value
  });

  it('a lease hint wins over every', () => {
    expect(nextRotation(0, { everyMs: 60_000, jitter: 0.1 }, () => 0.5, 30_000)).toBe(30_000);
    expect(nextRotation(50_000, { everyMs: 60_000, jitter: 0.1 }, () => 0.5, 30_000)).toBe(50_000);
  });
});

describe('retryDelay', () => {
  const policy = { baseMs: 1_000, maxMs: 60_000, maxRetryAfterMs: 300_000 };

  it.each<[number, number, number]>([
    [1, 500, 1_000],
    [2, 1_000, 2_000],
    [3, 2_000, 4_000],
    [6, 16_000, 32_000],
    [7, 30_000, 60_000],
    [50, 30_000, 60_000],
    [5_000, 30_000, 60_000],
  ])('attempt %s lies in [%s, %s]', (attempt, lo, hi) => {
    expect(retryDelay(attempt, policy, () => 0)).toBe(lo);
    expect(retryDelay(attempt, policy, () => 0.999999)).toBeLessThanOrEqual(hi);
    expect(retryDelay(attempt, policy, () => 0.999999)).toBeGreaterThan(hi - 2);
  });

  it('never exceeds the cap for any seeded draw', () => {
    const rand = seededRandom(3);
    for (let a = 1; a < 200; a++) expect(retryDelay(a, policy, rand)).toBeLessThanOrEqual(policy.maxMs);
  });

  it('honours Retry-After when it asks for longer, up to its own cap', () => {
    expect(retryDelay(1, policy, () => 0, 10_000)).toBe(10_000);
    expect(retryDelay(7, policy, () => 0, 10_000)).toBe(30_000);
    expect(retryDelay(1, policy, () => 0, 3_600_000)).toBe(300_000);
    expect(retryDelay(1, policy, () => 0, 0)).toBe(500);
  });

  it('has sane defaults', () => {
    expect(defaultRetry.baseMs).toBeLessThan(defaultRetry.maxMs);
  });
});

describe('debounce', () => {
  const wait = { minMs: 100, maxMs: 400 };

  it('debounceDeadline: min after the last change, at most max after the first', () => {
    expect(debounceDeadline(0, 0, wait)).toBe(100);
    expect(debounceDeadline(0, 250, wait)).toBe(350);
    expect(debounceDeadline(0, 390, wait)).toBe(400);
  });

  it('ten changes 20 ms apart give one action, when the burst has settled', async () => {
    const clock = new ManualClock(1_000);
    let burst: Burst | undefined;
    let actions = 0;
    const tick = () => {
      if (burstDue(burst, clock.now(), wait)) {
        actions++;
        burst = undefined;
      }
    };
    for (let i = 0; i < 10; i++) {
      burst = noteChange(burst, clock.now());
      await clock.advance(20);
      tick();
    }
    expect(actions).toBe(0);
    expect(burst).toEqual({ firstAt: 1_000, lastAt: 1_180 });
    await clock.advance(79);
    tick();
    expect(actions).toBe(0);
    await clock.advance(1);
    tick();
    expect(actions).toBe(1);
    await clock.advance(10_000);
    tick();
    expect(actions).toBe(1);
  });

  it('a steady trickle still acts once max has passed since the first change', async () => {
    const clock = new ManualClock(0);
    let burst: Burst | undefined;
    const dueAt: number[] = [];
    for (let i = 0; i < 100; i++) {
      burst = noteChange(burst, clock.now());
      await clock.advance(50);
      if (burstDue(burst, clock.now(), wait)) {
        dueAt.push(clock.now());
        burst = undefined;
      }
    }
    expect(dueAt.slice(0, 3)).toEqual([400, 800, 1200]);
  });
});

describe('renewalTime', () => {
  it.each<[string, number, number, number | undefined, number]>([
    ['2/3 of the TTL, rand 0', 3_000_000, 0, undefined, 1_000 + 2_000_000],
    ['10% earlier at rand 1', 3_000_000, 1, undefined, 1_000 + 1_800_000],
    ['5% earlier at rand 0.5', 3_000_000, 0.5, undefined, 1_000 + 1_900_000],
    ['another fraction', 1_000_000, 0, 0.5, 1_000 + 500_000],
    ['a zero TTL is due now', 0, 0.7, undefined, 1_000],
    ['no end, no renewal', Infinity, 0.3, undefined, Infinity],
  ])('%s', (_what, ttlMs, r, fraction, at) => {
    expect(renewalTime(1_000, ttlMs, () => r, fraction)).toBe(at);
  });

  it('a token renewed on a manual clock comes due inside [0.6, 0.667] of its TTL, never after', () => {
    const clock = new ManualClock(5_000);
    const rand = seededRandom(11);
    for (let i = 0; i < 1_000; i++) {
      const at = renewalTime(clock.now(), 60_000, rand) - clock.now();
      expect(at).toBeGreaterThanOrEqual(36_000);
      expect(at).toBeLessThanOrEqual(40_000);
    }
    expect(renewFraction).toBeCloseTo(2 / 3);
  });
});

describe('retry backoff shared by the runner and the Vault token upkeep', () => {
  it.each<[number, number, number]>([
    [1, 500, 1_000],
    [2, 1_000, 2_000],
    [7, 32_000, 64_000],
    [9, 60_000, 120_000],
  ])('defaultRetry, failure %s: in [%s, %s]', (attempt, lo, hi) => {
    expect(retryDelay(attempt, defaultRetry, () => 0)).toBe(lo);
    expect(retryDelay(attempt, defaultRetry, () => 1)).toBe(hi);
  });
});
