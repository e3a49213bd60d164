// How a policy names a Vault value: a path relative to /v1/, optionally followed by
// parameters in query-string form.
//   secret/data/webapp   secret/webapp          KV v2 (either form)
//   kv/webapp                                   KV v1
//   secret/webapp?version=3                     GET parameters (a pinned KV v2 version)
//   database/creds/webapp                       dynamic secret (leased)
//   pki/issue/web?common_name=web.internal&ttl=24h&alt_names=a.internal,b.internal
// For pki/issue the parameters become the POST body; for reads they become the query string.

import { vaultErrors } from './errors';

export interface VaultKey {
  path: string;
  params: Record<string, string>;
}

export function parseVaultKey(key: string): VaultKey {
  const q = key.indexOf('?');
  const path = (q === -1 ? key : key.slice(0, q)).replace(/^\/+|\/+$/g, '').replace(/^v1\//, '');
  if (path === '') throw vaultErrors.HUSH_ERR_VAULT_BAD_KEY(key, 'empty path');
  if (path.split('/').some((s) => s === '..' || s === '.' || s === '')) throw vaultErrors.HUSH_ERR_VAULT_BAD_KEY(key, `expected a path like secret/data/app, got '${path}'`);
  const params: Record<string, string> = {};
  if (q !== -1) for (const [name, value] of new URLSearchParams(key.slice(q + 1))) params[name] = value;
  return { path, params };
}
