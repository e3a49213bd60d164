// Vault outages through the runner: a 60-second seal during which the files stay and retries
// back off, after which rotation resumes by itself; a 429 whose Retry-After is honoured.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../agent/ports/clock';
import { usingRealVault } from '../vault-server';
import { policy, startHarness, track, useTokenTarget } from './vault-helpers';

const real = usingRealVault();
const clock = new ManualClock(Date.UTC(2026, 10, 28, 14, 0, 0));
const vault = useTokenTarget(clock);

const kvPolicy = (path: string) => policy(`
version: 1
name: outage
sources:
  vault: { type: vault, address: "${vault.target.url}", auth: { method: token, token_file: "${vault.tokenFile}" } }
secrets:
  - { file: api_key, source: vault, key: secret/data/${path}, field: api_key }
rotate: { every: 10s, jitter: 0 }
on_change: { signal: SIGHUP }
`);

describe('outages', () => {
  it.skipIf(real)('keeps the files through a 60-second seal, backs off, and resumes rotation after (needs fault injection of the test server)', async () => {
    await vault.target.setup.putKv2('hush-outage/app', { api_key: track('before-outage-5c1') });
    const h = await startHarness([kvPolicy('hush-outage/app')], clock);
    try {
      const reads = () => vault.target.fake!.requests.count({ path: '/v1/secret/data/hush-outage/app' });
      expect(h.sink.files.get('api_key')).toBe('before-outage-5c1');
      vault.target.fake!.faults.set({ sealed: true });
      const readsBefore = reads();
      for (let s = 0; s < 60; s++) {
        await h.advance(1000);
        expect(h.sink.files.get('api_key')).toBe('before-outage-5c1');
      }
      // Backoff: far fewer attempts than one per second, but more than one.
      const attempts = reads() - readsBefore;
      expect(attempts).toBeGreaterThan(1);
      expect(attempts).toBeLessThan(15);
      expect(h.runner.status().counters['fetch_failures']).toBeGreaterThan(0);
      expect(h.notified).toEqual([]);
      // Vault comes back with a rotated value.
      vault.target.fake!.faults.clear();
      await vault.target.setup.putKv2('hush-outage/app', { api_key: track('after-outage-8e2') });
      for (let s = 0; s < 300 && h.sink.files.get('api_key') !== 'after-outage-8e2'; s++) await h.advance(1000);
      expect(h.sink.files.get('api_key')).toBe('after-outage-8e2');
      expect(h.runner.status().keys[0]!.attempts).toBe(0);
      // And rotation goes on at its normal pace.
      await vault.target.setup.putKv2('hush-outage/app', { api_key: track('rotated-again-3f7') });
      await h.advance(11_000);
      expect(h.sink.files.get('api_key')).toBe('rotated-again-3f7');
    } finally {
      await h.stop();
    }
  });

  it.skipIf(real)('honours Retry-After on a 429 (needs fault injection of the test server)', async () => {
    await vault.target.setup.putKv2('hush-429/app', { api_key: track('rate-limited-2a9') });
    const h = await startHarness([kvPolicy('hush-429/app')], clock);
    try {
      const path = '/v1/secret/data/hush-429/app';
      vault.target.fake!.faults.failPath('secret/data/hush-429/app', { times: 1, status: 429, retryAfterSeconds: 30 });
      const count = vault.target.fake!.requests.count({ path });
      for (let s = 0; s < 60 && vault.target.fake!.requests.count({ path }) < count + 2; s++) await h.advance(1000);
      const records = vault.target.fake!.requests.find({ path }).slice(-2);
      expect(records[0]!.status).toBe(429);
      expect(records[1]!.status).toBe(200);
      expect(records[1]!.at - records[0]!.at).toBeGreaterThanOrEqual(30_000);
      expect(h.sink.files.get('api_key')).toBe('rate-limited-2a9');
    } finally {
      await h.stop();
    }
  });
});
