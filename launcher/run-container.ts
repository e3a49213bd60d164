// One `hush run`, from its parsed options to the app's exit status: the image root and volumes,
// the confinement, the cgroup, the secrets tmpfs and the agent's first render (agent/service.ts,
// the same agent `hush agent` runs, with the container as its on_change target), the container,
// then signals, the pty, the API and systemd's notifications until the app exits. A run without
// policies loads neither the agent nor its libraries.

import { constants as osConstants } from 'node:os';
import { appSignals } from '../agent/core/signals';
import { createLogger } from '../agent/log';
import type { AppHandle } from '../agent/on-change';
import { createNotifier } from '../agent/sd-notify';
import type { AgentService } from '../agent/service';
import { native, type NativeError } from '../native';
import { cgroupSpawnFields, outOfMemoryLine, setUpRunCgroup } from './cgroups/run-cgroup';
import type { CommandIO } from './commands/types';
import { buildConfinement } from './confinement';
import { exitCodeOf, spawnRootless, startContainer, startFailure, type PendingContainer, type RunningContainer } from './container';
import { appEnv, containerSpec, secretsTmpfsSize, type RunOptions } from './container-spec';
import { errorStatus, exitStatus } from './errors';
import { writeLiteralSecrets } from './literal-secrets';
import type { IdMapPlan } from './rootless/id-maps';
import type { Idmap } from './rootless/userns-auto';
import type { RunTiming } from './run-timing';
import { adoptSecretsTmpfs, createSecretsTmpfs, type SecretsTmpfs } from './secrets-tmpfs';
import { initialWindowSize, startTtyRelay } from './tty-relay';

/** A failure before the app started: one line on stderr, exit 125. */
class RunRefused extends Error {}

export async function runContainer(given: RunOptions, id: string, io: CommandIO, timing: RunTiming): Promise<number> {
  const owned = new Owned();
  try {
    return await run(given, id, io, timing, owned);
  } catch (err) {
    if (!(err instanceof RunRefused)) throw err;
    io.stderr.write(`hush: ${err.message}\n`);
    return exitStatus.runFailed;
  } finally {
    await owned.closeAll();
  }
}

