// A distribution-spec (v2) client: anonymous pulls, the bearer-token flow and Basic auth,
// retries with backoff for 429/5xx and network failures (it alone retries), and one clear
// error for 401, 404 and the rest. HTTPS always, except for loopback registries (Docker's
// 127.0.0.0/8 rule) and hosts given with --insecure-registry, which fall back to plain HTTP.

import { setTimeout as sleep } from 'node:timers/promises';
import { imageErrors } from './errors';
import { httpGet, NetworkError, type HttpResponse } from './http-get';
import { basicAuthFor, parseChallenge } from './registry-auth';
import { apiHost, type RegistryRef } from './reference';

export interface RegistryOptions {
  insecureHosts: readonly string[];
  authFiles: readonly string[];
  attempts?: number;
  backoffMs?: number;
}

export function plainHttpAllowed(host: string, insecureHosts: readonly string[]): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return insecureHosts.includes(host) || insecureHosts.includes(name) || /^127\.\d+\.\d+\.\d+$/.test(name) || name === '::1' || name === 'localhost';
}

function isTlsFailure(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return /SSL|TLS|EPROTO|CERT|wrong version/i.test(`${e.code ?? ''} ${e.message ?? ''}`);
}

export class RegistryClient {
  private scheme: 'https' | 'http' = 'https';
  private authorization: string | undefined;
  private readonly host: string;
  private readonly attempts: number;
  private readonly backoffMs: number;

  constructor(
    private readonly ref: RegistryRef,
    private readonly options: RegistryOptions,
  ) {
    this.host = apiHost(ref);
    this.attempts = options.attempts ?? 4;
    this.backoffMs = options.backoffMs ?? 250;
  }

  private url(path: string): string {
    return `${this.scheme}://${this.host}/v2/${this.ref.repository}/${path}`;
  }

  /** GET /v2/<repository>/<path>, authenticated and retried; resolves with a 200 response. */
  async get(path: string, accept?: string): Promise<HttpResponse> {
    let authTried = false;
    let lastError = '';
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      const url = this.url(path);
      let res: HttpResponse;
      try {
        res = await httpGet(url, { ...(accept ? { accept } : {}), ...(this.authorization ? { authorization: this.authorization } : {}) });
      } catch (err) {
        if (!(err instanceof NetworkError)) throw err;
        const why = err.message;
        if (this.scheme === 'https' && plainHttpAllowed(this.ref.host, this.options.insecureHosts)) {
          this.scheme = 'http';
          attempt--;
          continue;
        }
        if (isTlsFailure(err)) throw imageErrors.HUSH_ERR_IMAGE_INSECURE(this.ref.host, why);
        lastError = why;
        if (attempt < this.attempts) await sleep(this.backoffMs * 2 ** (attempt - 1));
        continue;
      }
      if (res.status === 200) return res;
      res.discard();
      if (res.status === 401 && !authTried) {
        authTried = true;
        await this.authenticate(res.header('www-authenticate') ?? '', url);
        attempt--;
        continue;
      }
      if (res.status === 401 || res.status === 403) throw imageErrors.HUSH_ERR_IMAGE_REGISTRY_AUTH(url, res.status);
      if (res.status === 404) throw imageErrors.HUSH_ERR_IMAGE_REGISTRY_NOT_FOUND(url);
      if (res.status !== 429 && res.status < 500) throw imageErrors.HUSH_ERR_IMAGE_REGISTRY_SERVER(url, res.status, attempt);
      lastError = String(res.status);
      if (attempt === this.attempts) throw imageErrors.HUSH_ERR_IMAGE_REGISTRY_SERVER(url, res.status, attempt);
      await sleep(this.backoffMs * 2 ** (attempt - 1));
    }
    throw imageErrors.HUSH_ERR_IMAGE_REGISTRY_NETWORK(this.url(path), lastError, this.attempts);
  }

  private async authenticate(header: string, url: string): Promise<void> {
    const basic = basicAuthFor(this.ref.host, [...this.options.authFiles]);
    const { scheme, params } = parseChallenge(header);
    if (scheme === 'basic') {
      if (!basic) throw imageErrors.HUSH_ERR_IMAGE_REGISTRY_AUTH(url, 401);
      this.authorization = basic;
      return;
    }
    if (scheme !== 'bearer' || !params.realm) throw imageErrors.HUSH_ERR_IMAGE_REGISTRY_AUTH(url, 401);
    const tokenUrl = new URL(params.realm);
    if (params.service) tokenUrl.searchParams.set('service', params.service);
    tokenUrl.searchParams.set('scope', params.scope ?? `repository:${this.ref.repository}:pull`);
    let res: HttpResponse;
    try {
      res = await httpGet(tokenUrl.href, basic ? { authorization: basic } : {});
    } catch (err) {
      throw imageErrors.HUSH_ERR_IMAGE_REGISTRY_NETWORK(tokenUrl.origin, (err as Error).message, 1);
    }
    if (res.status !== 200) {
      res.discard();
      throw imageErrors.HUSH_ERR_IMAGE_REGISTRY_AUTH(tokenUrl.origin + tokenUrl.pathname, res.status);
    }
    let body: { token?: string; access_token?: string };
    try {
      body = JSON.parse((await res.bytes(1024 * 1024)).toString('utf8')) as typeof body;
    } catch {
      throw imageErrors.HUSH_ERR_IMAGE_REGISTRY_AUTH(tokenUrl.origin + tokenUrl.pathname, res.status);
    }
    const token = body.token ?? body.access_token;
    if (!token) throw imageErrors.HUSH_ERR_IMAGE_REGISTRY_AUTH(tokenUrl.origin + tokenUrl.pathname, res.status);
    this.authorization = `Bearer ${token}`;
  }
}
