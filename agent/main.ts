// Wiring only: policies → sources → sink → runner. Used by `hush run` (inside the launcher's
// process, writing into the container's tmpfs) and by `hush agent` (a sidecar writing into a
// directory). Only this file knows the concrete adapters.

import type { Policy } from './config/normalize';
import { loadPolicies } from './config/load';
import { planFetches } from './core/plan';
import { HushError, policyErrors } from './errors';
import { createLogger, Redactor, type Logger } from './log';
import { systemClock, type Clock } from './ports/clock';
import { systemRandom, type Random } from './ports/random';
import type { SecretSource } from './ports/secret-source';
import { createRunner, type Runner, type RunnerOptions } from './runner';
import { createTmpfsSink } from './sink/tmpfs-sink';
import type { SecretSink } from './sink/types';
import { createSources } from './sources';
import { credentialsFromEnv, type StoreCredentials } from './sources/file-store';

export interface AgentOptions {
  policies: readonly Policy[];
  /** Directory the secrets go to (may be /proc/self/fd/N of a detached tmpfs). */
  outDir: string;
  uid?: number;
  gid?: number;
  env: NodeJS.ProcessEnv;
  defaultStore?: string;
  passphraseFile?: string;
  onChange: RunnerOptions['onChange'];
  logger?: Logger;
  redactor?: Redactor;
  clock?: Clock;
  random?: Random;
  /** Keeps the sink (and what it knows was written) across a policy reload. */
  sink?: SecretSink;
}

export interface Agent {
  runner: Runner;
  sink: SecretSink;
  close(): Promise<void>;
}

/** HUSH_ERR_POLICY_INVALID, with every error line kept for printing one by one. */
export class PolicyLoadError extends HushError<'HUSH_ERR_POLICY_INVALID'> {
  constructor(readonly errors: string[]) {
    const definition = policyErrors.HUSH_ERR_POLICY_INVALID;
    super(definition.code, definition(errors).message);
  }
}

export async function readPolicies(files: readonly string[], cwd: string): Promise<Policy[]> {
  const loaded = await loadPolicies(files, cwd);
  if (!loaded.ok) throw new PolicyLoadError(loaded.errors);
  return loaded.policies;
}

export async function createAgent(options: AgentOptions): Promise<Agent> {
  const redactor = options.redactor ?? new Redactor();
  const logger = options.logger ?? createLogger({ redactor });
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  let credentials: Promise<StoreCredentials> | undefined;
  const sources: Map<string, SecretSource> = await createSources(planFetches(options.policies), {
    logger,
    redactor,
    clock,
    random,
    env: options.env,
    defaultStore: options.defaultStore,
    storeCredentials: () => (credentials ??= credentialsFromEnv(options.env, { passphraseFile: options.passphraseFile })),
  });
  const sink = options.sink ?? createTmpfsSink({ root: options.outDir, uid: options.uid, gid: options.gid, logger: logger.child({ component: 'sink' }) });
  const runner = createRunner({
    policies: options.policies,
    sources,
    sink,
    clock,
    random,
    logger: logger.child({ component: 'runner' }),
    redactor,
    onChange: options.onChange,
  });
  return {
    runner,
    sink,
    close: async () => {
      await Promise.all([...sources.values()].map((s) => s.close()));
    },
  };
}
