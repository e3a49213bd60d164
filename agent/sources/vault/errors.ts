// The Vault source's errors. Messages name paths and methods, never a token or a value.

import { defineError } from '../../errors';

export const vaultErrors = {
  HUSH_ERR_VAULT_NO_ADDRESS: defineError('HUSH_ERR_VAULT_NO_ADDRESS', (source: string) => `${source}: no Vault address: set 'address' in the policy or $VAULT_ADDR`),
  HUSH_ERR_VAULT_WRAPPING: defineError(
    'HUSH_ERR_VAULT_WRAPPING',
    (file: string, why: string) => `security: the response-wrapped secret_id in ${file} was refused (${why}); it may have been intercepted. Put a fresh wrapping token in the file; hush will not retry this one`,
  ),
  HUSH_ERR_VAULT_BAD_KEY: defineError('HUSH_ERR_VAULT_BAD_KEY', (key: string, why: string) => `Vault key '${key}': ${why}`),
} as const;
