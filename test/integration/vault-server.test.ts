// Behaviours of the Vault test server that the contract examples do not pin down: time on the
// injected clock (token and lease expiry, max TTL capping), single-use wrapping, limited-use
// tokens and secret_ids, real certificates, KV v2 history, ACLs, fault injection, the request log.
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultSetup, createManualClock, startVaultTestServer } from '../vault-server';
import type { ManualClock, VaultResponse, VaultTestServer } from '../vault-server';

let server: VaultTestServer;
let clock: ManualClock;
let vault: VaultSetup;

beforeEach(async () => {
  clock = createManualClock();
  server = await startVaultTestServer({ clock });
  vault = new VaultSetup(server.url, server.rootToken);
});

afterEach(async () => {
  await server.close();
});

const data = (r: VaultResponse): Record<string, unknown> => (r.json?.['data'] ?? {}) as Record<string, unknown>;
const errors = (r: VaultResponse): unknown => r.json?.['errors'];
/** The secret values of a KV v2 read. */
const kvData = (r: VaultResponse): unknown => data(r)['data'];

async function readerToken(policyHcl: string, ttl: number | string = 3600): Promise<string> {
  await vault.writePolicy('reader', policyHcl);
  await vault.createAppRole('reader', { policies: ['reader'], tokenTtl: ttl });
  const { secretId } = await vault.createSecretId('reader');
  const roleId = data(await vault.ok('GET', 'auth/approle/role/reader/role-id'))['role_id'] as string;
  return (await vault.loginAppRole(roleId, String(secretId))).token;
}

describe('tokens on the clock', () => {
  it('expires a token at the end of its TTL: 403 everywhere, and its leases are revoked', async () => {
    await vault.createDatabaseRole('app', { defaultTtl: 3600, maxTtl: 7200 });
    const token = (await vault.createToken({ policies: ['db'], ttl: 60 })).token;
    await vault.writePolicy('db', 'path "database/creds/app" { capabilities = ["read"] }');
    const creds = await vault.databaseCreds('app', token);
    expect(server.state.database.activeUsers()).toContain(creds.username);

    clock.advanceSeconds(59);
    const alive = await vault.request('GET', 'auth/token/lookup-self', { token });
    expect(alive.status).toBe(200);
    expect(data(alive)['ttl']).toBe(1);

    clock.advanceSeconds(1);
    const lookup = await vault.request('GET', 'auth/token/lookup-self', { token });
    expect(lookup.status).toBe(403);
    expect(errors(lookup)).toEqual(['permission denied']);
    expect((await vault.request('POST', 'auth/token/renew-self', { token, body: {} })).status).toBe(403);
    expect(server.state.database.activeUsers()).not.toContain(creds.username);
    expect((await vault.request('PUT', 'sys/leases/renew', { body: { lease_id: creds.leaseId } })).json).toEqual({
      errors: ['lease not found'],
    });
  });

  it('renews from now, caps at the max TTL counted from issue, then the token is gone', async () => {
    const { token } = await vault.createToken({ policies: ['default'], ttl: 600, explicitMaxTtl: 1000 });
    clock.advanceSeconds(500);
    const first = await vault.ok('POST', 'auth/token/renew-self', { token, body: { increment: '10m' } });
    expect((first.json?.['auth'] as Record<string, unknown>)['lease_duration']).toBe(500);
    expect(first.json?.['warnings']).toEqual([
      'TTL of "10m0s" exceeded the effective max_ttl of "8m20s"; TTL value is capped accordingly',
    ]);
    expect((first.json?.['auth'] as Record<string, unknown>)['client_token']).toBe(token);
    const looked = data(await vault.ok('GET', 'auth/token/lookup-self', { token }));
    expect(looked['ttl']).toBe(500);
    expect(looked['last_renewal_time']).toBe(Math.floor(clock.now() / 1000));
    clock.advanceSeconds(500);
    expect((await vault.request('POST', 'auth/token/renew-self', { token, body: {} })).status).toBe(403);
  });

  it('refuses to renew a token created with renewable=false', async () => {
    const { token } = await vault.createToken({ ttl: 600, renewable: false });
    const renew = await vault.request('POST', 'auth/token/renew-self', { token, body: {} });
    expect(renew.status).toBe(400);
    expect(errors(renew)).toEqual(['lease is not renewable']);
  });

  it('revokes a token after its num_uses, and child tokens with their parent', async () => {
    const { token } = await vault.createToken({ ttl: 600, numUses: 2 });
    expect((await vault.request('GET', 'auth/token/lookup-self', { token })).status).toBe(200);
    expect((await vault.request('GET', 'auth/token/lookup-self', { token })).status).toBe(200);
    expect((await vault.request('GET', 'auth/token/lookup-self', { token })).status).toBe(403);

    await vault.writePolicy('creator', 'path "auth/token/create" { capabilities = ["update"] }');
    const plain = await vault.createToken({ ttl: 600 });
    expect((await vault.request('POST', 'auth/token/create', { token: plain.token, body: {} })).status).toBe(403);
    const parent = await vault.createToken({ policies: ['creator'], ttl: 600 });
    const child = (await vault.ok('POST', 'auth/token/create', { token: parent.token, body: { ttl: 300 } })).json;
    const childToken = String((child?.['auth'] as Record<string, unknown>)['client_token']);
    expect((child?.['auth'] as Record<string, unknown>)['orphan']).toBe(false);
    await vault.ok('POST', 'auth/token/revoke-self', { token: parent.token });
    expect((await vault.request('GET', 'auth/token/lookup-self', { token: childToken })).status).toBe(403);
  });

  it('faults.expireToken ends a token now', async () => {
    const { token } = await vault.createToken({ ttl: 3600 });
    server.faults.expireToken(token);
    expect((await vault.request('GET', 'auth/token/lookup-self', { token })).status).toBe(403);
  });
});

