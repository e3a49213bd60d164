import { defineConfig } from 'vitest/config';

// The Vault benchmark runs as a vitest file (it needs the TypeScript test server) outside the
// test projects: npx vitest run --config bench/vitest.bench.config.ts
export default defineConfig({
  test: { include: ['bench/vault.test.ts'], testTimeout: 300_000, hookTimeout: 60_000 },
});
