// The agent, wired once. `hush run` and `hush agent` both build it here: the logger and the one
// redactor, the sources, the sink and the runner, the first render, policy reload, the API and
// an ordered close. They differ only in what they pass: `hush run` renders into its container's
// tmpfs and passes the running app as on_change's target; `hush agent` renders into --out,
// passes no app (only `command` acts) and reloads policies when their files change.
// Only this file knows the concrete adapters.

import { realpathSync } from 'node:fs';
import * as path from 'node:path';
import type { Policy } from './config/normalize';
import { loadPolicies } from './config/load';
import { planFetches } from './core/plan';
import { errorMessage, HushError, policyErrors } from './errors';
import { preferSmallHeap } from './heap';
import { createLogger, Redactor, type Logger } from './log';
import { createOnChange, type AppHandle } from './on-change';
import { watchPolicies, type PolicyWatch } from './policy-watch';
import { systemClock, type Clock } from './ports/clock';
import { systemRandom, type Random } from './ports/random';
import type { SecretSource } from './ports/secret-source';
import { createRunner, isReady, type Runner } from './runner';
import { notifyReadyWhen, type Notifier } from './sd-notify';
import { createTmpfsSink } from './sink/tmpfs-sink';
import type { SecretSink } from './sink/types';
import { createSources } from './sources';
import { credentialsFromEnv, type StoreCredentials } from './sources/file-store';
import type { ServedApi } from './api/serve';
import type { ContainerUsage } from './api/types';

export interface AgentServiceOptions {
  policyFiles: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The directory to render into, or a function that makes it once the policies are known
   * (they size the tmpfs). It may be /proc/self/fd/N of a detached tmpfs. */
  out: string | ((policies: readonly Policy[]) => string);
  /** Owner of the rendered files (default: the agent's own). */
  uid?: number;
  gid?: number;
  /** The store of `type: file` sources without a path (--store, $HUSH_STORE). */
  defaultStore?: string;
  passphraseFile?: string;
  /** The app that on_change `signal` and `restart` act on; none in sidecar mode. */
  app?: () => AppHandle | undefined;
  /** Reload the policies when their files change; an invalid new version keeps the old. */
  reload?: boolean;
  /** hush's version, for the API's health answer. */
  version: string;
  /** systemd's notify protocol: RELOADING=1 / READY=1 around a policy reload. */
  notifier?: Notifier;
  /** The container's cgroup usage (hush run), for the API's status and metrics. */
  containerUsage?: () => ContainerUsage | undefined;
  /** Also READY=1 once every secret is rendered (hush agent; hush run says it once the app runs). */
  announceReady?: boolean;
  logger?: Logger;
  clock?: Clock;
  random?: Random;
}

export type ServiceStart =
  | { ok: true; env: Record<string, string> }
  /** `load`: the policies or the sources could not be built; `render`: a secret is missing. */
  | { ok: false; stage: 'load' | 'render'; errors: string[] };

export interface AgentService {
  readonly logger: Logger;
  /** Scrubs every secret value fetched so far from a text. */
  redact(text: string): string;
  /** Loads the policies, builds the sources and renders every secret once. */
  start(): Promise<ServiceStart>;
  /** Keeps rotating (and reloading, with `reload`) until close(). */
  run(): void;
  /** Serves the API on `address` (undefined: the default socket); `quiet` logs its info lines
   * at debug, for an API the user did not ask for. Resolves with the address bound. */
  serve(address: string | undefined, options?: { quiet?: boolean }): Promise<string>;
  /** Every file the agent reads: policies, stores, identity, passphrase and Vault credential
   * files. The app must never see them. */
  readPaths(): string[];
  /** Stops policy watching and rotation, closes the sources (revoking Vault leases and the
   * token), then the API. */
  close(): Promise<void>;
}

/** What one set of policies runs on; rebuilt on a policy reload (the sink is kept). */
interface Parts {
  policies: Policy[];
  sources: Map<string, SecretSource>;
  runner: Runner;
}

/** HUSH_ERR_POLICY_INVALID, with every error line kept for printing one by one. */
export class PolicyLoadError extends HushError<'HUSH_ERR_POLICY_INVALID'> {
  constructor(readonly errors: string[]) {
    const definition = policyErrors.HUSH_ERR_POLICY_INVALID;
    super(definition.code, definition(errors).message);
  }
}