describe('leases', () => {
  it('renewals converge on the max TTL, then the lease expires and its user is dropped', async () => {
    await vault.createDatabaseRole('app', { defaultTtl: 60, maxTtl: 150 });
    const creds = await vault.databaseCreds('app');
    expect(creds.leaseId).toMatch(/^database\/creds\/app\/\w+$/);
    expect(creds.leaseDuration).toBe(60);

    clock.advanceSeconds(50);
    const r1 = await vault.ok('PUT', 'sys/leases/renew', { body: { lease_id: creds.leaseId } });
    expect(r1.json?.['lease_duration']).toBe(60);
    expect(r1.json?.['warnings']).toBeNull();

    clock.advanceSeconds(50);
    const r2 = await vault.ok('PUT', `sys/leases/renew/${creds.leaseId}`, { body: { increment: '1m' } });
    expect(r2.json?.['lease_duration']).toBe(50);
    expect(r2.json?.['warnings']).toEqual(['TTL of "1m0s" exceeded the effective max_ttl of "50s"; TTL value is capped accordingly']);

    const lookup = data(await vault.ok('PUT', 'sys/leases/lookup', { body: { lease_id: creds.leaseId } }));
    expect(lookup['ttl']).toBe(50);
    expect(lookup['renewable']).toBe(true);

    clock.advanceSeconds(50);
    expect(server.state.database.activeUsers()).not.toContain(creds.username);
    const late = await vault.request('PUT', 'sys/leases/renew', { body: { lease_id: creds.leaseId } });
    expect(late.status).toBe(400);
    expect(errors(late)).toEqual(['lease not found']);
    expect(server.state.leases.revoked).toContain(creds.leaseId);
  });

  it('gives each read its own user and lease; revoke drops the user and is idempotent', async () => {
    await vault.createDatabaseRole('app', { defaultTtl: 600, maxTtl: 1200 });
    const a = await vault.databaseCreds('app');
    const b = await vault.databaseCreds('app');
    expect(a.username).not.toBe(b.username);
    expect(a.leaseId).not.toBe(b.leaseId);
    expect((await vault.request('PUT', 'sys/leases/revoke', { body: { lease_id: a.leaseId } })).status).toBe(204);
    expect((await vault.request('PUT', 'sys/leases/revoke', { body: { lease_id: a.leaseId } })).status).toBe(204);
    expect(server.state.database.activeUsers()).toEqual([b.username]);
  });

  it('revoke-self of a token revokes the leases it created', async () => {
    await vault.createDatabaseRole('app', { defaultTtl: 600, maxTtl: 1200 });
    await vault.writePolicy('db', 'path "database/creds/app" { capabilities = ["read"] }');
    const { token } = await vault.createToken({ policies: ['db'], ttl: 600 });
    const creds = await vault.databaseCreds('app', token);
    await vault.ok('POST', 'auth/token/revoke-self', { token });
    expect(server.state.database.activeUsers()).not.toContain(creds.username);
  });
});

