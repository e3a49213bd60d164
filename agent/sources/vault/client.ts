// The thin typed adapter every Vault call goes through: node-vault 0.12 builds and sends each
// request, over a transport of ours injected through its 'request-promise' option.
//
// node-vault as it stands is unsafe for an agent (shared/research/node-vault.md 1.4–1.7): its
// axios stack has no timeout and no AbortSignal, routes loopback through HTTP_PROXY, reads any
// non-empty VAULT_SKIP_VERIFY as true, and puts X-Vault-Token inside its transport errors; the
// client keeps one shared token (config-level headers freeze the first one), reads VAULT_ADDR,
// VAULT_TOKEN, VAULT_NAMESPACE and VAULT_PREFIX from the environment, rejects 202, resolves any
// sys/health answer, and its debug output prints request bodies (secret_id, JWT). So:
//
// - Transport: node-vault's `config['request-promise'].defaults(rpDefaults)` hook gets ours, so
//   its axios instance is never created. Ours is node:http/https with one keep-alive agent, an
//   explicit CA, rejectUnauthorized from our config only (rpDefaults, and with it
//   VAULT_SKIP_VERIFY, is ignored), no proxy (node:http never reads HTTP(S)_PROXY), an explicit
//   timeout and the caller's AbortSignal on every call, X-Vault-Namespace. It refuses any call
//   that does not carry the adapter's per-call context, and any URI that differs from the one
//   the adapter built itself (so node-vault's mustache escaping, VAULT_PREFIX or a changed
//   endpoint can never send a request elsewhere).
// - node-vault's state is pinned: token and namespace always undefined, endpoint, apiVersion
//   and pathPrefix ours, so neither the environment nor its tokenSource commands (which assign
//   client.token after a login or renew-self) can change a request. The token is passed per
//   call in a fresh headers object; nothing is configured in config-level requestOptions.
//   debug is a no-op. mustache renders only the fixed command templates, and only with mount
//   names that it cannot escape.
// - Calls: GET auth/token/lookup-self → tokenLookupSelf, POST auth/token/renew-self →
//   tokenRenewSelf, POST auth/token/revoke-self → tokenRevokeSelf, POST auth/<mount>/login with
//   {role_id, secret_id} → approleLogin and with {role, jwt} → kubernetesLogin (mount_point
//   always given: without it node-vault builds auth//login; a mount mustache would escape goes
//   through write instead); every other GET → read (LIST is GET ?list=true, as Node's parser
//   refuses the LIST verb), POST → write, DELETE → delete, PUT (sys/leases/*) → request. Paths
//   are built here. revoke-self, a schema-less command, sends {} as its body (requestOptions is
//   made non-enumerable so it never becomes the body). Nothing goes around node-vault.
// - Outcome: the transport records the real status, body and Retry-After of every answer, and
//   that record decides: any 2xx is success (node-vault rejects 201/202, e.g. a revoke with
//   sync=false), anything else is a VaultApiError (node-vault resolves a sealed sys/health and
//   its ApiResponseError lacks Retry-After). node-vault's own error objects are never thrown:
//   errors are rebuilt as { status, errors, retryAfterMs } with their text passed through the
//   agent's one redactor (log.ts), which knows every token, secret_id and JWT the auth methods
//   handled and scrubs anything token-shaped. No retries here (the runner owns them).

import * as http from 'node:http';
import * as https from 'node:https';
import nodeVault from 'node-vault';
import { HushError } from '../../errors';
import type { Logger, Redactor } from '../../log';
import { vaultErrors } from './errors';

export interface VaultClientOptions {
  address: string;
  namespace?: string;
  /** PEM bundle of the CA(s) that sign Vault's certificate. */
  ca?: string;
  tlsSkipVerify?: boolean;
  timeoutMs: number;
  logger: Logger;
  /** The agent's one redactor: the client teaches it nothing itself, and scrubs every error with it. */
  redactor: Redactor;
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

/** A failed call (HUSH_ERR_VAULT_REQUEST). status 0 is a transport failure (refused, reset, timeout). Never holds a token. */
export class VaultApiError extends HushError<'HUSH_ERR_VAULT_REQUEST'> {
  constructor(
    readonly status: number,
    readonly errors: string[],
    readonly body: Record<string, unknown> | null,
    readonly retryAfterMs?: number,
    where = '',
  ) {
    const definition = vaultErrors.HUSH_ERR_VAULT_REQUEST;
    super(definition.code, definition(where, status, errors).message);
    this.name = 'VaultApiError';
  }

