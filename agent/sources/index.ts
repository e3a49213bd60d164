// Builds the source adapters a run needs: one per distinct source config (core/plan.ts), so
// that two policies naming the same store or the same Vault share one adapter, one cache and
// one watcher. Vault's client is loaded only when a policy names a Vault source.

import type { SourceConfig } from '../config/normalize';
import { sourceErrors } from '../errors';
import type { Logger, Redactor } from '../log';
import type { Clock } from '../ports/clock';
import type { Random } from '../ports/random';
import type { SecretSource } from '../ports/secret-source';
import type { FetchPlan } from '../core/plan';
import type { StoreCredentials } from './file-store';

// Defined in the agent's registry (agent/errors.ts).
export { sourceErrors };

export interface SourceDeps {
  logger: Logger;
  /** The agent's one redactor: sources teach it the credentials they handle. */
  redactor: Redactor;
  clock: Clock;
  random: Random;
  env: NodeJS.ProcessEnv;
  /** The store for file sources without a path (--store, $HUSH_STORE). */
  defaultStore?: string;
  /** Unlocks file stores; read lazily, once. */
  storeCredentials(): Promise<StoreCredentials>;
}

export type SourceFactory = (config: SourceConfig, name: string, deps: SourceDeps) => Promise<SecretSource>;

const factories: Record<string, () => SourceFactory> = {
  file: () => async (config, name, deps) => {
    const { createFileStoreSource } = require('./file-store-source') as typeof import('./file-store-source');
    const storePath = (config as { path?: string }).path ?? deps.defaultStore;
    if (storePath === undefined) throw sourceErrors.HUSH_ERR_SOURCE_NO_STORE(name);
    return createFileStoreSource({ name, path: storePath, credentials: await deps.storeCredentials(), logger: deps.logger.child({ component: 'file-store' }) });
  },
  vault: () => (require('./vault') as { createVaultSource: SourceFactory }).createVaultSource,
};

/** One adapter per planned source, keyed by source id. */
export async function createSources(plan: FetchPlan, deps: SourceDeps): Promise<Map<string, SecretSource>> {
  const sources = new Map<string, SecretSource>();
  try {
    for (const planned of plan.sources) {
      const factory = factories[planned.config.type];
      if (!factory) throw sourceErrors.HUSH_ERR_SOURCE_UNKNOWN(planned.config.type);
      const name = planned.users.map((u) => `${u.policy}/${u.name}`).join(', ');
      sources.set(planned.id, await factory()(planned.config, name, deps));
    }
  } catch (err) {
    await Promise.all([...sources.values()].map((s) => s.close()));
    throw err;
  }
  return sources;
}
