// The Vault client is node-vault behind our adapter: every request is built by node-vault (its
// named token/login commands or its generic read/write/delete/request) and sent by our injected
// transport. Also: node-vault's environment handling, shared token state, debug output and
// error objects cannot change a request or leak a token; HTTP(S)_PROXY does not touch loopback.
import * as http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger, Redactor } from '../../agent/log';
import { ManualClock } from '../../agent/ports/clock';
import { VaultApiError, createVaultClient, nodeVaultOf, type NodeVaultClient, type VaultClient } from '../../agent/sources/vault/client';
import { usingRealVault, vaultTarget, type VaultTarget } from '../vault-server';

// The `debug` module node-vault itself loads (a dependency of node-vault, not of hush).
const createDebug = createRequire(require.resolve('node-vault'))('debug') as { enable(namespaces: string): void; disable(): string };

const real = usingRealVault();
const redactor = new Redactor();
const logger = createLogger({ level: 'debug', format: 'text', write: () => undefined, redactor });
let target: VaultTarget;
const clients: VaultClient[] = [];
const servers: http.Server[] = [];

function open(address = target.url, timeoutMs = 5000): { client: VaultClient; vault: NodeVaultClient } {
  const client = createVaultClient({ address, timeoutMs, logger, redactor });
  clients.push(client);
  return { client, vault: nodeVaultOf(client)! };
}

async function listen(handler: http.RequestListener): Promise<{ url: string; hits: string[] }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

/** Everything an error could show when logged or serialised. */
function everything(err: unknown): string {
  const e = err as Error;
  return [String(e), e.message, e.stack ?? '', JSON.stringify(err), inspect(err, { depth: Infinity, showHidden: true })].join('\n');
}

beforeAll(async () => {
  target = await vaultTarget({ clock: new ManualClock(Date.now()) });
  await target.setup.putKv2('hush-nv/app', { api_key: 'nv-value-1' });
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  target.fake?.faults.clear();
  for (const c of clients.splice(0)) c.close();
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await target.close();
});

