// OpenBao's CLI variables: BAO_ADDR and BAO_TOKEN (and BAO_NAMESPACE, BAO_CACERT,
// BAO_SKIP_VERIFY) work where VAULT_* do; when both are set, VAULT_* wins, as documented.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../agent/config/normalize';
import { ManualClock } from '../../agent/ports/clock';
import type { SecretSource } from '../../agent/ports/secret-source';
import { vaultTarget, type VaultTarget } from '../vault-server';
import { AGENT_ACL, assertNoLeaks, openSource, track } from './vault-helpers';

let target: VaultTarget;
let token: string;
const clock = new ManualClock(Date.now());
const opened: SecretSource[] = [];
// Nothing listens here: a source that used this address would fail to read.
const deadAddress = 'http://127.0.0.1:9';
const tokenAuth = { type: 'vault', auth: { method: 'token' } } as unknown as SourceConfig;

async function read(env: NodeJS.ProcessEnv): Promise<unknown> {
  const source = await openSource(tokenAuth, clock, env);
  opened.push(source);
  const result = (await source.fetch(['secret/data/hush-bao/app'])).get('secret/data/hush-bao/app');
  return result?.ok ? (result.secret.data as Record<string, unknown>)['api_key'] : result;
}

beforeAll(async () => {
  target = await vaultTarget({ clock });
  track(target.rootToken);
  await target.setup.writePolicy('hush-agent', AGENT_ACL);
  await target.setup.putKv2('hush-bao/app', { api_key: track('k-bao-51e0') });
  token = track((await target.setup.createToken({ policies: ['hush-agent'], ttl: '1h' })).token)!;
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  await target.close();
  assertNoLeaks();
});

describe('OpenBao environment variables', () => {
  it('reads with BAO_ADDR and BAO_TOKEN alone', async () => {
    expect(await read({ BAO_ADDR: target.url, BAO_TOKEN: token })).toBe('k-bao-51e0');
  });

  it('prefers VAULT_ADDR and VAULT_TOKEN when both are set', async () => {
    expect(await read({ VAULT_ADDR: target.url, BAO_ADDR: deadAddress, VAULT_TOKEN: token, BAO_TOKEN: 'not-a-token' })).toBe('k-bao-51e0');
    expect(await read({ VAULT_ADDR: deadAddress, BAO_ADDR: target.url, VAULT_TOKEN: token })).toMatchObject({ ok: false, missing: false });
  });

  it('treats an empty VAULT_ADDR as unset', async () => {
    expect(await read({ VAULT_ADDR: '', BAO_ADDR: target.url, VAULT_TOKEN: '', BAO_TOKEN: token })).toBe('k-bao-51e0');
  });

  it('names both variables when neither is set', async () => {
    await expect(openSource(tokenAuth, clock, {})).rejects.toThrow("test/vault: no Vault address: set 'address' in the policy, $VAULT_ADDR or $BAO_ADDR");
    expect(await read({ BAO_ADDR: target.url })).toMatchObject({ ok: false, reason: expect.stringContaining('neither $VAULT_TOKEN nor $BAO_TOKEN is set') });
  });
});