describe('response wrapping', () => {
  async function wrappedSecretId(ttl = '2m'): Promise<{ roleId: string; wrap: string }> {
    const roleId = await vault.createAppRole('web', { policies: ['default'], tokenTtl: 600, secretIdNumUses: 1 });
    const { wrappingToken } = await vault.createSecretId('web', { wrapTtl: ttl });
    return { roleId, wrap: String(wrappingToken) };
  }

  it('looks up, unwraps once, and the secret_id logs in once', async () => {
    const { roleId, wrap } = await wrappedSecretId();
    const info = await vault.ok('POST', 'sys/wrapping/lookup', { token: null, body: { token: wrap } });
    expect(data(info)).toEqual({
      creation_path: 'auth/approle/role/web/secret-id',
      creation_time: new Date(clock.now()).toISOString().replace('.000Z', 'Z'),
      creation_ttl: 120,
    });
    const unwrapped = await vault.ok('POST', 'sys/wrapping/unwrap', { token: wrap });
    const secretId = String(data(unwrapped)['secret_id']);
    expect(secretId).toMatch(/^[0-9a-f-]{36}$/);

    const again = await vault.request('POST', 'sys/wrapping/unwrap', { token: wrap });
    expect(again.status).toBe(400);
    expect(errors(again)).toEqual(['wrapping token is not valid or does not exist']);
    expect((await vault.request('POST', 'sys/wrapping/lookup', { token: null, body: { token: wrap } })).status).toBe(400);

    expect((await vault.loginAppRole(roleId, secretId)).token).toMatch(/^hvs\./);
    const second = await vault.request('POST', 'auth/approle/login', { token: null, body: { role_id: roleId, secret_id: secretId } });
    expect(second.status).toBe(400);
    expect(errors(second)).toEqual(['invalid role or secret ID']);
  });

  it('expires a wrapping token on the clock', async () => {
    const { wrap } = await wrappedSecretId('30s');
    clock.advanceSeconds(30);
    const late = await vault.request('POST', 'sys/wrapping/unwrap', { token: wrap });
    expect(late.status).toBe(400);
    expect(errors(late)).toEqual(['wrapping token is not valid or does not exist']);
  });

  it('burns the wrapping token when it is sent both as header and in the body', async () => {
    const { wrap } = await wrappedSecretId();
    const both = await vault.request('POST', 'sys/wrapping/unwrap', { token: wrap, body: { token: wrap } });
    expect(both.status).toBe(400);
    expect((await vault.request('POST', 'sys/wrapping/unwrap', { token: wrap })).status).toBe(400);
  });

  it('rejects an unparsable X-Vault-Wrap-TTL', async () => {
    const bad = await vault.request('POST', 'auth/approle/role/web/secret-id', { body: {}, headers: { 'X-Vault-Wrap-TTL': 'soon' } });
    expect(bad.status).toBe(400);
    expect(String((errors(bad) as string[])[0])).toContain('error parsing X-Vault-Wrap-TTL header');
  });
});

