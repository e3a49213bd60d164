// Kubernetes auth: the pod's service-account JWT (re-read at every login, since projected
// tokens rotate) and a role, posted to auth/<mount>/login.

import type { VaultClient } from '../client';
import { clientToken, readCredential, type AuthMethod } from './types';

export const defaultJwtFile = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export function kubernetesAuth(options: { role: string; jwtFile?: string; mount?: string }): AuthMethod {
  const mount = (options.mount ?? 'kubernetes').replace(/^\/+|\/+$/g, '');
  return {
    name: 'kubernetes',
    async login(client: VaultClient, signal?: AbortSignal) {
      const jwt = await readCredential(options.jwtFile ?? defaultJwtFile, 'service-account JWT', client);
      const reply = await client.request({ method: 'POST', path: `auth/${mount}/login`, body: { role: options.role, jwt }, ...(signal ? { signal } : {}) });
      const token = clientToken(reply.body, 'kubernetes login');
      client.redactor.add(token);
      return { token, owned: true };
    },
  };
}
