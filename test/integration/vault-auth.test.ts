// Vault source auth: token (file and $VAULT_TOKEN), AppRole with plain and response-wrapped
// secret_ids (creation_path checked; a refused wrapping token is never retried), Kubernetes,
// and a new login after the token expired.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../agent/ports/clock';
import type { SecretSource } from '../../agent/ports/secret-source';
import { usingRealVault, vaultTarget, type VaultTarget } from '../vault-server';
import { AGENT_ACL, assertNoLeaks, openSource, tempDir, track, vaultConfig, writeSecretFile } from './vault-helpers';

const real = usingRealVault();
let target: VaultTarget;
const clock = new ManualClock(Date.now());
const opened: SecretSource[] = [];
const dir = tempDir();

async function open(auth: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<SecretSource> {
  const source = await openSource(vaultConfig(target, auth), clock, env);
  opened.push(source);
  return source;
}

async function readsValue(source: SecretSource): Promise<unknown> {
  const result = (await source.fetch(['secret/data/hush-auth/app'])).get('secret/data/hush-auth/app');
  return result?.ok ? (result.secret.data as Record<string, unknown>)['api_key'] : result;
}

beforeAll(async () => {
  target = await vaultTarget({ clock });
  track(target.rootToken);
  await target.setup.writePolicy('hush-agent', AGENT_ACL);
  await target.setup.putKv2('hush-auth/app', { api_key: track('k-auth-8f2c1e9a') });
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  await target.close();
  assertNoLeaks();
});

describe('token auth', () => {
  it('reads with a token from token_file', async () => {
    const token = track((await target.setup.createToken({ policies: ['hush-agent'], ttl: '1h' })).token);
    const source = await open({ method: 'token', token_file: writeSecretFile(dir, 'token', token) });
    expect(await readsValue(source)).toBe('k-auth-8f2c1e9a');
  });

  it('reads with $VAULT_TOKEN and never revokes a token it was given', async () => {
    const token = track((await target.setup.createToken({ policies: ['hush-agent'], ttl: '1h' })).token);
    const source = await open({ method: 'token' }, { VAULT_TOKEN: token });
    expect(await readsValue(source)).toBe('k-auth-8f2c1e9a');
    await source.close();
    const lookup = await target.setup.request('POST', 'auth/token/lookup', { body: { token } });
    expect(lookup.status).toBe(200);
  });
});

describe('approle auth', () => {
  it('logs in with a plain secret_id', async () => {
    const roleId = track(await target.setup.createAppRole('hush-plain', { policies: ['hush-agent'], tokenTtl: '20m' }));
    const { secretId } = await target.setup.createSecretId('hush-plain');
    track(secretId);
    const source = await open({ method: 'approle', role_id_file: writeSecretFile(dir, 'role', roleId), secret_id_file: writeSecretFile(dir, 'sid', secretId!) });
    expect(await readsValue(source)).toBe('k-auth-8f2c1e9a');
  });

  it.skipIf(real)('revokes the token it logged in for on close (needs the test server\'s request log)', async () => {
    const roleId = track(await target.setup.createAppRole('hush-revoke', { policies: ['hush-agent'], tokenTtl: '20m' }));
    const { secretId } = await target.setup.createSecretId('hush-revoke');
    track(secretId);
    const source = await open({ method: 'approle', role_id_file: writeSecretFile(dir, 'role-r', roleId), secret_id_file: writeSecretFile(dir, 'sid-r', secretId!) });
    expect(await readsValue(source)).toBe('k-auth-8f2c1e9a');
    const read = target.fake!.requests.find({ path: '/v1/secret/data/hush-auth/app' }).at(-1)!;
    expect(target.fake!.state.tokens.byAccessor(read.tokenAccessor!)).not.toBeNull();
    await source.close();
    expect(target.fake!.state.tokens.byAccessor(read.tokenAccessor!)).toBeNull();
  });

  it('unwraps a response-wrapped secret_id whose creation_path matches', async () => {
    const roleId = track(await target.setup.createAppRole('hush-wrapped', { policies: ['hush-agent'] }));
    const { wrappingToken } = await target.setup.createSecretId('hush-wrapped', { wrapTtl: '120s' });
    track(wrappingToken);
    const source = await open({
      method: 'approle',
      role_id_file: writeSecretFile(dir, 'role-w', roleId),
      secret_id_file: writeSecretFile(dir, 'sid-w', wrappingToken!),
      secret_id_wrapping_path: 'auth/approle/role/hush-wrapped/secret-id',
    });
    expect(await readsValue(source)).toBe('k-auth-8f2c1e9a');
    // The wrapping token is spent: a second unwrap by anyone fails.
    const again = await target.setup.request('POST', 'sys/wrapping/unwrap', { token: wrappingToken! });
    expect(again.status).toBeGreaterThanOrEqual(400);
  });

  it('refuses a wrapping token created elsewhere, without unwrapping it, and does not retry it', async () => {
    const roleId = track(await target.setup.createAppRole('hush-wrong', { policies: ['hush-agent'] }));
    const { wrappingToken } = await target.setup.createSecretId('hush-wrong', { wrapTtl: '120s' });
    track(wrappingToken);
    const source = await open({
      method: 'approle',
      role_id_file: writeSecretFile(dir, 'role-x', roleId),
      secret_id_file: writeSecretFile(dir, 'sid-x', wrappingToken!),
      secret_id_wrapping_path: 'auth/approle/role/other/secret-id',
    });
    const first = (await source.fetch(['secret/data/hush-auth/app'])).get('secret/data/hush-auth/app');
    expect(first).toMatchObject({ ok: false, missing: false });
    expect(first?.ok === false && first.reason).toMatch(/HUSH_ERR_VAULT_WRAPPING.*security/);
    const second = (await source.fetch(['secret/data/hush-auth/app'])).get('secret/data/hush-auth/app');
    expect(second?.ok === false && second.reason).toMatch(/HUSH_ERR_VAULT_WRAPPING/);
    // Never unwrapped: the legitimate holder can still unwrap it.
    const unwrap = await target.setup.request('POST', 'sys/wrapping/unwrap', { token: wrappingToken! });
    expect(unwrap.status).toBe(200);
    track(String((unwrap.json?.['data'] as Record<string, unknown>)['secret_id']));
  });

  it('treats an already-used wrapping token as a security error', async () => {
    const roleId = track(await target.setup.createAppRole('hush-used', { policies: ['hush-agent'] }));
    const { wrappingToken } = await target.setup.createSecretId('hush-used', { wrapTtl: '120s' });
    track(wrappingToken);
    const stolen = await target.setup.request('POST', 'sys/wrapping/unwrap', { token: wrappingToken! });
    track(String((stolen.json?.['data'] as Record<string, unknown>)['secret_id']));
    const source = await open({ method: 'approle', role_id_file: writeSecretFile(dir, 'role-u', roleId), secret_id_file: writeSecretFile(dir, 'sid-u', wrappingToken!) });
    const result = (await source.fetch(['secret/data/hush-auth/app'])).get('secret/data/hush-auth/app');
    expect(result?.ok === false && result.reason).toMatch(/HUSH_ERR_VAULT_WRAPPING/);
  });

  it.skipIf(real)('logs in again after its token expired (needs fault injection of the test server)', async () => {
    const roleId = track(await target.setup.createAppRole('hush-expire', { policies: ['hush-agent'], tokenTtl: '1h' }));
    const { secretId } = await target.setup.createSecretId('hush-expire');
    track(secretId);
    const source = await open({ method: 'approle', role_id_file: writeSecretFile(dir, 'role-e', roleId), secret_id_file: writeSecretFile(dir, 'sid-e', secretId!) });
    const base = target.fake!.requests.count({ path: '/v1/auth/approle/login' });
    const logins = () => target.fake!.requests.count({ path: '/v1/auth/approle/login' }) - base;
    expect(await readsValue(source)).toBe('k-auth-8f2c1e9a');
    expect(logins()).toBe(1);
    // Expire the agent's token on the server (found through the accessor the read used).
    const read = target.fake!.requests.find({ path: '/v1/secret/data/hush-auth/app' }).at(-1)!;
    const entry = target.fake!.state.tokens.byAccessor(read.tokenAccessor!)!;
    expect(entry.path).toBe('auth/approle/login');
    target.fake!.faults.expireToken(entry.id);
    expect(await readsValue(source)).toBe('k-auth-8f2c1e9a');
    expect(logins()).toBe(2);
  });
});

describe('kubernetes auth', () => {
  it.skipIf(real)('logs in with the service-account JWT file and a role (needs the test server\'s TokenReview stand-in)', async () => {
    await target.setup.createKubernetesRole('hush-k8s', { serviceAccountNames: ['app'], namespaces: ['prod'], policies: ['hush-agent'], ttl: '1h' });
    const jwt = track(target.fake!.state.kubernetes.mintJwt({ name: 'app', namespace: 'prod' }));
    const source = await open({ method: 'kubernetes', role: 'hush-k8s', jwt_file: writeSecretFile(dir, 'jwt', jwt) });
    expect(await readsValue(source)).toBe('k-auth-8f2c1e9a');
    expect(target.fake!.requests.count({ path: '/v1/auth/kubernetes/login' })).toBe(1);
  });

  it('reports a login that Vault refuses as a failure, not as a missing secret', async () => {
    const source = await open({ method: 'kubernetes', role: 'nobody', jwt_file: writeSecretFile(dir, 'jwt-bad', track('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2lnbmF0dXJl')) });
    const result = (await source.fetch(['secret/data/hush-auth/app'])).get('secret/data/hush-auth/app');
    expect(result).toMatchObject({ ok: false, missing: false });
  });
});
