// The shapes shared by the server's parts: a parsed request, what an engine answers, the auth block.

export type Operation = 'read' | 'list' | 'update' | 'patch' | 'delete';

export type Body = Record<string, unknown>;

export interface AuthBlock {
  client_token: string;
  accessor: string;
  policies: string[];
  token_policies: string[];
  metadata: Record<string, string> | null;
  lease_duration: number;
  renewable: boolean;
  entity_id: string;
  token_type: 'service';
  orphan: boolean;
  mfa_requirement: null;
  num_uses: number;
}

export interface LeaseInfo {
  id: string;
  duration: number;
  renewable: boolean;
}

export type Reply =
  | {
      type: 'logical';
      status?: number;
      data?: unknown;
      auth?: AuthBlock | null;
      lease?: LeaseInfo;
      warnings?: string[];
      /** Set as wrap_info.wrapped_accessor when this response is wrapped. */
      wrappedAccessor?: string;
    }
  | { type: 'raw'; status: number; body: unknown; headers?: Record<string, string> }
  | { type: 'empty'; status: 204 | 202 };

export interface TokenEntry {
  id: string;
  accessor: string;
  policies: string[];
  meta: Record<string, string> | null;
  displayName: string;
  path: string;
  entityId: string;
  createdAt: number;
  /** TTL granted at creation, seconds; 0 for non-expiring tokens. */
  creationTtl: number;
  expireAt: number | null;
  /** Absolute end of life (explicit_max_ttl, role or mount max), ms; null when unbounded. */
  maxExpireAt: number | null;
  explicitMaxTtl: number;
  period: number;
  renewable: boolean;
  numUses: number;
  orphan: boolean;
  parent: string | null;
  lastRenewal: number | null;
}

export interface VaultRequest {
  method: string;
  op: Operation;
  /** Path after /v1/, without the query string; list operations end with '/'. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  body: Body;
  contentType: string;
  token: TokenEntry | null;
  now: number;
}

export interface EngineRequest extends VaultRequest {
  /** Path relative to the mount. */
  subpath: string;
  mountPath: string;
}

export type Handler = (req: EngineRequest) => Reply | Promise<Reply>;

export interface Engine {
  handle: Handler;
}

export const logical = (data: unknown, extra: Omit<Extract<Reply, { type: 'logical' }>, 'type' | 'data'> = {}): Reply => ({
  type: 'logical',
  data,
  ...extra,
});
export const noContent = (): Reply => ({ type: 'empty', status: 204 });

export function str(body: Body, key: string): string {
  const value = body[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** Vault accepts lists as JSON arrays or comma-separated strings. */
export function strList(body: Body, ...keys: string[]): string[] | undefined {
  for (const key of keys) {
    const value = body[key];
    if (Array.isArray(value)) return value.map(String).filter((v) => v !== '');
    if (typeof value === 'string') return value.split(',').map((v) => v.trim()).filter((v) => v !== '');
  }
  return undefined;
}

/** Go's weak bool decoding (true/false/1/0/t/f...). */
export function parseBool(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value !== 'string') return null;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return null;
}

export function boolField(body: Body, key: string, fallback: boolean): boolean {
  if (!(key in body)) return fallback;
  return parseBool(body[key]) ?? fallback;
}
