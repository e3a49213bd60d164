// The Vault CLI's environment variables, and OpenBao's names for them (BAO_ADDR, BAO_TOKEN,
// ...): OpenBao speaks the same HTTP API. VAULT_* wins when both are set; empty means unset.

export type VaultEnvName = 'ADDR' | 'TOKEN' | 'CACERT' | 'NAMESPACE' | 'SKIP_VERIFY';

export function vaultEnv(env: NodeJS.ProcessEnv, name: VaultEnvName): string | undefined {
  return env[`VAULT_${name}`] || env[`BAO_${name}`] || undefined;
}
