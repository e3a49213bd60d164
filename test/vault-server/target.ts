// Where integration tests send their Vault requests: a real Vault when VAULT_ADDR and
// VAULT_TOKEN are set (docker-compose.test.yml), otherwise a fresh test server.
import { startVaultTestServer } from './server';
import type { VaultTestServer, VaultTestServerOptions } from './server';
import { VaultSetup } from './setup';

export interface VaultTarget {
  kind: 'fake' | 'real';
  url: string;
  rootToken: string;
  setup: VaultSetup;
  /** The test server, when the target is not a real Vault. */
  fake?: VaultTestServer;
  close(): Promise<void>;
}

export function usingRealVault(): boolean {
  return Boolean(process.env['VAULT_ADDR'] && process.env['VAULT_TOKEN']);
}

export async function vaultTarget(options: VaultTestServerOptions = {}): Promise<VaultTarget> {
  const address = process.env['VAULT_ADDR'];
  const token = process.env['VAULT_TOKEN'];
  if (address && token) {
    const url = address.replace(/\/+$/, '');
    return { kind: 'real', url, rootToken: token, setup: new VaultSetup(url, token), close: async () => {} };
  }
  const fake = await startVaultTestServer(options);
  return {
    kind: 'fake',
    url: fake.url,
    rootToken: fake.rootToken,
    setup: new VaultSetup(fake.url, fake.rootToken),
    fake,
    close: () => fake.close(),
  };
}
