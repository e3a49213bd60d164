// Leases through the runner: a database credential renewed several times, then replaced
// before its max TTL with the app notified; revocation on exit; PKI certificates. The runner's
// ManualClock is also the test server's clock, so TTLs run out without waiting.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../agent/ports/clock';
import { usingRealVault } from '../vault-server';
import { openSource, policy, startHarness, track, useTokenTarget, vaultConfig } from './vault-helpers';

const real = usingRealVault();
const clock = new ManualClock(Date.UTC(2026, 10, 28, 14, 0, 0));
const vault = useTokenTarget(clock);

const dbPolicy = (role: string, extra = '') => policy(`
version: 1
name: db-${role}
sources:
  vault: { type: vault, address: "${vault.target.url}", auth: { method: token, token_file: "${vault.tokenFile}" }${extra} }
secrets:
  - { file: db.env, source: vault, key: database/creds/${role}, format: env, fields: { DB_USER: username, DB_PASS: password } }
on_change: { signal: SIGHUP }
`);

describe('dynamic secrets', () => {
  it.skipIf(real)('renews a lease several times, then fetches a replacement before max TTL and notifies the app (needs the test server\'s clock)', async () => {
    await vault.target.setup.createDatabaseRole('hush-db', { defaultTtl: 60, maxTtl: 300 });
    const h = await startHarness([dbPolicy('hush-db')], clock);
    try {
      const renewals = () => vault.target.fake!.requests.count({ path: '/v1/sys/leases/renew' });
      const issues = () => vault.target.fake!.requests.find({ path: '/v1/database/creds/hush-db' });
      const first = h.sink.files.get('db.env')!;
      track(first.match(/DB_PASS=(.*)/)?.[1]);
      expect(issues()).toHaveLength(1);
      const firstIssuedAt = issues()[0]!.at;
      // Up to just before the max TTL of the first lease (300 s).
      while (issues().length === 1 && clock.now() < firstIssuedAt + 299_000) await h.advance(1000);
      expect(renewals()).toBeGreaterThanOrEqual(3);
      expect(issues()).toHaveLength(2);
      const replacedAt = issues()[1]!.at;
      expect(replacedAt).toBeLessThan(firstIssuedAt + 300_000);
      await h.advance(3000);
      const second = h.sink.files.get('db.env')!;
      track(second.match(/DB_PASS=(.*)/)?.[1]);
      expect(second).not.toBe(first);
      expect(h.notified).toEqual(['db-hush-db']);
      // Renewal resumes on the new lease; no third credential while it is good.
      const before = renewals();
      await h.advance(60_000, 2000);
      expect(renewals()).toBeGreaterThan(before);
      expect(issues()).toHaveLength(2);
    } finally {
      await h.stop();
    }
  });

  it('revokes the leases it created on close, and keeps them with revoke_on_exit: false', async () => {
    await vault.target.setup.createDatabaseRole('hush-revoke', { defaultTtl: 600, maxTtl: 3600 });
    const lookup = (id: string) => vault.target.setup.request('PUT', 'sys/leases/lookup', { body: { lease_id: id } });
    const leaseOf = async (revoke: boolean) => {
      const source = await openSource(vaultConfig(vault.target, { method: 'token', token_file: vault.tokenFile }, { revoke_on_exit: revoke }), clock);
      const result = (await source.fetch(['database/creds/hush-revoke'])).get('database/creds/hush-revoke')!;
      expect(result.ok).toBe(true);
      if (result.ok) track(String((result.secret.data as Record<string, unknown>)['password']));
      const listed = await vault.target.setup.request('GET', 'sys/leases/lookup/database/creds/hush-revoke/?list=true');
      const ids = ((listed.json?.['data'] as Record<string, unknown>)['keys'] as string[]).map((k) => `database/creds/hush-revoke/${k}`);
      return { source, ids };
    };
    const revoked = await leaseOf(true);
    expect(revoked.ids).toHaveLength(1);
    expect((await lookup(revoked.ids[0]!)).status).toBe(200);
    await revoked.source.close();
    expect((await lookup(revoked.ids[0]!)).status).toBe(400);

    const kept = await leaseOf(false);
    expect(kept.ids).toHaveLength(1);
    await kept.source.close();
    expect((await lookup(kept.ids[0]!)).status).toBe(200);
  });
});

describe('PKI', () => {
  it('issues a certificate with parameters from the key, and holds it until its refresh time', async () => {
    await vault.target.setup.createPkiRole('hush-web', { allowedDomains: ['hush.internal'], allowSubdomains: true, ttl: '1h', maxTtl: '24h', keyType: 'ec' });
    const source = await openSource(vaultConfig(vault.target, { method: 'token', token_file: vault.tokenFile }), clock);
    try {
      const key = 'pki/issue/hush-web?common_name=web.hush.internal&ttl=2h';
      const result = (await source.fetch([key])).get(key)!;
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      const data = result.secret.data as Record<string, string>;
      track(data['private_key']);
      expect(data['certificate']).toMatch(/^-----BEGIN CERTIFICATE-----/);
      expect(data['private_key']).toMatch(/PRIVATE KEY-----/);
      expect(data['issuing_ca']).toMatch(/^-----BEGIN CERTIFICATE-----/);
      expect(data['ca_chain']).toMatch(/-----BEGIN CERTIFICATE-----/);
      const expiresAt = result.secret.expiresAt!;
      expect(expiresAt - clock.now()).toBeGreaterThan(2 * 3600_000 - 120_000);
      expect(expiresAt - clock.now()).toBeLessThanOrEqual(2 * 3600_000 + 60_000);
      expect(result.secret.refreshAt!).toBeLessThan(expiresAt);
      // Asked again before refreshAt (a manual rotate): the same certificate, no new issue.
      const again = (await source.fetch([key])).get(key)!;
      expect(again.ok && (again.secret.data as Record<string, string>)['certificate']).toBe(data['certificate']);
    } finally {
      await source.close();
    }
  });
});
