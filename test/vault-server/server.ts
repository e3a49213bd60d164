// The Vault-API test server: one fastify catch-all route running Vault's request pipeline
// (faults, health, operation, body, auth and ACL, routing to an engine, wrapping, envelope).
import fastify from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from './clock';
import type { Clock } from './clock';
import { createCore } from './core';
import type { Core, VaultState } from './core';
import { VaultError, permissionDenied } from './errors';
import type { FaultControls } from './faults';
import { health, sealStatus } from './health';
import { operationOf, parseBody, tokenFrom } from './http-input';
import { newUuid, randomString } from './ids';
import { RequestLogImpl } from './request-log';
import type { RequestLog, RequestRecord } from './request-log';
import { handleSys } from './sys';
import type { EngineRequest, Reply, TokenEntry } from './types';
import { str } from './types';
import { parseWrapTtl } from './wrapping';

export interface VaultTestServerOptions {
  clock?: Clock;
  rootToken?: string;
  port?: number;
}

export interface VaultTestServer {
  url: string;
  rootToken: string;
  clock: Clock;
  faults: FaultControls;
  state: VaultState;
  requests: RequestLog;
  close(): Promise<void>;
}

const JSON_HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };

/** Paths that need no token (a stale one is ignored). */
function isUnauthenticated(path: string, core: Core): boolean {
  if (/^auth\/.+\/login(\/.*)?$/.test(path)) return true;
  if (path.startsWith('sys/internal/ui/mounts/') || path === 'sys/wrapping/lookup') return true;
  const mount = core.mounts.find(path);
  if (mount?.type === 'pki') {
    const sub = path.slice(mount.path.length);
    return sub === 'ca/pem' || sub === 'cert/ca';
  }
  return false;
}

function headersOf(request: FastifyRequest): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(request.headers)) out[key] = Array.isArray(value) ? value[0] : value;
  return out;
}

function envelope(reply: Extract<Reply, { type: 'logical' }>): Record<string, unknown> {
  return {
    request_id: newUuid(),
    lease_id: reply.lease?.id ?? '',
    renewable: reply.lease?.renewable ?? false,
    lease_duration: reply.lease?.duration ?? 0,
    data: reply.data ?? null,
    wrap_info: null,
    warnings: reply.warnings && reply.warnings.length > 0 ? reply.warnings : null,
    auth: reply.auth ?? null,
  };
}

class Pipeline {
  constructor(
    private readonly core: Core,
    private readonly log: RequestLogImpl,
  ) {}

  async serve(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const rawUrl = request.raw.url ?? '/';
    const q = rawUrl.indexOf('?');
    const urlPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const query = Object.fromEntries(new URLSearchParams(q === -1 ? '' : rawUrl.slice(q + 1)));
    const headers = headersOf(request);
    const record = this.log.push({
      method: request.method,
      path: urlPath,
      query,
      status: 0,
      tokenAccessor: null,
      namespace: headers['x-vault-namespace'] ?? null,
      wrapTtl: headers['x-vault-wrap-ttl'] ?? null,
      at: this.core.clock.now(),
    });
    try {
      const latency = this.core.faults.get().latencyMs;
      if (latency > 0) await sleep(latency);
      this.core.sweep();
      if (!urlPath.startsWith('/v1/')) throw new VaultError(404, []);
      const path = decodeURIComponent(urlPath.slice('/v1/'.length));
      const action = this.core.faults.decide(path);
      if (action?.kind === 'drop') {
        record.status = 'dropped';
        reply.hijack();
        request.raw.socket.destroy();
        return;
      }
      if (action?.kind === 'error') throw new VaultError(action.status, action.errors, action.headers);
      await this.route(request, reply, record, path, query, headers);
    } catch (err) {
      const error = err instanceof VaultError ? err : new VaultError(500, [(err as Error).message]);
      record.status = error.status;
      await reply
        .code(error.status)
        .headers({ ...JSON_HEADERS, ...error.headers })
        .send(JSON.stringify({ errors: error.errors }));
    }
  }