async function run(given: RunOptions, id: string, io: CommandIO, timing: RunTiming, owned: Owned): Promise<number> {
  // Rootless (docs/rootless.md): the container gets a user namespace; its child makes the tmpfs.
  const rootless = process.geteuid!() !== 0;
  // --userns auto as root (docs/userns.md): an unprivileged range; volumes and layers idmapped.
  const idmapNeeded = given.volumes.length > 0 || given.imageRun !== undefined || !given.hostRoot;
  const usernsAuto = !rootless && given.userns === 'auto' ? (require('./rootless/userns-auto') as typeof import('./rootless/userns-auto')) : undefined;
  const autoUserns = usernsAuto && refusing(() => usernsAuto.openUsernsAuto(io.env, idmapNeeded));
  owned.add(() => autoUserns?.close());
  const { options, imageRoot } = await withImage(given, io, autoUserns?.idmap);
  owned.add(() => imageRoot?.close());
  // Rootless: the child also mounts the volumes and an image's root itself.
  const plan = rootless ? checkRootless(options, io) : undefined;
  const volumes = rootless ? undefined : refusing(() => openVolumes(options, autoUserns?.idmap));
  owned.add(() => volumes?.close());
  // --userns auto: the secrets' owner, an idmapped --rootfs, the spawn's user namespace.
  const autoSpawn = usernsAuto && autoUserns && refusing(() => usernsAuto.usernsAutoSpawn(autoUserns, options, imageRoot?.fd));
  owned.add(() => autoSpawn?.close());
  // Built before any secret is fetched (and once an image's user is known): a profile that
  // cannot be compiled fails fast, closed.
  const log = createLogger({}, { component: 'run' });
  const confinement = refusing(() => buildConfinement(options.confinement, io.env, (message) => log.debug(message)));
  if (autoUserns && io.env.HUSH_LOG_LEVEL === 'debug') io.stderr.write(`hush: run: ${autoUserns.plan.note}\n`);
  // systemd (sd_notify): READY=1 once every secret is rendered and the app has exec'd,
  // RELOADING=1/READY=1 around a policy reload, STOPPING=1; nothing without NOTIFY_SOCKET.
  const notifier = createNotifier({ env: io.env, warn: (message) => io.stderr.write(`hush: run: ${message}\n`) });

  let container: RunningContainer | undefined;
  const signals = forwardSignals(() => container);
  owned.add(() => signals.stop());
  // Rootless, only in a delegated cgroup v2 subtree: elsewhere asked-for limits are refused.
  const cgroup = refusing(() => setUpRunCgroup(options.limits, id, io.env, io.stderr, rootless));
  owned.add(() => cgroup?.remove());
  // Closed after the agent, which writes into it until it stops.
  let tmpfs: SecretsTmpfs | undefined;
  owned.add(() => tmpfs?.close());
  // Rootless: the container's child, waiting in its namespaces for the secrets to be rendered.
  let pending: PendingContainer | undefined;
  owned.add(() => (pending && !container ? pending.abort() : undefined));
  // The owner of the secret files, as this process can set it: rootless, the caller (root inside).
  // --userns auto: --user as the namespace maps it to the host.
  const owner = rootless ? { uid: process.getuid!(), gid: process.getgid!() } : (autoSpawn?.owner ?? { uid: options.uid, gid: options.gid });
  const window = confinement.tty ? initialWindowSize(process.stdout) : undefined;
  let service: AgentService | undefined;
  try {
    if (plan) {
      const { usernsSpec } = require('./rootless/rootless-run') as typeof import('./rootless/rootless-run');
      if (io.env.HUSH_LOG_LEVEL === 'debug' || plan.size === 1) io.stderr.write(`hush: run: ${plan.note}\n`);
      pending = spawnRootless({ ...containerSpec(options, { secretsFd: -1, confinement, window }), ...cgroupSpawnFields(cgroup), userns: usernsSpec(plan, options, imageRoot?.userns) });
      if (pending.secretsFd < 0) await pending.start([], []); // the child failed: this throws why
    }
    const makeTmpfs = (files: number): string => {
      pending?.mapped();
      tmpfs = pending
        ? adoptSecretsTmpfs(pending.secretsFd, pending.secretsNoswap)
        : createSecretsTmpfs({ sizeBytes: secretsTmpfsSize(files + options.literalSecrets.size), uid: owner.uid, gid: owner.gid });
      writeLiteralSecrets(tmpfs.root, options.literalSecrets, owner.uid, owner.gid);
      return tmpfs.root;
    };
    let policyEnv: Record<string, string> = {};
    let agentPaths: string[] = [];
    if (options.policies.length === 0) makeTmpfs(0);
    else {
      const { createAgentService } = require('../agent/service') as typeof import('../agent/service');
      const agent = await createAgentService({
        policyFiles: options.policies,
        cwd: io.cwd,
        env: io.env,
        out: (policies) => makeTmpfs(policies.reduce((n, p) => n + p.secrets.length, 0)),
        uid: owner.uid,
        gid: owner.gid,
        defaultStore: options.store,
        app: () => container && appHandle(container, options),
        version: require('./version').hushVersion(),
        notifier,
        containerUsage: () => (cgroup ? (require('./cgroups/usage') as typeof import('./cgroups/usage')).readCgroupUsage(cgroup) : undefined),
      });
      service = agent;
      owned.add(() => agent.close());
      const started = await agent.start();
      if (!started.ok) throw new RunRefused(started.errors.join('\nhush: '));
      policyEnv = started.env;
      const { hushRuntimeDir } = require('../agent/runtime-dir') as typeof import('../agent/runtime-dir');
      agentPaths = [...agent.readPaths(), hushRuntimeDir(io.env)];
      if (options.listen !== undefined) await agent.serve(options.listen);
    }
    const spawned = timing.spawn();
    const spec = containerSpec(options, { secretsFd: tmpfs!.fd, policyEnv, agentPaths, confinement, window });
    try {
      container = pending
        ? await pending.start(spec.env, spec.maskPaths)
        : await startContainer({ ...spec, ...cgroupSpawnFields(cgroup), rootfsFd: imageRoot?.fd, volumes: volumes?.mounts, ...autoSpawn?.fields });
    } finally {
      // Closes its descriptors, then removes the stale cgroups of runs that are gone.
      cgroup?.started();
    }
    spawned();
  } catch (err) {
    if (err instanceof RunRefused) throw err;
    const failure = startFailure(err as NativeError);
    io.stderr.write(`hush: ${service ? service.redact(failure.message) : failure.message}\n`);
    return errorStatus('run', failure);
  }
  // The container holds its own references to the root and the volumes now.
  imageRoot?.close();
  volumes?.close();
  timing.report(io.stderr);
  signals.flush();
  notifier.ready(`running ${options.argv[0]}`);
  const pty = container.pty;
  const relay = pty
    ? startTtyRelay({ ...pty, stdin: process.stdin, stdout: process.stdout, setWindowSize: (columns, rows) => native().setWindowSize(pty.readFd, columns, rows) })
    : undefined;
  owned.add(() => relay?.close());
  if (service) {
    // Without --listen, a run with policies serves its API on a socket of its own, named after
    // the container, once the app is running (the app never waits for it).
    if (options.listen === undefined) {
      const starting = serveDefaultApi(service, options.hostname, io.env);
      owned.add(() => starting);
    }
    service.run();
  }
  const status = await container.exited;
  const code = exitCodeOf(status);
  notifier.stopping(`the app exited with ${code}; cleaning up`);
  await relay?.drained;
  const outOfMemory = cgroup && outOfMemoryLine(cgroup, code);
  if (outOfMemory) io.stderr.write(outOfMemory);
  return code;
}