describe('auth methods', () => {
  it('AppRole secret_ids expire on the clock', async () => {
    const roleId = await vault.createAppRole('web', { policies: ['default'], secretIdTtl: 60 });
    const { secretId } = await vault.createSecretId('web');
    clock.advanceSeconds(60);
    const login = await vault.request('POST', 'auth/approle/login', { token: null, body: { role_id: roleId, secret_id: secretId } });
    expect(login.status).toBe(400);
  });

  it('Kubernetes login accepts a registered JWT only for a bound service account', async () => {
    await vault.createKubernetesRole('web', { serviceAccountNames: ['web'], namespaces: ['prod'], policies: ['default'], ttl: 900 });
    const good = server.state.kubernetes.mintJwt({ name: 'web', namespace: 'prod' });
    const otherNs = server.state.kubernetes.mintJwt({ name: 'web', namespace: 'dev' });
    const login = await vault.ok('POST', 'auth/kubernetes/login', { token: null, body: { role: 'web', jwt: good } });
    const auth = login.json?.['auth'] as Record<string, unknown>;
    expect(auth['lease_duration']).toBe(900);
    expect(auth['metadata']).toMatchObject({ role: 'web', service_account_name: 'web', service_account_namespace: 'prod' });
    const denied = await vault.request('POST', 'auth/kubernetes/login', { token: null, body: { role: 'web', jwt: otherNs } });
    expect(denied.status).toBe(403);
    expect(errors(denied)).toEqual(['permission denied']);
  });

  it('Authorization: Bearer works and X-Vault-Token wins when both are sent', async () => {
    const { token } = await vault.createToken({ ttl: 600 });
    const bearer = await vault.request('GET', 'auth/token/lookup-self', { token: null, headers: { Authorization: `Bearer ${token}` } });
    expect(data(bearer)['id']).toBe(token);
    const both = await vault.request('GET', 'auth/token/lookup-self', { token, headers: { Authorization: 'Bearer nonsense' } });
    expect(data(both)['id']).toBe(token);
  });
});

describe('ACL policies', () => {
  it('grants what the policy says and denies the rest with the multierror 403', async () => {
    const token = await readerToken('path "secret/data/app/*" { capabilities = ["read"] }');
    await vault.putKv2('app/db', { password: 'p1' });
    expect((await vault.request('GET', 'secret/data/app/db', { token })).status).toBe(200);
    const write = await vault.request('POST', 'secret/data/app/db', { token, body: { data: { password: 'x' } } });
    expect(write.status).toBe(403);
    expect(errors(write)).toEqual(['1 error occurred:\n\t* permission denied\n\n']);
    expect((await vault.request('GET', 'secret/data/other', { token })).status).toBe(403);
    expect((await vault.request('GET', 'auth/token/lookup-self', { token })).status).toBe(200);
  });

  it('sys/internal/ui/mounts tells KV v2 from v1, only for a token that can use the mount', async () => {
    const token = await readerToken('path "secret/data/app/*" { capabilities = ["read"] }');
    const v2 = data(await vault.ok('GET', 'sys/internal/ui/mounts/secret/app/db', { token }));
    expect(v2).toMatchObject({ type: 'kv', path: 'secret/', options: { version: '2' } });
    const v1 = data(await vault.ok('GET', 'sys/internal/ui/mounts/kv/legacy'));
    expect(v1).toMatchObject({ type: 'kv', path: 'kv/', options: { version: '1' } });
    const denied = await vault.request('GET', 'sys/internal/ui/mounts/kv/legacy', { token });
    expect(denied.status).toBe(403);
    expect((await vault.request('GET', 'sys/internal/ui/mounts/nosuch/x')).status).toBe(403);
  });
});

