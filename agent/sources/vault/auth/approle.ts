// AppRole auth: role_id and secret_id read from files at every login.
//
// The secret_id file may hold a response-wrapping token instead (when secret_id_wrapping_path
// is set, or when its content is token-shaped). Then hush looks it up (sys/wrapping/lookup),
// checks creation_path against secret_id_wrapping_path when one is given, and unwraps it with
// the wrapping token as X-Vault-Token and no body. An invalid, already used, or wrongly created
// wrapping token is a security error: it is remembered and never sent again, so the runner's
// retries cannot keep poking at it; a new token written to the file is tried afresh. The
// unwrapped secret_id is kept in memory for later logins (a wrapping token has one use).

import { VaultApiError, type VaultClient } from '../client';
import { vaultErrors } from '../errors';
import { clientToken, readCredential, type AuthMethod } from './types';

export interface AppRoleOptions {
  roleIdFile: string;
  secretIdFile: string;
  wrappingPath?: string;
  mount?: string;
}

const looksWrapped = (text: string) => /^(hv[sb]\.|s\.)[A-Za-z0-9_.-]+$/.test(text);

export function appRoleAuth(options: AppRoleOptions): AuthMethod {
  const mount = (options.mount ?? 'approle').replace(/^\/+|\/+$/g, '');
  const refused = new Map<string, string>();
  const unwrapped = new Map<string, string>();

  async function unwrap(client: VaultClient, wrapping: string, signal?: AbortSignal): Promise<string> {
    const known = unwrapped.get(wrapping);
    if (known !== undefined) return known;
    const earlier = refused.get(wrapping);
    if (earlier !== undefined) throw vaultErrors.HUSH_ERR_VAULT_WRAPPING(options.secretIdFile, earlier);
    const refuse = (why: string) => {
      refused.set(wrapping, why);
      return vaultErrors.HUSH_ERR_VAULT_WRAPPING(options.secretIdFile, why);
    };
    const call = async (path: string, extra: { token?: string; body?: Record<string, unknown> }) => {
      try {
        return await client.request({ method: 'POST', path, ...extra, ...(signal ? { signal } : {}) });
      } catch (err) {
        // Outages are retried later; a definite refusal is a security signal.
        if (err instanceof VaultApiError && !err.transient) throw refuse(`${path} answered ${err.status}`);
        throw err;
      }
    };
    const lookup = await call('sys/wrapping/lookup', { body: { token: wrapping } });
    const creationPath = String((lookup.body?.['data'] as Record<string, unknown> | undefined)?.['creation_path'] ?? '');
    if (options.wrappingPath !== undefined && creationPath.replace(/\/+$/, '') !== options.wrappingPath.replace(/^\/+|\/+$/g, '')) {
      throw refuse(`it was created at '${creationPath}', not at secret_id_wrapping_path '${options.wrappingPath}'`);
    }
    const reply = await call('sys/wrapping/unwrap', { token: wrapping });
    const secretId = (reply.body?.['data'] as Record<string, unknown> | undefined)?.['secret_id'];
    if (typeof secretId !== 'string' || secretId === '') throw refuse('the unwrapped response holds no secret_id');
    client.redactor.add(secretId);
    unwrapped.set(wrapping, secretId);
    return secretId;
  }

  return {
    name: 'approle',
    async login(client, signal) {
      const roleId = await readCredential(options.roleIdFile, 'role_id', client);
      const content = await readCredential(options.secretIdFile, 'secret_id', client);
      const wrapped = options.wrappingPath !== undefined || looksWrapped(content);
      const secretId = wrapped ? await unwrap(client, content, signal) : content;
      const reply = await client.request({ method: 'POST', path: `auth/${mount}/login`, body: { role_id: roleId, secret_id: secretId }, ...(signal ? { signal } : {}) });
      const token = clientToken(reply.body, 'approle login');
      client.redactor.add(token);
      return { token, owned: true };
    },
  };
}
