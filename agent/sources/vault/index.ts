// createVaultSource: wires the client, the auth method, the token lifecycle, the mount cache,
// KV, leases and PKI into one SecretSource. One request per distinct path per fetch (a small
// concurrency cap, and a jitter of at most 100 ms before the very first request, keep a start
// from being a storm). Outages, seals, 5xx and 429 come back as transient failures with
// Retry-After, and the runner keeps the last good content and backs off; the source never
// gives up. close() revokes the leases it created and the token it logged in for, unless the
// policy says revoke_on_exit: false.

import { readFile } from 'node:fs/promises';
import { setTimeout as realSleep } from 'node:timers/promises';
import type { VaultSourceConfig } from '../../config/normalize';
import { HushError } from '../../errors';
import type { FetchResult, SecretSource } from '../../ports/secret-source';
import type { SourceFactory } from '../index';
import { authenticated, type Api } from './api';
import { appRoleAuth } from './auth/approle';
import { kubernetesAuth } from './auth/kubernetes';
import { tokenAuth } from './auth/token';
import type { AuthMethod } from './auth/types';
import { VaultApiError, createVaultClient, type VaultClient } from './client';
import { vaultErrors } from './errors';
import { parseVaultKey } from './keys';
import { readKv } from './kv';
import { createLeaseBook, type Issued } from './leases';
import { createMountCache } from './mounts';
import { issueCertificate } from './pki';
import { createTokenLifecycle } from './token-lifecycle';
import { vaultEnv } from './env';

const DEFAULT_TIMEOUT_MS = 10_000;
const START_JITTER_MS = 100;
const CONCURRENCY = 16;

function authMethod(auth: VaultSourceConfig['auth'], env: NodeJS.ProcessEnv): AuthMethod {
  switch (auth.method) {
    case 'token':
      return tokenAuth(auth.token_file, env);
    case 'approle':
      return appRoleAuth({ roleIdFile: auth.role_id_file, secretIdFile: auth.secret_id_file, ...(auth.secret_id_wrapping_path ? { wrappingPath: auth.secret_id_wrapping_path } : {}) });
    case 'kubernetes':
      return kubernetesAuth({ role: auth.role, ...(auth.jwt_file ? { jwtFile: auth.jwt_file } : {}), ...(auth.mount ? { mount: auth.mount } : {}) });
  }
}

/** Go's ParseBool, as the Vault CLI reads VAULT_SKIP_VERIFY; anything else is undefined. */
function parseBool(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  return undefined;
}

function limiter(max: number): <T>(work: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async (work) => {
    if (active >= max) await new Promise<void>((resolve) => queue.push(resolve));
    active++;
    try {
      return await work();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

function failure(err: unknown, client: VaultClient): FetchResult {
  if (err instanceof VaultApiError) {
    if (err.status === 404) return { ok: false, missing: true, reason: err.message };
    return { ok: false, missing: false, reason: err.message, ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}) };
  }
  const message = client.redactor.redact(err instanceof Error ? err.message : String(err));
  return { ok: false, missing: false, reason: err instanceof HushError ? `${err.code}: ${message}` : message };
}

async function readGeneric(api: Api, path: string, params: Record<string, string>, signal?: AbortSignal): Promise<Issued> {
  const reply = await api({ method: 'GET', path, query: params, ...(signal ? { signal } : {}) });
  const body = reply.body ?? {};
  const data = (body['data'] ?? {}) as Record<string, unknown>;
  const leaseId = String(body['lease_id'] ?? '');
  let durationS = Number(body['lease_duration'] ?? 0);
  // Static database roles and similar: no lease, a ttl until the next rotation.
  if (!leaseId && durationS === 0 && typeof data['ttl'] === 'number') durationS = data['ttl'] + 1;
  return { data, leaseId, renewable: body['renewable'] === true, durationS };
}

export const createVaultSource: SourceFactory = async (config, name, deps) => {
  const cfg = config as VaultSourceConfig;
  const env = deps.env;
  const address = cfg.address ?? vaultEnv(env, 'ADDR');
  if (!address) throw vaultErrors.HUSH_ERR_VAULT_NO_ADDRESS(name);
  const logger = deps.logger.child({ component: 'vault' });
  const caFile = cfg.ca_cert ?? vaultEnv(env, 'CACERT');
  const ca = caFile ? await readFile(caFile, 'utf8') : undefined;
  const namespace = cfg.namespace ?? vaultEnv(env, 'NAMESPACE');
  const client = createVaultClient({
    address,
    timeoutMs: cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    tlsSkipVerify: cfg.tls_skip_verify ?? parseBool(vaultEnv(env, 'SKIP_VERIFY')) ?? false,
    logger,
    redactor: deps.redactor,
    ...(namespace ? { namespace } : {}),
    ...(ca ? { ca } : {}),
  });
  const tokens = createTokenLifecycle({ client, auth: authMethod(cfg.auth, env), clock: deps.clock, random: deps.random, logger });
  const api = authenticated(client, tokens);
  const mounts = createMountCache(api);
  const leases = createLeaseBook({ clock: deps.clock, random: deps.random, logger, api });
  const limit = limiter(CONCURRENCY);
  const stop = new AbortController();
  let upkeep: Promise<void> | undefined;
  let started = false;

  async function fetchOne(key: string, signal?: AbortSignal): Promise<FetchResult> {
    try {
      const { path, params } = parseVaultKey(key);
      const mount = await mounts.resolve(path, signal);
      if (mount.type === 'kv') return await readKv(api, key, path, mount, params, signal);
      if (mount.type === 'pki' && /^(issue|sign)\//.test(path.slice(mount.path.length))) {
        return await leases.fetch(key, () => issueCertificate(api, path, params, signal), signal);
      }
      return await leases.fetch(key, () => readGeneric(api, path, params, signal), signal);
    } catch (err) {
      return failure(err, client);
    }
  }

  const source: SecretSource = {
    name,
    type: 'vault',
    async fetch(keys, signal) {
      if (!started) {
        started = true;
        await realSleep(Math.floor(deps.random() * START_JITTER_MS)).catch(() => undefined);
        upkeep = tokens.run(stop.signal);
      }
      const results = new Map<string, FetchResult>();
      // Get the token once before the burst of reads: no race to log in, and while Vault is
      // down a cycle costs one request, not one per key.
      try {
        await tokens.token(signal);
      } catch (err) {
        const failed = failure(err, client);
        for (const key of keys) results.set(key, failed);
        return results;
      }
      await Promise.all([...new Set(keys)].map(async (key) => results.set(key, await limit(() => fetchOne(key, signal)))));
      return results;
    },
    async close() {
      stop.abort();
      await upkeep;
      try {
        if (cfg.revoke_on_exit !== false) {
          const revoked = await leases.revokeAll(api);
          await tokens.revoke();
          if (revoked > 0) logger.info('revoked the leases created by this run', { count: revoked });
        } else if (leases.leaseIds().length > 0) {
          logger.info('keeping leases and token on exit (revoke_on_exit: false)', { count: leases.leaseIds().length });
        }
      } catch (err) {
        logger.warn('revocation on exit failed', { error: client.redactor.redact((err as Error).message) });
      } finally {
        client.close();
      }
    },
  };
  return source;
};