describe('KV', () => {
  it('trims versions past max_versions and raises oldest_version', async () => {
    await vault.setKv2Metadata('app/db', { max_versions: 2 });
    for (let i = 1; i <= 3; i += 1) await vault.putKv2('app/db', { n: i });
    const meta = data(await vault.ok('GET', 'secret/metadata/app/db'));
    expect(meta['current_version']).toBe(3);
    expect(meta['oldest_version']).toBe(2);
    expect(Object.keys(meta['versions'] as object)).toEqual(['2', '3']);
    expect((await vault.request('GET', 'secret/data/app/db?version=1')).json).toEqual({ errors: [] });
  });

  it('delete_version_after: readable until the deletion time, then 404 with a body; undelete restores', async () => {
    await vault.setKv2Metadata('app/db', { delete_version_after: '1h' });
    await vault.putKv2('app/db', { password: 'p1' });
    clock.advanceSeconds(3599);
    expect((await vault.request('GET', 'secret/data/app/db')).status).toBe(200);
    clock.advanceSeconds(1);
    const gone = await vault.request('GET', 'secret/data/app/db');
    expect(gone.status).toBe(404);
    expect(data(gone)['data']).toBeNull();
    expect((data(gone)['metadata'] as Record<string, unknown>)['deletion_time']).not.toBe('');
    await vault.ok('POST', 'secret/undelete/app/db', { body: { versions: [1] } });
    expect(kvData(await vault.ok('GET', 'secret/data/app/db'))).toEqual({ password: 'p1' });
  });

  it('lists with GET ?list=1, implies the trailing slash, refuses list=yes, and a PATCH needs merge-patch', async () => {
    await vault.putKv2('app/db', { a: 1 });
    await vault.putKv2('app/sub/x', { a: 1 });
    expect(data(await vault.ok('GET', 'secret/metadata/app?list=1'))['keys']).toEqual(['db', 'sub/']);
    expect((await vault.request('GET', 'secret/metadata/app?list=yes')).json).toEqual({ errors: [] });
    const patch = await vault.request('PATCH', 'secret/data/app/db', { body: { data: { b: 2 } } });
    expect(patch.status).toBe(415);
    await vault.ok('PATCH', 'secret/data/app/db', { body: { data: { b: 2 } }, headers: { 'Content-Type': 'application/merge-patch+json' } });
    expect(kvData(await vault.ok('GET', 'secret/data/app/db'))).toEqual({ a: 1, b: 2 });
  });

  it('enables another KV v2 mount through sys/mounts and refuses a taken path', async () => {
    expect((await vault.request('POST', 'sys/mounts/team', { body: { type: 'kv', options: { version: '2' } } })).status).toBe(204);
    await vault.ok('POST', 'team/data/x', { body: { data: { v: 1 } } });
    const taken = await vault.request('POST', 'sys/mounts/secret', { body: { type: 'kv' } });
    expect(taken.status).toBe(400);
    expect(errors(taken)).toEqual(['path is already in use at secret/']);
  });
});

