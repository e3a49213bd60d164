// The thin typed HTTP adapter every Vault call goes through.
//
// It speaks to Vault with node:http/https rather than through node-vault's axios stack,
// because that stack cannot honour an AbortSignal, rejects 202, routes loopback through
// HTTP_PROXY, keeps the first token in a shared headers object, and puts X-Vault-Token inside
// its transport errors (shared/research/node-vault.md 1.4–1.7). Here: one keep-alive agent, an
// explicit CA, an explicit timeout on every call, no proxy, X-Vault-Namespace, LIST as
// GET ?list=true, no retries (the runner owns them), and errors normalised to
// { status, errors, retryAfterMs } with anything token-shaped scrubbed from their text.

import * as http from 'node:http';
import * as https from 'node:https';
import type { Logger } from '../../log';

export interface VaultClientOptions {
  address: string;
  namespace?: string;
  /** PEM bundle of the CA(s) that sign Vault's certificate. */
  ca?: string;
  tlsSkipVerify?: boolean;
  timeoutMs: number;
  logger: Logger;
}

export interface VaultRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Relative to /v1/, without a query string. */
  path: string;
  query?: Record<string, string>;
  /** The X-Vault-Token to send; undefined sends none. */
  token?: string;
  body?: Record<string, unknown>;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface VaultReply {
  status: number;
  /** Parsed JSON body, or null when empty (204) or not JSON. */
  body: Record<string, unknown> | null;
}

/** A failed call. status 0 is a transport failure (refused, reset, timeout). Never holds a token. */
export class VaultApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
    readonly body: Record<string, unknown> | null,
    readonly retryAfterMs?: number,
    where = '',
  ) {
    super(`${where}${status === 0 ? '' : `Vault answered ${status}`}${errors.length > 0 ? `${status === 0 ? '' : ': '}${errors.join('; ')}` : ''}`);
    this.name = 'VaultApiError';
  }

  /** Worth retrying later: transport, 412, 429, 5xx except 501. */
  get transient(): boolean {
    return this.status === 0 || this.status === 412 || this.status === 429 || (this.status >= 500 && this.status !== 501);
  }
}

// Vault service/batch/recovery tokens, legacy s./b. tokens, and JWTs.
const TOKEN_SHAPES = [/\bhv[sbr]\.[A-Za-z0-9_.-]{8,}/g, /\b[sb]\.[A-Za-z0-9]{20,}/g, /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g];

/** Removes token-shaped text and every known sensitive string from a message. */
export function scrub(text: string, sensitive: Iterable<string> = []): string {
  let out = text;
  for (const value of sensitive) if (value.length >= 4) out = out.split(value).join('[redacted]');
  for (const shape of TOKEN_SHAPES) out = out.replace(shape, '[redacted]');
  return out;
}

/** Retry-After in seconds or as an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface VaultClient {
  request(req: VaultRequest): Promise<VaultReply>;
  /** Strings that must never appear in an error (tokens, secret_ids, JWTs). */
  addSensitive(value: string): void;
  scrub(text: string): string;
  close(): void;
}

export function createVaultClient(options: VaultClientOptions): VaultClient {
  const base = new URL(options.address.replace(/\/+$/, '') + '/');
  const secure = base.protocol === 'https:';
  if (!secure && base.protocol !== 'http:') throw new Error(`unsupported Vault address scheme '${base.protocol}'`);
  if (options.tlsSkipVerify) {
    options.logger.warn('TLS VERIFICATION OF VAULT IS DISABLED (tls_skip_verify): anyone on the path can read every secret and token', { address: base.origin });
  }
  // A dedicated agent: no global agent, no proxy (node:http never reads HTTP(S)_PROXY).
  const agent = secure
    ? new https.Agent({ keepAlive: true, maxSockets: 32, ...(options.ca ? { ca: options.ca } : {}), rejectUnauthorized: !options.tlsSkipVerify })
    : new http.Agent({ keepAlive: true, maxSockets: 32 });
  const sensitive = new Set<string>();
  const clean = (text: string) => scrub(text, sensitive);

  function request(req: VaultRequest): Promise<VaultReply> {
    const query = new URLSearchParams(req.query ?? {}).toString();
    const url = new URL(`v1/${req.path.replace(/^\/+/, '')}${query ? `?${query}` : ''}`, base);
    const where = `${req.method} /v1/${clean(req.path)}: `;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (req.token !== undefined) headers['X-Vault-Token'] = req.token;
    if (options.namespace) headers['X-Vault-Namespace'] = options.namespace;
    const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const timeout = AbortSignal.timeout(req.timeoutMs ?? options.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;

    return new Promise<VaultReply>((resolve, reject) => {
      const fail = (message: string) => reject(new VaultApiError(0, [clean(message)], null, undefined, where));
      if (signal.aborted) return fail(timeout.aborted ? 'timed out' : 'aborted');
      const outgoing = (secure ? https : http).request(url, { method: req.method, headers, agent, signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => fail(err.message));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: Record<string, unknown> | null = null;
          try {
            body = text.trim() === '' ? null : (JSON.parse(text) as Record<string, unknown>);
          } catch {
            body = null;
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve({ status, body });
          const raw = Array.isArray(body?.['errors']) ? (body['errors'] as unknown[]).map(String) : [];
          const retryHeader = res.headers['retry-after'];
          const retryAfterMs = parseRetryAfter(Array.isArray(retryHeader) ? retryHeader[0] : retryHeader, Date.now());
          reject(new VaultApiError(status, raw.map(clean), body, retryAfterMs, where));
        });
      });
      outgoing.on('error', (err: NodeJS.ErrnoException) => {
        if (timeout.aborted) return fail(`timed out after ${req.timeoutMs ?? options.timeoutMs} ms`);
        if (req.signal?.aborted) return fail('aborted');
        fail(err.message || String(err.code));
      });
      if (payload !== undefined) outgoing.write(payload);
      outgoing.end();
    });
  }

  return {
    request,
    addSensitive: (value) => {
      if (value.length >= 4) sensitive.add(value);
    },
    scrub: clean,
    close: () => agent.destroy(),
  };
}

/** `GET ?list=true`: Node's HTTP stack (and some proxies) refuse the LIST verb. */
export function listRequest(path: string, token: string, signal?: AbortSignal): VaultRequest {
  return { method: 'GET', path, query: { list: 'true' }, token, ...(signal ? { signal } : {}) };
}