/** With --image: the image's config applied to the options, and its overlay root. */
async function withImage(options: RunOptions, io: CommandIO, idmap: Idmap | undefined): Promise<{ options: RunOptions; imageRoot?: import('./images/image-root').ImageRoot }> {
  if (!options.imageRun) return { options };
  const { applyImage } = require('./images/run-image') as typeof import('./images/run-image');
  const { isImageError } = require('./images/errors') as typeof import('./images/errors');
  try {
    const applied = await applyImage(options, io, idmap);
    return { options: applied.options, imageRoot: applied.root };
  } catch (err) {
    if (err instanceof Error && err.name === 'VolumeError') throw new RunRefused(`run: ${err.message}`);
    if (isImageError(err)) throw new RunRefused(`run: image ${options.imageRun.ref}: ${err.message}`);
    throw err;
  }
}

/** The rootless id maps; what a rootless run cannot do is refused; with swap on, the secrets could reach it. */
function checkRootless(options: RunOptions, io: CommandIO): IdMapPlan {
  const { rootlessIdMaps, rootlessRefusal, swapIsOn } = require('./rootless/rootless-run') as typeof import('./rootless/rootless-run');
  const plan = rootlessIdMaps(io.env);
  const refusal = rootlessRefusal(options, plan);
  if (refusal) throw new RunRefused(`run: ${refusal}`);
  if (!swapIsOn()) return plan;
  const why = 'swap is on, and a rootless secrets tmpfs cannot be noswap';
  if (options.requireNoswap) throw new RunRefused(`run: ${why} (--require-noswap)`);
  io.stderr.write(`hush: run: warning: ${why}: secrets could reach swap (--require-noswap refuses)\n`);
  return plan;
}

function openVolumes(options: RunOptions, idmap: Idmap | undefined): import('./volumes').OpenedVolumes | undefined {
  if (options.volumes.length === 0) return undefined;
  return (require('./volumes') as typeof import('./volumes')).openVolumes(options.volumes, idmap?.usernsFd);
}

/** Runs a step whose failure is a plain one-line refusal (`hush: run: ...`, exit 125). */
function refusing<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    throw new RunRefused(`run: ${(err as Error).message}`);
  }
}

/** The default API socket, after removing those of killed runs; resolves once it serves (or failed to). */
async function serveDefaultApi(service: AgentService, id: string, env: NodeJS.ProcessEnv): Promise<void> {
  const { hushRuntimeDir } = require('../agent/runtime-dir') as typeof import('../agent/runtime-dir');
  const { removeStaleRunSockets } = require('../agent/api/listen') as typeof import('../agent/api/listen');
  const dir = hushRuntimeDir(env);
  try {
    await removeStaleRunSockets(dir, service.logger);
    await service.serve(`unix:${dir}/run-${id}.sock`, { quiet: true });
  } catch (err) {
    service.logger.warn('the agent API could not start', { error: (err as Error).message });
  }
}

/** What a run holds, closed once, last taken first. */
class Owned {
  private readonly closers: (() => unknown)[] = [];

  add(close: () => unknown): void {
    this.closers.push(close);
  }

  async closeAll(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close();
  }
}

/** The container as on_change sees it: signals and restarts go through our init. */
function appHandle(container: RunningContainer, options: RunOptions): AppHandle {
  return {
    signal: (name) => container.signal(osConstants.signals[name]),
    restart: (policyEnv, timeoutMs) => container.restart(appEnv(options.env, policyEnv), osConstants.signals.SIGTERM, timeoutMs),
  };
}

/** Forwards the app signals to the container; those that arrive before it exists wait for flush(). */
function forwardSignals(container: () => RunningContainer | undefined) {
  const early: number[] = [];
  const handlers = appSignals.map((name) => {
    const signo = osConstants.signals[name];
    const handler = () => {
      const running = container();
      if (running) running.signal(signo);
      else early.push(signo);
    };
    process.on(name, handler);
    return () => process.off(name, handler);
  });
  return {
    flush: () => early.splice(0).forEach((signo) => container()!.signal(signo)),
    stop: () => handlers.forEach((off) => off()),
  };
}
