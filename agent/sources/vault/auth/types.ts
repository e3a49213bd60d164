// What an auth method gives the token lifecycle: a token, and whether hush logged in itself
// (a token it obtained is revoked on exit; a token it was handed never is).

import type { VaultClient } from '../client';
import { vaultErrors } from '../errors';

export interface LoginResult {
  token: string;
  /** True when hush created the token by logging in. */
  owned: boolean;
}

export interface AuthMethod {
  readonly name: string;
  login(client: VaultClient, signal?: AbortSignal): Promise<LoginResult>;
}

/** Reads a credential file, trimmed; the content is registered as sensitive before use. */
export async function readCredential(file: string, what: string, client: VaultClient): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).trim();
  } catch (err) {
    throw vaultErrors.HUSH_ERR_VAULT_CREDENTIAL.withCause(err, what, file, (err as NodeJS.ErrnoException).code ?? 'error');
  }
  if (text === '') throw vaultErrors.HUSH_ERR_VAULT_CREDENTIAL(what, file, 'empty');
  client.redactor.add(text);
  return text;
}

/** The client_token of a login answer. */
export function clientToken(body: Record<string, unknown> | null, what: string): string {
  const auth = body?.['auth'] as Record<string, unknown> | null | undefined;
  const token = auth?.['client_token'];
  if (typeof token !== 'string' || token === '') throw vaultErrors.HUSH_ERR_VAULT_LOGIN(what);
  return token;
}