export async function createAgentService(options: AgentServiceOptions): Promise<AgentService> {
  // A large policy is the largest transient allocation an agent makes: size the heap for
  // memory before the first load (agent/heap.ts).
  preferSmallHeap();
  const redactor = new Redactor();
  const logger = options.logger ?? createLogger({ redactor });
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const policyFiles = options.policyFiles.map((file) => path.resolve(options.cwd, file));
  // Armed before the first read, so that an edit made while the agent starts is not missed.
  const policyWatch: PolicyWatch | undefined = options.reload ? await watchPolicies(policyFiles) : undefined;
  const onChange = createOnChange({ app: options.app, env: options.env, logger: logger.child({ component: 'on-change' }) });
  let credentials: Promise<StoreCredentials> | undefined;
  const storeCredentials = () => (credentials ??= credentialsFromEnv(options.env, { passphraseFile: options.passphraseFile }));
  let sink: SecretSink | undefined;
  let current: Parts | undefined;
  let stop = new AbortController();
  let running: Promise<void> | undefined;
  let reloading = Promise.resolve();
  // Every API asked for, served or still starting: close() waits for those too.
  const apis: Promise<ServedApi | undefined>[] = [];
  const startedAt = Date.now();
  let cancelReady = () => {};
  const announceWhenReady = () => {
    if (!options.notifier) return;
    const status = () => `ready: ${current!.runner.status().policies.reduce((n, p) => n + p.files.length, 0)} files rendered`;
    cancelReady = notifyReadyWhen(options.notifier, () => isReady(current!.runner.status()), status);
  };

  async function readPolicies(): Promise<Policy[]> {
    const loaded = await loadPolicies(options.policyFiles, options.cwd);
    if (!loaded.ok) throw new PolicyLoadError(loaded.errors);
    return loaded.policies;
  }

  async function build(policies: Policy[]): Promise<Parts> {
    const sources = await createSources(planFetches(policies), {
      logger, redactor, clock, random, env: options.env, defaultStore: options.defaultStore, storeCredentials,
    });
    if (!sink) {
      const root = typeof options.out === 'string' ? options.out : options.out(policies);
      sink = createTmpfsSink({ root, uid: options.uid, gid: options.gid, logger: logger.child({ component: 'sink' }) });
    }
    const runner = createRunner({ policies, sources, sink, clock, random, logger: logger.child({ component: 'runner' }), redactor, onChange });
    return { policies, sources, runner };
  }

  const closeParts = (parts: Parts) => Promise.all([...parts.sources.values()].map((source) => source.close()));

  function startRotating(): void {
    stop = new AbortController();
    running = current!.runner.run(stop.signal);
  }

  async function stopRotating(): Promise<void> {
    stop.abort();
    await running;
    running = undefined;
  }

  async function reload(): Promise<void> {
    let policies: Policy[];
    let next: Parts;
    try {
      policies = await readPolicies();
    } catch (err) {
      const errors = err instanceof PolicyLoadError ? err.errors : [errorMessage(err)];
      for (const error of errors) logger.error('the changed policy is invalid; the previous one stays in force', { error });
      return;
    }
    try {
      next = await build(policies);
    } catch (err) {
      logger.error('cannot apply the changed policy; the previous one stays in force', { error: redactor.redact(errorMessage(err)) });
      return;
    }
    const wasRunning = running !== undefined;
    cancelReady();
    options.notifier?.reloading('reloading policies');
    await stopRotating();
    if (current) await closeParts(current);
    current = next;
    const first = await current.runner.start();
    if (!first.ok) for (const error of first.errors) logger.warn('not rendered yet; retrying', { error });
    if (wasRunning) startRotating();
    announceWhenReady();
    logger.info('policies reloaded', { policies: next.policies.map((p) => p.name).join(',') });
  }

  return {
    logger,
    redact: (text) => redactor.redact(text),

    async start() {
      try {
        current = await build(await readPolicies());
      } catch (err) {
        return { ok: false, stage: 'load', errors: err instanceof PolicyLoadError ? err.errors : [redactor.redact(errorMessage(err))] };
      }
      const first = await current.runner.start().catch((err: unknown) => ({ ok: false as const, errors: [redactor.redact(errorMessage(err))] }));
      return first.ok ? first : { ok: false, stage: 'render', errors: first.errors };
    },

    run() {
      if (!current || running) return;
      startRotating();
      if (options.announceReady) announceWhenReady();
      policyWatch?.onChange(() => {
        reloading = reloading.then(reload);
      });
    },

    async serve(address, serveOptions = {}) {
      const { serveApi } = require('./api/serve') as typeof import('./api/serve');
      const apiLogger = logger.child({ component: 'api' });
      const serving = serveApi({
        address,
        env: options.env,
        logger: serveOptions.quiet ? quiet(apiLogger) : apiLogger,
        version: options.version,
        startedAt,
        status: () => current!.runner.status(),
        ready: () => isReady(current!.runner.status()),
        rotate: () => current!.runner.rotateNow(),
        containerUsage: options.containerUsage,
      });
      apis.push(serving.catch(() => undefined));
      return (await serving).address;
    },

    readPaths() {
      return agentReadPaths(current?.policies ?? [], policyFiles, options);
    },

    async close() {
      cancelReady();
      await policyWatch?.close();
      await reloading;
      await stopRotating();
      if (current) await closeParts(current);
      await Promise.all(apis.splice(0).map(async (api) => (await api)?.close()));
    },
  };
}

/** A logger whose info lines go to debug. */
function quiet(logger: Logger): Logger {
  return { ...logger, info: logger.debug, child: (bindings) => quiet(logger.child(bindings)) };
}

function agentReadPaths(policies: readonly Policy[], policyFiles: readonly string[], options: AgentServiceOptions): string[] {
  const paths = new Set<string>();
  // The path as given and, through any symlink, the file itself.
  const add = (file: string | undefined) => {
    if (!file) return;
    const absolute = path.resolve(options.cwd, file);
    paths.add(absolute);
    try {
      paths.add(realpathSync(absolute));
    } catch {
      // Not there (yet): the path as given is all there is to hide.
    }
  };
  policyFiles.forEach(add);
  add(options.passphraseFile);
  add(options.env.HUSH_STORE_IDENTITY);
  for (const policy of policies) {
    for (const source of Object.values(policy.sources)) {
      if (source.type === 'file') add(source.path ?? options.defaultStore);
      else if (source.auth.method === 'token') add(source.auth.token_file);
      else if (source.auth.method === 'approle') {
        add(source.auth.role_id_file);
        add(source.auth.secret_id_file);
      } else {
        const { defaultJwtFile } = require('./sources/vault/auth/kubernetes') as typeof import('./sources/vault/auth/kubernetes');
        add(source.auth.jwt_file ?? defaultJwtFile);
      }
    }
  }
  return [...paths];
}
