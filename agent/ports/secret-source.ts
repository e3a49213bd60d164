// The secret-source port. A source turns keys ("db/password", "secret/data/webapp") into
// values. The runner owns scheduling and retries; a source only fetches, and optionally tells
// the runner when its data changed (the file store's watcher) or how long a value is good
// for (Vault leases).

/** One fetched value. `data` is a single byte string (store) or a map of fields (Vault). */
export interface FetchedSecret {
  key: string;
  data: Uint8Array | Record<string, unknown>;
  /** When the value stops being valid (ms since epoch); absent for static values. */
  expiresAt?: number;
  /** Suggested time of the next refresh (ms since epoch), e.g. 2/3 of a lease; absent = use rotate.every. */
  refreshAt?: number;
  /** Version or lease id, for status output only. Never a value. */
  version?: string;
}

export type FetchResult =
  | { ok: true; secret: FetchedSecret }
  | { ok: false; missing: true; reason: string }
  | { ok: false; missing: false; reason: string; retryAfterMs?: number };

export interface SecretSource {
  readonly name: string;
  readonly type: string;
  /** Fetches every key once; the result map has one entry per distinct key. */
  fetch(keys: readonly string[], signal?: AbortSignal): Promise<Map<string, FetchResult>>;
  /** Calls onChange when the source knows its data changed; returns an unsubscribe. */
  watch?(onChange: () => void): () => void;
  /** Releases what the source holds (watchers, leases, tokens). */
  close(): Promise<void>;
}
