// Response wrapping: a single-use token whose cubbyhole holds the original response;
// sys/wrapping/lookup, unwrap and wrap.
import type { Clock } from './clock';
import { parseDuration, rfc3339 } from './duration';
import { VaultError, badRequest, unsupportedOperation, unsupportedPath } from './errors';
import { newAccessor, newServiceToken } from './ids';
import type { EngineRequest, Reply } from './types';
import { logical, str } from './types';

export interface WrapInfo {
  token: string;
  accessor: string;
  ttl: number;
  creation_time: string;
  creation_path: string;
  wrapped_accessor?: string;
}

interface Wrapped {
  info: WrapInfo;
  createdAt: number;
  expireAt: number;
  /** The wire body the original request would have returned. */
  response: unknown;
}

export const invalidWrappingToken = (): VaultError => badRequest('wrapping token is not valid or does not exist');

/** X-Vault-Wrap-TTL: seconds or a duration string; 0 when absent. */
export function parseWrapTtl(header: string | undefined): number {
  if (header === undefined || header === '') return 0;
  const ttl = parseDuration(header);
  if (ttl === null) throw badRequest(`error parsing X-Vault-Wrap-TTL header: invalid duration "${header}"`);
  return ttl;
}

export class WrapStore {
  private readonly tokens = new Map<string, Wrapped>();

  constructor(private readonly clock: Clock) {}

  wrap(response: unknown, ttl: number, creationPath: string, wrappedAccessor?: string): WrapInfo {
    const now = this.clock.now();
    const info: WrapInfo = {
      token: newServiceToken(),
      accessor: newAccessor(),
      ttl,
      creation_time: rfc3339(now),
      creation_path: creationPath,
      ...(wrappedAccessor ? { wrapped_accessor: wrappedAccessor } : {}),
    };
    this.tokens.set(info.token, { info, createdAt: now, expireAt: now + ttl * 1000, response });
    return info;
  }

  private live(token: string): Wrapped | null {
    const entry = this.tokens.get(token);
    if (!entry) return null;
    if (this.clock.now() >= entry.expireAt) {
      this.tokens.delete(token);
      return null;
    }
    return entry;
  }

  isWrappingToken(token: string | null): boolean {
    return token !== null && this.live(token) !== null;
  }

  /** Using a wrapping token to authenticate spends its single use. */
  burn(token: string): void {
    this.tokens.delete(token);
  }

  unwrap(token: string): unknown {
    const entry = this.live(token);
    if (!entry) throw invalidWrappingToken();
    this.tokens.delete(token);
    return entry.response;
  }

  lookup(token: string): Record<string, unknown> {
    const entry = this.live(token);
    if (!entry) throw invalidWrappingToken();
    return {
      creation_path: entry.info.creation_path,
      creation_time: entry.info.creation_time,
      creation_ttl: entry.info.ttl,
    };
  }

  sweep(): void {
    const now = this.clock.now();
    for (const [token, entry] of this.tokens) if (now >= entry.expireAt) this.tokens.delete(token);
  }
}

/**
 * sys/wrapping/*. `headerToken` is the X-Vault-Token when it was a wrapping token; the server
 * passes it only when the body carries no token (otherwise the header token was spent on auth).
 */
export function handleWrapping(store: WrapStore, req: EngineRequest, headerToken: string | null): Reply {
  const action = req.subpath.slice('wrapping/'.length);
  if (req.op !== 'update' && !(action === 'lookup' && req.op === 'read')) throw unsupportedOperation();
  const bodyToken = str(req.body, 'token') || (req.op === 'read' ? req.query['token'] ?? '' : '');
  switch (action) {
    case 'unwrap': {
      const token = bodyToken || headerToken || '';
      if (!token) throw invalidWrappingToken();
      const response = store.unwrap(token);
      return { type: 'raw', status: 200, body: response };
    }
    case 'lookup': {
      const token = bodyToken || headerToken || '';
      if (!token) throw badRequest('missing "token" value in input');
      return logical(store.lookup(token));
    }
    case 'wrap':
      return logical(req.body);
    default:
      throw unsupportedPath();
  }
}