  /** Worth retrying later: transport, 412, 429, 5xx except 501. */
  get transient(): boolean {
    return this.status === 0 || this.status === 412 || this.status === 429 || (this.status >= 500 && this.status !== 501);
  }
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
  /** The agent's redactor: auth methods teach it every token, secret_id and JWT they handle. */
  readonly redactor: Redactor;
  close(): void;
}

/** The adapter's per-call context, carried through node-vault to the transport under a symbol. */
const CALL = Symbol('hush.vault.call');

interface Call {
  /** The URL the adapter built; node-vault must have built the same one. */
  expected: URL;
  timeoutMs: number;
  signal?: AbortSignal;
  where: string;
  /** What Vault answered, as the transport saw it. */
  reply?: { status: number; body: Record<string, unknown> | null; retryAfterMs: number | undefined };
  /** The transport's own failure (never a node-vault object). */
  failure?: Error;
}

/** What node-vault passes its 'request-promise' function. */
interface TransportOptions {
  method?: string;
  uri?: string;
  headers?: Record<string, string>;
  json?: unknown;
  [CALL]?: Call;
}

interface TransportResponse {
  statusCode: number;
  body: Record<string, unknown> | null;
  request: { path: string };
}

type RequestOptions = { headers: Record<string, string>; [CALL]: Call };

/** The part of node-vault's client the adapter uses (its typings declare every call as any). */
export interface NodeVaultClient {
  request(options: RequestOptions & { path: string; method: string; json?: unknown }): Promise<unknown>;
  read(path: string, requestOptions: RequestOptions): Promise<unknown>;
  write(path: string, data: unknown, requestOptions: RequestOptions): Promise<unknown>;
  delete(path: string, requestOptions: RequestOptions): Promise<unknown>;
  approleLogin(args: Record<string, unknown>): Promise<unknown>;
  kubernetesLogin(args: Record<string, unknown>): Promise<unknown>;
  tokenLookupSelf(args: Record<string, unknown>): Promise<unknown>;
  tokenRenewSelf(args: Record<string, unknown>): Promise<unknown>;
  tokenRevokeSelf(args: Record<string, unknown>): Promise<unknown>;
}

const underlying = new WeakMap<VaultClient, NodeVaultClient>();

/** The node-vault client behind a VaultClient (tests spy on it; nothing else may call it). */
export function nodeVaultOf(client: VaultClient): NodeVaultClient | undefined {
  return underlying.get(client);
}

/** A mount name that mustache renders unchanged ('/' comes back from &#x2F; in node-vault). */
const PLAIN_MOUNT = /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;

const errorsOf = (body: Record<string, unknown> | null) => (Array.isArray(body?.['errors']) ? (body['errors'] as unknown[]).map(String) : []);

export function createVaultClient(options: VaultClientOptions): VaultClient {
  const base = new URL(options.address.replace(/\/+$/, '') + '/');
  const secure = base.protocol === 'https:';
  if (!secure && base.protocol !== 'http:') throw vaultErrors.HUSH_ERR_VAULT_ADDRESS_SCHEME(base.protocol);
  if (options.tlsSkipVerify) {
    options.logger.warn('TLS VERIFICATION OF VAULT IS DISABLED (tls_skip_verify): anyone on the path can read every secret and token', { address: base.origin });
  }
  // A dedicated agent: no global agent, no proxy (node:http never reads HTTP(S)_PROXY).
  const agent = secure
    ? new https.Agent({ keepAlive: true, maxSockets: 32, ...(options.ca ? { ca: options.ca } : {}), rejectUnauthorized: !options.tlsSkipVerify })
    : new http.Agent({ keepAlive: true, maxSockets: 32 });
  const clean = (text: string) => options.redactor.redact(text);

  /** Sends what node-vault built. Resolves every HTTP answer (node-vault then judges it); records it in the call. */
  function send(sent: TransportOptions): Promise<TransportResponse> {
    const call = sent[CALL];
    if (call === undefined) return Promise.reject(vaultErrors.HUSH_ERR_VAULT_BYPASS());
    const fail = (message: string) => {
      call.failure = new VaultApiError(0, [clean(message)], null, undefined, call.where);
      return Promise.reject(call.failure);
    };
    let url: URL;
    try {
      url = new URL(String(sent.uri));
    } catch {
      url = new URL('invalid:');
    }
    if (url.href !== call.expected.href) {
      call.failure = vaultErrors.HUSH_ERR_VAULT_PATH_MISMATCH(call.where, clean(url.pathname));
      return Promise.reject(call.failure);
    }
    const method = String(sent.method);
    if (!['GET', 'POST', 'PUT', 'DELETE'].includes(method)) return fail(`method ${method} is not used`);
    const headers: Record<string, string> = { Accept: 'application/json', ...sent.headers };
    if (options.namespace) headers['X-Vault-Namespace'] = options.namespace;
    const payload = sent.json !== null && typeof sent.json === 'object' ? JSON.stringify(sent.json) : undefined;
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const timeout = AbortSignal.timeout(call.timeoutMs);
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
    if (signal.aborted) return fail(timeout.aborted ? 'timed out' : 'aborted');

    return new Promise<TransportResponse>((resolve, reject) => {
      const failed = (message: string) => {
        fail(message).catch(reject);
      };
      const outgoing = (secure ? https : http).request(url, { method, headers, agent, signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => failed(err.message));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: Record<string, unknown> | null = null;
          try {
            body = text.trim() === '' ? null : (JSON.parse(text) as Record<string, unknown>);
          } catch {
            body = null;
          }
          const status = res.statusCode ?? 0;
          const retryHeader = res.headers['retry-after'];
          const retryAfterMs = parseRetryAfter(Array.isArray(retryHeader) ? retryHeader[0] : retryHeader, Date.now());
          call.reply = { status, body, retryAfterMs };
          resolve({ statusCode: status, body, request: { path: url.pathname } });
        });
      });
      outgoing.on('error', (err: NodeJS.ErrnoException) => {
        if (timeout.aborted) return failed(`timed out after ${call.timeoutMs} ms`);
        if (call.signal?.aborted) return failed('aborted');
        failed(err.message || String(err.code));
      });
      if (payload !== undefined) outgoing.write(payload);
      outgoing.end();
    });
  }

  // rpDefaults (json, simple, strictSSL from VAULT_SKIP_VERIFY, …) are ignored on purpose.
  const transport = { defaults: () => send };
  const endpoint = base.href.replace(/\/+$/, '');
  const vault = nodeVault({ endpoint, apiVersion: 'v1', noCustomHTTPVerbs: true, debug: () => undefined, 'request-promise': transport }) as unknown as NodeVaultClient;
  // Pinned against VAULT_TOKEN/VAULT_NAMESPACE/VAULT_PREFIX/VAULT_ADDR, and against node-vault
  // itself assigning client.token after login and renew-self (the setter drops it).
  const pinned: Record<string, unknown> = { token: undefined, namespace: undefined, endpoint, apiVersion: 'v1', pathPrefix: '', noCustomHTTPVerbs: true };
  for (const [key, value] of Object.entries(pinned)) {
    Object.defineProperty(vault, key, { get: () => value, set: () => undefined, enumerable: true, configurable: false });
  }

  /** A named command's args; requestOptions is not enumerable, so it never becomes a body or a mustache value. */
  const command = (args: Record<string, unknown>, ro: RequestOptions) => Object.defineProperty({ ...args }, 'requestOptions', { value: ro, enumerable: false });

  function dispatch(req: VaultRequest, rel: string, ro: RequestOptions): Promise<unknown> {
    const body = req.body;
    const keys = body === undefined ? '' : Object.keys(body).sort().join(',');
    const strings = body !== undefined && Object.values(body).every((v) => typeof v === 'string');
    if (req.method === 'GET' && rel === 'auth/token/lookup-self' && body === undefined) return vault.tokenLookupSelf(command({}, ro));
    if (req.method === 'POST' && rel === 'auth/token/renew-self' && (keys === '' || keys === 'increment')) return vault.tokenRenewSelf(command(body ?? {}, ro));
    if (req.method === 'POST' && rel === 'auth/token/revoke-self' && body === undefined) return vault.tokenRevokeSelf(command({}, ro));
    const login = /^auth\/(.+)\/login$/.exec(rel);
    if (req.method === 'POST' && login && PLAIN_MOUNT.test(login[1]!) && strings) {
      if (keys === 'role_id,secret_id') return vault.approleLogin(command({ ...body, mount_point: login[1] }, ro));
      if (keys === 'jwt,role') return vault.kubernetesLogin(command({ ...body, mount_point: login[1] }, ro));
    }
    switch (req.method) {
      case 'GET':
        return vault.read(rel, ro);
      case 'POST':
        return vault.write(rel, body, ro);
      case 'DELETE':
        return vault.delete(rel, ro);
      default:
        return vault.request({ ...ro, path: `/${rel}`, method: req.method, ...(body !== undefined ? { json: body } : {}) });
    }
  }

  async function request(req: VaultRequest): Promise<VaultReply> {
    const query = new URLSearchParams(req.query ?? {}).toString();
    const rel = `${req.path.replace(/^\/+/, '')}${query ? `?${query}` : ''}`;
    const call: Call = {
      expected: new URL(`v1/${rel}`, base),
      timeoutMs: req.timeoutMs ?? options.timeoutMs,
      where: `${req.method} /v1/${clean(req.path)}: `,
      ...(req.signal ? { signal: req.signal } : {}),
    };
    const ro: RequestOptions = { headers: req.token !== undefined ? { 'X-Vault-Token': req.token } : {}, [CALL]: call };
    let answer: { value: unknown } | undefined;
    let refusal: unknown;
    try {
      answer = { value: await dispatch(req, rel, ro) };
    } catch (err) {
      refusal = err;
    }
    if (call.failure) throw call.failure;
    const reply = call.reply;
    if (reply === undefined) {
      // node-vault refused before sending (tv4 validation); its error object is not passed on.
      const why = refusal instanceof Error ? refusal.message : 'no answer';
      throw vaultErrors.HUSH_ERR_VAULT_NOT_SENT(call.where, clean(why));
    }
    // The recorded status decides, not node-vault's resolve/reject (it rejects 201/202 and
    // resolves any sys/health status).
    if (reply.status >= 200 && reply.status < 300) {
      const value = answer?.value;
      return { status: reply.status, body: value !== undefined && typeof value === 'object' ? (value as Record<string, unknown> | null) : reply.body };
    }
    throw new VaultApiError(reply.status, errorsOf(reply.body).map(clean), reply.body, reply.retryAfterMs, call.where);
  }

  const client: VaultClient = {
    request,
    redactor: options.redactor,
    close: () => agent.destroy(),
  };
  underlying.set(client, vault);
  return client;
}
