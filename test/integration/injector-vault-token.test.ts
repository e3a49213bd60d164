// The injected agent's Vault kubernetes login reads a projected service-account token that
// the kubelet rotates (at 80% of its lifetime): every login must read the file anew, never a
// copy kept from the first one. The token file is swapped between two logins here.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../agent/ports/clock';
import { usingRealVault, vaultTarget, type VaultTarget } from '../vault-server';
import { AGENT_ACL, assertNoLeaks, openSource, tempDir, track, vaultConfig, writeSecretFile } from './vault-helpers';

const real = usingRealVault();
let target: VaultTarget;
const clock = new ManualClock(Date.now());
const dir = tempDir();

beforeAll(async () => {
  target = await vaultTarget({ clock });
  track(target.rootToken);
  await target.setup.writePolicy('hush-agent', AGENT_ACL);
  await target.setup.putKv2('hush-k8s/app', { api_key: track('k-rotated-3c1d') });
});

afterAll(async () => {
  await target.close();
  assertNoLeaks();
});

describe('kubernetes auth with a projected token', () => {
  it.skipIf(real)('reads the token file again at every login (needs the test server\'s TokenReview stand-in and fault injection)', async () => {
    await target.setup.createKubernetesRole('hush-rotated', { serviceAccountNames: ['app'], namespaces: ['shop'], policies: ['hush-agent'], ttl: '1h' });
    const tokenFile = writeSecretFile(dir, 'token', track(target.fake!.state.kubernetes.mintJwt({ name: 'app', namespace: 'shop' })));
    const source = await openSource(vaultConfig(target, { method: 'kubernetes', role: 'hush-rotated', jwt_file: tokenFile }), clock, {});
    const read = async () => (await source.fetch(['secret/data/hush-k8s/app'])).get('secret/data/hush-k8s/app');
    const expireAgentToken = () => {
      const last = target.fake!.requests.find({ path: '/v1/secret/data/hush-k8s/app' }).at(-1)!;
      target.fake!.faults.expireToken(target.fake!.state.tokens.byAccessor(last.tokenAccessor!)!.id);
    };
    try {
      expect((await read())?.ok).toBe(true);
      // The kubelet rotated the file to a token of an account the role does not admit: the
      // next login must present it, and be refused.
      writeFileSync(tokenFile, track(target.fake!.state.kubernetes.mintJwt({ name: 'intruder', namespace: 'shop' })) + '\n');
      expireAgentToken();
      expect(await read()).toMatchObject({ ok: false, missing: false });
      // Rotated again to a token of the right account: the login after that succeeds.
      writeFileSync(tokenFile, track(target.fake!.state.kubernetes.mintJwt({ name: 'app', namespace: 'shop' })) + '\n');
      let result = await read();
      for (let i = 0; i < 20 && !result?.ok; i++) {
        clock.advance(60_000);
        result = await read();
      }
      expect(result?.ok).toBe(true);
      expect(target.fake!.requests.count({ path: '/v1/auth/kubernetes/login' })).toBeGreaterThanOrEqual(3);
    } finally {
      await source.close();
    }
  });
});
