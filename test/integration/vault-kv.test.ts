// KV through the Vault source: v1 and v2 (both key forms, a pinned version), deleted and
// destroyed versions and absent paths counted as missing, and one request per path per cycle
// across 100 policies driven by the runner.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../agent/ports/clock';
import type { SecretSource } from '../../agent/ports/secret-source';
import { usingRealVault, vaultTarget, type VaultTarget } from '../vault-server';
import { assertNoLeaks, openSource, policy, startHarness, tempDir, track, vaultConfig, writeSecretFile } from './vault-helpers';

const real = usingRealVault();
let target: VaultTarget;
let source: SecretSource;
let tokenFile: string;
const clock = new ManualClock(Date.now());

beforeAll(async () => {
  target = await vaultTarget({ clock });
  tokenFile = writeSecretFile(tempDir(), 'token', track(target.rootToken));
  source = await openSource(vaultConfig(target, { method: 'token', token_file: tokenFile }), clock);
  await target.setup.putKv1('hush-kv/app', { password: track('kv1-pass-71ac') });
  await target.setup.putKv2('hush-kv/app', { api_key: track('kv2-key-v1-0d3e') });
  await target.setup.putKv2('hush-kv/app', { api_key: track('kv2-key-v2-9b41') });
});

afterAll(async () => {
  await source.close();
  await target.close();
  assertNoLeaks();
});

async function one(key: string) {
  return (await source.fetch([key])).get(key)!;
}

describe('KV', () => {
  it('reads KV v1 whole', async () => {
    expect(await one('kv/hush-kv/app')).toMatchObject({ ok: true, secret: { data: { password: 'kv1-pass-71ac' } } });
  });

  it('reads KV v2 given with or without data/, and a pinned version', async () => {
    expect(await one('secret/data/hush-kv/app')).toMatchObject({ ok: true, secret: { data: { api_key: 'kv2-key-v2-9b41' }, version: 'v2' } });
    expect(await one('secret/hush-kv/app')).toMatchObject({ ok: true, secret: { data: { api_key: 'kv2-key-v2-9b41' } } });
    expect(await one('secret/hush-kv/app?version=1')).toMatchObject({ ok: true, secret: { data: { api_key: 'kv2-key-v1-0d3e' }, version: 'v1' } });
  });

  it('counts an absent path as missing', async () => {
    expect(await one('secret/data/hush-kv/absent')).toMatchObject({ ok: false, missing: true });
    expect(await one('kv/hush-kv/absent')).toMatchObject({ ok: false, missing: true });
  });

  it('counts a soft-deleted and a destroyed KV v2 version as missing, not as an outage', async () => {
    await target.setup.putKv2('hush-kv/deleted', { v: track('to-be-deleted-1') });
    await target.setup.deleteKv2Latest('hush-kv/deleted');
    const deleted = await one('secret/data/hush-kv/deleted');
    expect(deleted).toMatchObject({ ok: false, missing: true });
    expect(deleted.ok === false && deleted.reason).toMatch(/deleted/);
    await target.setup.putKv2('hush-kv/destroyed', { v: track('to-be-destroyed-1') });
    await target.setup.destroyKv2Versions('hush-kv/destroyed', [1]);
    const destroyed = await one('secret/data/hush-kv/destroyed');
    expect(destroyed).toMatchObject({ ok: false, missing: true });
    expect(destroyed.ok === false && destroyed.reason).toMatch(/destroyed/);
  });

  it.skipIf(real)('asks sys/internal/ui/mounts once per mount (needs the test server\'s request log)', async () => {
    await one('secret/data/hush-kv/app');
    await one('kv/hush-kv/app');
    expect(target.fake!.requests.count({ path: /^\/v1\/sys\/internal\/ui\/mounts\/secret\// })).toBe(1);
    expect(target.fake!.requests.count({ path: /^\/v1\/sys\/internal\/ui\/mounts\/kv\// })).toBe(1);
  });
});

describe('one fetch per path per cycle', () => {
  it.skipIf(real)('reads 100 paths once per cycle for 1,000 secrets in 100 policies (needs the test server\'s request log)', async () => {
    for (let i = 0; i < 100; i++) await target.setup.putKv2(`hush-scale/p${i}`, { value: track(`scale-value-${i}-x7`) });
    const policies = Array.from({ length: 100 }, (_, p) => policy(`
version: 1
name: scale-${p}
sources:
  vault: { type: vault, address: "${target.url}", auth: { method: token, token_file: "${tokenFile}" } }
secrets:
${Array.from({ length: 10 }, (_, s) => `  - { file: "s${s}", source: vault, key: "secret/data/hush-scale/p${(p * 10 + s) % 100}", field: value }`).join('\n')}
rotate: { every: 10m }
on_change: none
`, `scale-${p}.yaml`));
    target.fake!.requests.clear();
    const h = await startHarness(policies, clock);
    try {
      const reads = () => target.fake!.requests.count({ path: /^\/v1\/secret\/data\/hush-scale\// });
      expect(reads()).toBe(100);
      expect(h.sink.files.get('s3')).toBe('scale-value-93-x7');
      h.runner.rotateNow();
      await h.advance(1);
      expect(reads()).toBe(200);
    } finally {
      await h.stop();
    }
  });
});