describe('requests go through node-vault', () => {
  it('uses its token-self commands and its generic read/write/delete, and nothing reaches Vault around it', async () => {
    const { client, vault } = open();
    const spies = Object.fromEntries(
      (['request', 'read', 'write', 'delete', 'tokenLookupSelf', 'tokenRenewSelf', 'tokenRevokeSelf'] as const).map((name) => [name, vi.spyOn(vault, name)]),
    );
    const { token } = await target.setup.createToken({ policies: ['root'], ttl: '1h' });
    target.fake?.requests.clear();

    const looked = await client.request({ method: 'GET', path: 'auth/token/lookup-self', token });
    expect((looked.body?.['data'] as Record<string, unknown>)['ttl']).toBeGreaterThan(0);
    const renewed = await client.request({ method: 'POST', path: 'auth/token/renew-self', token, body: { increment: '3600s' } });
    expect((renewed.body?.['auth'] as Record<string, unknown>)['client_token']).toBe(token);
    await client.request({ method: 'POST', path: 'secret/data/hush-nv/other', token, body: { data: { k: 'v' } } });
    const read = await client.request({ method: 'GET', path: 'secret/data/hush-nv/app', token });
    expect(((read.body?.['data'] as Record<string, unknown>)['data'] as Record<string, unknown>)['api_key']).toBe('nv-value-1');
    const listed = await client.request({ method: 'GET', path: 'secret/metadata/hush-nv', query: { list: 'true' }, token });
    expect((listed.body?.['data'] as Record<string, unknown>)['keys']).toEqual(expect.arrayContaining(['app', 'other']));
    await client.request({ method: 'DELETE', path: 'secret/metadata/hush-nv/other', token });
    await client.request({ method: 'POST', path: 'auth/token/revoke-self', token });

    expect(spies['tokenLookupSelf']).toHaveBeenCalledTimes(1);
    expect(spies['tokenRenewSelf']).toHaveBeenCalledTimes(1);
    expect(spies['tokenRenewSelf']!.mock.calls[0]![0]).toEqual({ increment: '3600s' }); // requestOptions is not enumerable
    expect(spies['tokenRevokeSelf']).toHaveBeenCalledTimes(1);
    expect(spies['write']).toHaveBeenCalledTimes(1);
    expect(spies['read']).toHaveBeenCalledTimes(2);
    expect(spies['read']!.mock.calls[1]![0]).toBe('secret/metadata/hush-nv?list=true');
    expect(spies['delete']).toHaveBeenCalledTimes(1);
    // node-vault's request() is the single way out: once per call, with the path we built.
    expect(spies['request']).toHaveBeenCalledTimes(7);
    expect(spies['request']!.mock.calls.map((c) => (c[0] as { path: string }).path)).toEqual([
      '/auth/token/lookup-self',
      '/auth/token/renew-self',
      '/secret/data/hush-nv/other',
      '/secret/data/hush-nv/app',
      '/secret/metadata/hush-nv?list=true',
      '/secret/metadata/hush-nv/other',
      '/auth/token/revoke-self',
    ]);
    if (target.fake) {
      expect(target.fake.requests.all().map((r) => `${r.method} ${r.path}`)).toEqual([
        'GET /v1/auth/token/lookup-self',
        'POST /v1/auth/token/renew-self',
        'POST /v1/secret/data/hush-nv/other',
        'GET /v1/secret/data/hush-nv/app',
        'GET /v1/secret/metadata/hush-nv',
        'DELETE /v1/secret/metadata/hush-nv/other',
        'POST /v1/auth/token/revoke-self',
      ]);
    }
  });

  it('logs in with approleLogin and kubernetesLogin (mount given), and node-vault keeps no token afterwards', async () => {
    const { client, vault } = open();
    const approle = vi.spyOn(vault, 'approleLogin');
    const k8s = vi.spyOn(vault, 'kubernetesLogin');
    await target.setup.writePolicy('hush-nv', 'path "secret/*" { capabilities = ["read"] }');
    const roleId = await target.setup.createAppRole('hush-nv', { policies: ['hush-nv'] });
    const { secretId } = await target.setup.createSecretId('hush-nv');
    const login = await client.request({ method: 'POST', path: 'auth/approle/login', body: { role_id: roleId, secret_id: secretId! } });
    const token = (login.body?.['auth'] as Record<string, unknown>)['client_token'];
    expect(typeof token).toBe('string');
    expect(approle).toHaveBeenCalledTimes(1);
    expect(approle.mock.calls[0]![0]).toMatchObject({ mount_point: 'approle' });
    // node-vault assigns client.token after a login; the pinned property drops it, so a later
    // call without a token sends none.
    expect((vault as unknown as { token: unknown }).token).toBeUndefined();
    target.fake?.requests.clear();
    const err = await failure(client.request({ method: 'GET', path: 'secret/data/hush-nv/app' }));
    expect(err).toBeInstanceOf(VaultApiError);
    expect((err as VaultApiError).status).toBe(403);
    if (target.fake) expect(target.fake.requests.all()[0]!.tokenAccessor).toBeNull();

    if (target.fake) {
      await target.setup.createKubernetesRole('hush-nv', { serviceAccountNames: ['app'], namespaces: ['prod'], policies: ['hush-nv'] });
      const jwt = target.fake.state.kubernetes.mintJwt({ name: 'app', namespace: 'prod' });
      await client.request({ method: 'POST', path: 'auth/kubernetes/login', body: { role: 'hush-nv', jwt } });
      expect(k8s).toHaveBeenCalledTimes(1);
      expect(k8s.mock.calls[0]![0]).toMatchObject({ mount_point: 'kubernetes' });
      expect(target.fake.requests.find({ method: 'POST' }).map((r) => r.path)).toContain('/v1/auth/kubernetes/login');
    }
  });

  it('treats a 202 as success and a sealed sys/health as an error, with the status the transport saw', async () => {
    const role = 'hush-nv-db';
    await target.setup.createDatabaseRole(role, { defaultTtl: '1h', maxTtl: '2h' });
    const { client } = open();
    const creds = await client.request({ method: 'GET', path: `database/creds/${role}`, token: target.rootToken });
    const revoked = await client.request({ method: 'PUT', path: 'sys/leases/revoke', token: target.rootToken, body: { lease_id: creds.body?.['lease_id'], sync: false } });
    expect(revoked.status).toBe(202);
    if (target.fake) {
      target.fake.faults.set({ sealed: true });
      const err = await failure(client.request({ method: 'GET', path: 'sys/health' }));
      expect(err).toBeInstanceOf(VaultApiError);
      expect((err as VaultApiError).status).toBe(503);
    }
  });

  it.skipIf(real)('keeps Retry-After of a 429 (node-vault\'s own error would lose it)', async () => {
    const { client } = open();
    target.fake!.faults.failPath('secret/data/hush-nv/app', { times: 1, status: 429, retryAfterSeconds: 30 });
    const err = await failure(client.request({ method: 'GET', path: 'secret/data/hush-nv/app', token: target.rootToken }));
    expect(err).toBeInstanceOf(VaultApiError);
    expect((err as VaultApiError).status).toBe(429);
    expect((err as VaultApiError).retryAfterMs).toBe(30_000);
  });

  it('refuses to send a request that did not come through the adapter', async () => {
    const { vault } = open();
    target.fake?.requests.clear();
    await expect(vault.read('secret/data/hush-nv/app', { headers: {} } as never)).rejects.toThrow(/did not come through the hush adapter/);
    if (target.fake) expect(target.fake.requests.count()).toBe(0);
  });
});

