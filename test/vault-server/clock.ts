// The server reads time only through a Clock, so tests drive expiry without waiting.

export interface Clock {
  now(): number;
}

export interface ManualClock extends Clock {
  advance(ms: number): void;
  advanceSeconds(seconds: number): void;
  set(ms: number): void;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told; starts at a whole second so TTL arithmetic is exact. */
export function createManualClock(startMs = Date.UTC(2026, 10, 28, 14, 0, 0)): ManualClock {
  let current = startMs;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
    advanceSeconds: (seconds) => {
      current += seconds * 1000;
    },
    set: (ms) => {
      current = ms;
    },
  };
}
