// What the server saw, for tests to count requests. Tokens are never recorded: only the
// accessor of the token used (a non-secret identifier), or null.

export interface RequestRecord {
  method: string;
  /** The URL path as sent, e.g. "/v1/secret/data/app". */
  path: string;
  query: Record<string, string>;
  /** Status answered, or "dropped" when the connection was destroyed. */
  status: number | 'dropped';
  tokenAccessor: string | null;
  namespace: string | null;
  wrapTtl: string | null;
  /** Server clock at arrival, ms. */
  at: number;
}

export interface RequestFilter {
  method?: string;
  /** Exact path ("/v1/sys/leases/renew") or a RegExp tested on it. */
  path?: string | RegExp;
}

export interface RequestLog {
  all(): readonly RequestRecord[];
  count(filter?: RequestFilter): number;
  find(filter?: RequestFilter): RequestRecord[];
  clear(): void;
}

export class RequestLogImpl implements RequestLog {
  private readonly records: RequestRecord[] = [];

  push(record: RequestRecord): RequestRecord {
    this.records.push(record);
    return record;
  }

  all(): readonly RequestRecord[] {
    return this.records;
  }

  find(filter: RequestFilter = {}): RequestRecord[] {
    return this.records.filter((r) => {
      if (filter.method && r.method !== filter.method.toUpperCase()) return false;
      if (filter.path === undefined) return true;
      return typeof filter.path === 'string' ? r.path === filter.path : filter.path.test(r.path);
    });
  }

  count(filter: RequestFilter = {}): number {
    return this.find(filter).length;
  }

  clear(): void {
    this.records.length = 0;
  }
}