  private async route(
    request: FastifyRequest,
    reply: FastifyReply,
    record: RequestRecord,
    path: string,
    query: Record<string, string>,
    headers: Record<string, string | undefined>,
  ): Promise<void> {
    const core = this.core;
    const method = request.method.toUpperCase();
    if (path === 'sys/health') {
      if (method !== 'GET' && method !== 'HEAD') throw new VaultError(405, []);
      const result = health(core.faults.get(), query, core.clock.now(), core.cluster);
      record.status = result.status;
      await reply.code(result.status).headers(JSON_HEADERS).send(method === 'HEAD' ? undefined : JSON.stringify(result.body));
      return;
    }
    if (path === 'sys/seal-status') {
      if (method !== 'GET') throw new VaultError(405, []);
      record.status = 200;
      await reply.code(200).headers(JSON_HEADERS).send(JSON.stringify(sealStatus(core.faults.get(), core.cluster)));
      return;
    }
    const op = operationOf(method, query);
    const contentType = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const rawBody = typeof request.body === 'string' ? request.body : '';
    const body = op === 'read' || op === 'list' ? {} : parseBody(rawBody, contentType);
    let wrapTtl = parseWrapTtl(headers['x-vault-wrap-ttl']);
    const fullPath = op === 'list' && !path.endsWith('/') ? `${path}/` : path;
    const rawToken = tokenFrom(headers);

    let token: TokenEntry | null = null;
    let headerWrappingToken: string | null = null;
    const wrappingCall = fullPath === 'sys/wrapping/unwrap' || fullPath === 'sys/wrapping/lookup';
    if (wrappingCall && !str(body, 'token')) {
      headerWrappingToken = rawToken; // the header token is the wrapping token itself
    } else if (wrappingCall && rawToken && core.wrapping.isWrappingToken(rawToken)) {
      core.wrapping.burn(rawToken); // authenticating with it spends its single use
    } else if (isUnauthenticated(fullPath, core)) {
      token = core.tokens.lookup(rawToken);
    } else {
      token = core.tokens.lookup(rawToken);
      if (!token) throw permissionDenied();
      core.policies.check(token, fullPath, op);
      core.tokens.consumeUse(token);
    }
    record.tokenAccessor = token?.accessor ?? null;

    const mount = core.mounts.route(fullPath);
    const req: EngineRequest = {
      method,
      op,
      path: fullPath,
      query,
      headers,
      body,
      contentType: contentType || 'application/json',
      token,
      now: core.clock.now(),
      subpath: `${fullPath}/`.startsWith(mount.path) && fullPath.length < mount.path.length ? '' : fullPath.slice(mount.path.length),
      mountPath: mount.path,
    };
    let result: Reply;
    try {
      result = mount.type === 'system' ? handleSys(core, req, headerWrappingToken) : await mount.engine.handle(req);
    } finally {
      core.tokens.finishUse(token);
    }
    if (fullPath === 'sys/wrapping/wrap' && wrapTtl === 0) wrapTtl = 300;
    await this.send(reply, record, result, wrapTtl, fullPath.replace(/\/$/, ''));
  }

  private async send(reply: FastifyReply, record: RequestRecord, result: Reply, wrapTtl: number, path: string): Promise<void> {
    if (result.type === 'empty') {
      record.status = result.status;
      await reply.code(result.status).header('Cache-Control', 'no-store').send();
      return;
    }
    if (result.type === 'raw') {
      record.status = result.status;
      const payload = result.body === undefined ? undefined : typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
      await reply.code(result.status).headers({ ...JSON_HEADERS, ...(result.headers ?? {}) }).send(payload);
      return;
    }
    const status = result.status ?? 200;
    const hasContent = result.data !== undefined || !!result.auth || !!result.lease || (result.warnings?.length ?? 0) > 0;
    if (!hasContent) {
      record.status = 204;
      await reply.code(204).header('Cache-Control', 'no-store').send();
      return;
    }
    let body = envelope(result);
    if (wrapTtl > 0 && status === 200 && (result.data != null || result.auth)) {
      const info = this.core.wrapping.wrap(body, wrapTtl, path, result.auth?.accessor ?? result.wrappedAccessor);
      body = { request_id: '', lease_id: '', renewable: false, lease_duration: 0, data: null, wrap_info: info, warnings: null, auth: null };
    }
    record.status = status;
    await reply.code(status).headers(JSON_HEADERS).send(JSON.stringify(body));
  }
}

export async function startVaultTestServer(options: VaultTestServerOptions = {}): Promise<VaultTestServer> {
  const clock = options.clock ?? systemClock;
  const core = createCore(clock);
  const rootToken = options.rootToken ?? `hvs.root-${randomString(20)}`;
  core.tokens.createRoot(rootToken);
  const log = new RequestLogImpl();
  const pipeline = new Pipeline(core, log);

  const app = fastify({ logger: false, exposeHeadRoutes: false, bodyLimit: 32 * 1024 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, payload, done) => done(null, payload));
  app.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: '*',
    handler: (request, reply) => pipeline.serve(request, reply),
  });
  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `http://127.0.0.1:${port}`,
    rootToken,
    clock,
    faults: core.faults,
    state: core,
    requests: log,
    close: async () => {
      await app.close();
    },
  };
}
