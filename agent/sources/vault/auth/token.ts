// Token auth: a token handed to hush through token_file (re-read at every login, so an
// operator can rotate it in place) or $VAULT_TOKEN ($BAO_TOKEN for OpenBao). hush does not own
// it and never revokes it.

import type { VaultClient } from '../client';
import { vaultEnv } from '../env';
import { vaultErrors } from '../errors';
import { readCredential, type AuthMethod } from './types';

export function tokenAuth(tokenFile: string | undefined, env: NodeJS.ProcessEnv): AuthMethod {
  return {
    name: 'token',
    async login(client: VaultClient) {
      if (tokenFile !== undefined) return { token: await readCredential(tokenFile, 'token', client), owned: false };
      const token = vaultEnv(env, 'TOKEN')?.trim();
      if (!token) throw vaultErrors.HUSH_ERR_VAULT_NO_TOKEN('auth method token: no token_file, and neither $VAULT_TOKEN nor $BAO_TOKEN is set');
      client.redactor.add(token);
      return { token, owned: false };
    },
  };
}
