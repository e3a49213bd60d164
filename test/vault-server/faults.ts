// Fault injection that tests switch on at runtime: latency, 500s, sealed, standby states,
// 429 with Retry-After, dropped connections, tokens expired now, a path failing N times.

export type NodeState = 'active' | 'standby' | 'perf-standby' | 'dr-secondary' | 'ha-unhealthy' | 'removed';

export interface FaultSettings {
  /** Added (real-time) delay before every request is answered. */
  latencyMs: number;
  /** 503 "Vault is sealed" on everything but sys/health and sys/seal-status; health reports sealed. */
  sealed: boolean;
  /** Health reports not initialised (501); other requests answer 503 like a sealed node. */
  uninitialized: boolean;
  /** What sys/health reports about this node (requests are still served, as a forwarding standby does). */
  node: NodeState;
  /** 500 on every request but sys/health. */
  serverError: boolean;
  /** 429 rate-limit quota answers (with Retry-After) on every request but sys/health. */
  rateLimit: { retryAfterSeconds: number } | null;
  /** Close the socket without answering, on every request. */
  dropConnections: boolean;
}

export interface PathFailure {
  /** Number of matching requests that fail before the path recovers. */
  times: number;
  /** HTTP status to answer (default 500); ignored when drop is set. */
  status?: number;
  /** Errors array; defaults to Vault's message for the status. */
  errors?: string[];
  /** Retry-After seconds (429 gets 1 by default). */
  retryAfterSeconds?: number;
  /** Destroy the socket instead of answering. */
  drop?: boolean;
}

export interface FaultControls {
  set(settings: Partial<FaultSettings>): void;
  /** Back to a healthy, active, unsealed node with no pending path failures. */
  clear(): void;
  get(): Readonly<FaultSettings>;
  /** Requests whose /v1 path starts with `match` (or matches the RegExp) fail the next `times` times. */
  failPath(match: string | RegExp, failure: PathFailure): void;
  /** Ends the token's TTL now: the next use is a 403 and its leases are revoked. */
  expireToken(token: string): void;
}

export type FaultAction =
  | { kind: 'drop' }
  | { kind: 'error'; status: number; errors: string[]; headers: Record<string, string> };

const DEFAULTS: FaultSettings = {
  latencyMs: 0,
  sealed: false,
  uninitialized: false,
  node: 'active',
  serverError: false,
  rateLimit: null,
  dropConnections: false,
};

function defaultErrors(status: number, path: string): string[] {
  switch (status) {
    case 412:
      return ['required index state not present'];
    case 429:
      return [`request path "${path}": rate limit quota exceeded`];
    case 500:
      return ['local node not active but active cluster node not found'];
    case 503:
      return ['Vault is sealed'];
    default:
      return [];
  }
}

function rateLimitHeaders(retryAfter: number): Record<string, string> {
  return {
    'Retry-After': String(retryAfter),
    'X-Ratelimit-Limit': '100',
    'X-Ratelimit-Remaining': '0',
    'X-Ratelimit-Reset': String(retryAfter),
  };
}

export class Faults implements FaultControls {
  private settings: FaultSettings = { ...DEFAULTS };
  private failures: Array<{ match: string | RegExp; failure: PathFailure; left: number }> = [];

  constructor(private readonly expire: (token: string) => void) {}

  set(settings: Partial<FaultSettings>): void {
    this.settings = { ...this.settings, ...settings };
  }

  clear(): void {
    this.settings = { ...DEFAULTS };
    this.failures = [];
  }

  get(): Readonly<FaultSettings> {
    return this.settings;
  }

  failPath(match: string | RegExp, failure: PathFailure): void {
    const clean = typeof match === 'string' ? match.replace(/^\/?(v1\/)?/, '') : match;
    this.failures.push({ match: clean, failure, left: failure.times });
  }

  expireToken(token: string): void {
    this.expire(token);
  }

  /** What to do with a request to `path` (after /v1/) instead of serving it, if anything. */
  decide(path: string): FaultAction | null {
    const pending = this.failures.find(
      (f) => f.left > 0 && (typeof f.match === 'string' ? path.startsWith(f.match) : f.match.test(path)),
    );
    if (pending) {
      pending.left -= 1;
      if (pending.failure.drop) return { kind: 'drop' };
      const status = pending.failure.status ?? 500;
      const retry = pending.failure.retryAfterSeconds ?? (status === 429 ? 1 : undefined);
      return {
        kind: 'error',
        status,
        errors: pending.failure.errors ?? defaultErrors(status, path),
        headers: retry === undefined ? {} : rateLimitHeaders(retry),
      };
    }
    if (this.settings.dropConnections) return { kind: 'drop' };
    const exempt = path === 'sys/health' || path === 'sys/seal-status';
    if (exempt) return null;
    if (this.settings.sealed || this.settings.uninitialized) {
      return { kind: 'error', status: 503, errors: ['Vault is sealed'], headers: {} };
    }
    if (this.settings.serverError) return { kind: 'error', status: 500, errors: defaultErrors(500, path), headers: {} };
    if (this.settings.rateLimit) {
      return { kind: 'error', status: 429, errors: defaultErrors(429, path), headers: rateLimitHeaders(this.settings.rateLimit.retryAfterSeconds) };
    }
    return null;
  }
}