describe('tokens never leave through node-vault', () => {
  // Not token-shaped and never taught to the redactor: only structure can keep it out.
  const token = 'plain-credential-7c1e55f0a9b34d21';

  it('a connection refused, through a named command and a generic read, carries no token', async () => {
    const dead = await listen(() => undefined);
    const address = dead.url;
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const { client } = open(address);
    for (const req of [
      { method: 'GET' as const, path: 'auth/token/lookup-self', token },
      { method: 'GET' as const, path: 'secret/data/app', token },
      { method: 'POST' as const, path: 'auth/token/renew-self', token, body: { increment: '60s' } },
    ]) {
      const err = await failure(client.request(req));
      expect(err).toBeInstanceOf(VaultApiError);
      expect((err as VaultApiError).status).toBe(0);
      expect((err as VaultApiError).transient).toBe(true);
      expect(err).not.toHaveProperty('config');
      expect(err).not.toHaveProperty('request');
      expect(everything(err)).not.toContain(token);
    }
  });

  it('a timeout and a dropped connection carry no token', async () => {
    const hung = await listen(() => undefined);
    const { client } = open(hung.url, 200);
    const timedOut = await failure(client.request({ method: 'GET', path: 'auth/token/lookup-self', token }));
    expect((timedOut as VaultApiError).status).toBe(0);
    expect((timedOut as Error).message).toMatch(/timed out after 200 ms/);
    expect(everything(timedOut)).not.toContain(token);

    const dropping = await listen((req) => req.socket.destroy());
    const { client: other } = open(dropping.url);
    const dropped = await failure(other.request({ method: 'POST', path: 'auth/token/revoke-self', token }));
    expect((dropped as VaultApiError).status).toBe(0);
    expect(everything(dropped)).not.toContain(token);
  });

  it('an error answer echoing the token is scrubbed once the token is registered', async () => {
    const echo = await listen((req, res) => {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errors: [`bad token ${String(req.headers['x-vault-token'])}`] }));
    });
    const { client } = open(echo.url);
    client.redactor.add(token);
    const err = await failure(client.request({ method: 'GET', path: 'auth/token/lookup-self', token }));
    expect((err as VaultApiError).status).toBe(400);
    expect((err as VaultApiError).message).not.toContain(token);
    expect((err as VaultApiError).errors.join()).not.toContain(token);
  });

  it('node-vault debug output, even when enabled, prints no request body', async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    createDebug.enable('node-vault');
    try {
      const { client } = open();
      await failure(client.request({ method: 'POST', path: 'auth/approle/login', body: { role_id: 'nv-role-id-5566', secret_id: 'nv-secret-id-7788' } }));
    } finally {
      createDebug.disable();
    }
    expect(written.join('')).not.toMatch(/nv-secret-id-7788|nv-role-id-5566/);
  });
});

describe('the environment does not steer node-vault', () => {
  it('HTTP(S)_PROXY, even a live one, is not used for loopback; VAULT_* variables are ignored', async () => {
    const proxy = await listen((_req, res) => {
      res.writeHead(502);
      res.end();
    });
    const deadProxy = 'http://127.0.0.1:9';
    vi.stubEnv('HTTP_PROXY', proxy.url);
    vi.stubEnv('http_proxy', proxy.url);
    vi.stubEnv('HTTPS_PROXY', deadProxy);
    vi.stubEnv('https_proxy', deadProxy);
    vi.stubEnv('ALL_PROXY', deadProxy);
    vi.stubEnv('NO_PROXY', '');
    vi.stubEnv('no_proxy', '');
    vi.stubEnv('VAULT_ADDR', proxy.url);
    vi.stubEnv('VAULT_TOKEN', target.rootToken);
    vi.stubEnv('VAULT_NAMESPACE', 'elsewhere');
    vi.stubEnv('VAULT_PREFIX', '/prefixed');
    vi.stubEnv('VAULT_SKIP_VERIFY', 'false');
    const { client, vault } = open();
    target.fake?.requests.clear();

    const health = await client.request({ method: 'GET', path: 'sys/health' });
    expect(health.status).toBe(200);
    const read = await client.request({ method: 'GET', path: 'secret/data/hush-nv/app', token: target.rootToken });
    expect(read.status).toBe(200);
    const anonymous = await failure(client.request({ method: 'GET', path: 'secret/data/hush-nv/app' }));
    expect((anonymous as VaultApiError).status).toBe(403);

    expect(proxy.hits).toEqual([]);
    const pinned = vault as unknown as Record<string, unknown>;
    expect([pinned['endpoint'], pinned['pathPrefix'], pinned['token'], pinned['namespace']]).toEqual([target.url.replace(/\/+$/, ''), '', undefined, undefined]);
    if (target.fake) {
      const records = target.fake.requests.all();
      expect(records.map((r) => r.path)).toEqual(['/v1/sys/health', '/v1/secret/data/hush-nv/app', '/v1/secret/data/hush-nv/app']);
      expect(records.map((r) => r.namespace)).toEqual([null, null, null]);
      expect(records[2]!.tokenAccessor).toBeNull(); // VAULT_TOKEN was not sent
    }
  });
});