describe('PKI', () => {
  it('issues a real certificate signed by the CA, with the key, names and expiry asked for', async () => {
    await vault.createPkiRole('web', { allowedDomains: ['example.internal'], maxTtl: '72h', keyType: 'ec' });
    const issued = data(
      await vault.ok('POST', 'pki/issue/web', {
        body: { common_name: 'api.example.internal', alt_names: 'www.example.internal', ip_sans: '127.0.0.1', ttl: '24h' },
      }),
    );
    const cert = new X509Certificate(String(issued['certificate']));
    const ca = new X509Certificate(String(issued['issuing_ca']));
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.subject).toBe('CN=api.example.internal');
    expect(cert.subjectAltName).toBe('DNS:api.example.internal, DNS:www.example.internal, IP Address:127.0.0.1');
    expect(Date.parse(cert.validTo) / 1000).toBe(issued['expiration']);
    expect(issued['expiration']).toBe(Math.floor(clock.now() / 1000) + 86400);
    expect(String(issued['serial_number']).replace(/:/g, '').toUpperCase()).toBe(cert.serialNumber);
    expect(issued['private_key_type']).toBe('ec');
    expect(String(issued['private_key'])).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    const publicFromKey = createPublicKey(createPrivateKey(String(issued['private_key']))).export({ type: 'spki', format: 'der' });
    expect(publicFromKey.equals(cert.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
    expect(issued['ca_chain']).toEqual([issued['issuing_ca']]);
  });

  it('caps the TTL at the role max_ttl and refuses names outside the role', async () => {
    await vault.createPkiRole('web', { allowedDomains: ['example.internal'], maxTtl: '1h', keyType: 'ec' });
    const issued = data(await vault.ok('POST', 'pki/issue/web', { body: { common_name: 'a.example.internal', ttl: '24h' } }));
    expect(issued['expiration']).toBe(Math.floor(clock.now() / 1000) + 3600);
    const alt = await vault.request('POST', 'pki/issue/web', { body: { common_name: 'a.example.internal', alt_names: 'evil.com' } });
    expect(errors(alt)).toEqual(['subject alternate name evil.com not allowed by this role']);
  });
});

describe('faults', () => {
  it('sealed: 503 everywhere but health, which reports sealed; clear() recovers', async () => {
    server.faults.set({ sealed: true });
    const read = await vault.request('GET', 'secret/data/app');
    expect(read.status).toBe(503);
    expect(errors(read)).toEqual(['Vault is sealed']);
    const health = await vault.request('GET', 'sys/health', { token: null });
    expect(health.status).toBe(503);
    expect(health.json?.['sealed']).toBe(true);
    expect((await vault.ok('GET', 'sys/seal-status')).json?.['sealed']).toBe(true);
    server.faults.clear();
    expect((await vault.request('GET', 'sys/health', { token: null })).status).toBe(200);
  });

  it('serverError and rateLimit answer 500 and 429 with Retry-After', async () => {
    server.faults.set({ serverError: true });
    expect((await vault.request('GET', 'auth/token/lookup-self')).status).toBe(500);
    expect((await vault.request('GET', 'sys/health', { token: null })).status).toBe(200);
    server.faults.set({ serverError: false, rateLimit: { retryAfterSeconds: 7 } });
    const limited = await vault.request('GET', 'auth/token/lookup-self');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(errors(limited)).toEqual(['request path "auth/token/lookup-self": rate limit quota exceeded']);
  });

  it('failPath fails a path N times, then it recovers; other paths are untouched', async () => {
    await vault.putKv2('app/db', { a: 1 });
    server.faults.failPath('/v1/secret/data/app', { times: 2, status: 502 });
    expect((await vault.request('GET', 'secret/data/app/db')).status).toBe(502);
    expect((await vault.request('GET', 'auth/token/lookup-self')).status).toBe(200);
    expect((await vault.request('GET', 'secret/data/app/db')).status).toBe(502);
    expect((await vault.request('GET', 'secret/data/app/db')).status).toBe(200);
  });

  it('drops connections without an answer', async () => {
    server.faults.set({ dropConnections: true });
    await expect(fetch(`${server.url}/v1/sys/health`)).rejects.toThrow();
    server.faults.failPath('sys/health', { times: 1, drop: true });
    server.faults.set({ dropConnections: false });
    await expect(fetch(`${server.url}/v1/sys/health`)).rejects.toThrow();
    expect((await fetch(`${server.url}/v1/sys/health`)).status).toBe(200);
    expect(server.requests.find({ path: '/v1/sys/health' }).map((r) => r.status)).toEqual(['dropped', 'dropped', 200]);
  });
});

describe('request log', () => {
  it('counts requests by method and path, with the token accessor but never the token', async () => {
    const { token, accessor } = await vault.createToken({ ttl: 600 });
    server.requests.clear();
    await vault.request('GET', 'auth/token/lookup-self', { token });
    await vault.request('GET', 'auth/token/lookup-self', { token });
    await vault.request('PUT', 'sys/leases/renew', { token, body: { lease_id: 'x' } });
    expect(server.requests.count({ method: 'GET', path: '/v1/auth/token/lookup-self' })).toBe(2);
    expect(server.requests.count({ path: /^\/v1\/sys\/leases\// })).toBe(1);
    expect(server.requests.all().map((r) => r.tokenAccessor)).toEqual([accessor, accessor, accessor]);
    const dump = JSON.stringify(server.requests.all());
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(server.rootToken);
  });
});
