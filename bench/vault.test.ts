// bench/vault: secrets from 100 policies over 100 distinct KV v2 paths against the Vault test
// server, driven by the real runner. Prints requests per cycle, time to first full render, and
// RSS after rendering 1,000 and 10,000 secrets. Run:
//   npx vitest run --config bench/vitest.bench.config.ts
import { it } from 'vitest';
import { ManualClock } from '../agent/ports/clock';
import { startVaultTestServer } from '../test/vault-server';
import { policy, startHarness, tempDir, writeSecretFile } from '../test/integration/vault-helpers';

async function scenario(secretsPerPolicy: number) {
  const clock = new ManualClock(Date.now());
  const server = await startVaultTestServer({ clock });
  const tokenFile = writeSecretFile(tempDir(), 'token', server.rootToken);
  const setup = (await import('../test/vault-server')).VaultSetup;
  const api = new setup(server.url, server.rootToken);
  const fields: Record<string, string> = {};
  for (let f = 0; f < secretsPerPolicy; f++) fields[`f${f}`] = `value-${f}-${'x'.repeat(24)}`;
  for (let i = 0; i < 100; i++) await api.putKv2(`bench/p${i}`, fields);
  const policies = Array.from({ length: 100 }, (_, p) => policy(`
version: 1
name: bench-${p}
sources:
  vault: { type: vault, address: "${server.url}", auth: { method: token, token_file: "${tokenFile}" } }
secrets:
${Array.from({ length: secretsPerPolicy }, (_, s) => `  - { file: "p${p}/s${s}", source: vault, key: "secret/data/bench/p${(p + s) % 100}", field: f${s} }`).join('\n')}
rotate: { every: 10m }
on_change: none
`, `bench-${p}.yaml`));
  server.requests.clear();
  global.gc?.();
  const t0 = performance.now();
  const h = await startHarness(policies, clock);
  const firstRenderMs = performance.now() - t0;
  const firstCycle = server.requests.count();
  const firstReads = server.requests.count({ path: /^\/v1\/secret\/data\// });
  server.requests.clear();
  h.runner.rotateNow();
  await h.advance(1);
  const cycleRequests = server.requests.count();
  const cycleReads = server.requests.count({ path: /^\/v1\/secret\/data\// });
  const rendered = [...h.sink.files.keys()].length;
  const rssMb = process.memoryUsage().rss / 1024 / 1024;
  await h.stop();
  await server.close();
  return { secrets: 100 * secretsPerPolicy, rendered, firstCycle, firstReads, cycleRequests, cycleReads, firstRenderMs, rssMb };
}

it('vault bench', async () => {
  const rows = [await scenario(10), await scenario(100)];
  const lines = [
    '| secrets | files rendered | requests, first cycle (KV reads) | requests per later cycle (KV reads) | time to first full render | RSS after render |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.secrets} | ${r.rendered} | ${r.firstCycle} (${r.firstReads}) | ${r.cycleRequests} (${r.cycleReads}) | ${r.firstRenderMs.toFixed(0)} ms | ${r.rssMb.toFixed(0)} MB |`),
  ];
  process.stdout.write(`\n${lines.join('\n')}\n`);
});
