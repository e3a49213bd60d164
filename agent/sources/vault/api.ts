// An authenticated call: the current token, and on a 403 one re-check of the token (expired →
// log in again and retry once; still valid → the 403 is a real permission denial).

import type { VaultClient, VaultReply, VaultRequest } from './client';
import { VaultApiError } from './client';
import type { TokenLifecycle } from './token-lifecycle';

export type Api = (req: Omit<VaultRequest, 'token'>) => Promise<VaultReply>;

export function authenticated(client: VaultClient, tokens: TokenLifecycle): Api {
  return async (req) => {
    const token = await tokens.token(req.signal);
    try {
      return await client.request({ ...req, token });
    } catch (err) {
      if (!(err instanceof VaultApiError) || err.status !== 403) throw err;
      if (!(await tokens.recheck(token, req.signal))) throw err;
      return client.request({ ...req, token: await tokens.token(req.signal) });
    }
  };
}
