// `hush run [options] -- CMD`: secrets tmpfs → agent's first render → container → forward
// signals → exit with the app's status. The agent is agent/service.ts, the same one `hush agent`
// runs, with the container as its on_change target. A run without policies loads neither the
// agent nor its libraries.

import { readSync, openSync, closeSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { appSignals } from '../../agent/core/signals';
import type { AppHandle } from '../../agent/on-change';
import { createLogger } from '../../agent/log';
import { createNotifier } from '../../agent/sd-notify';
import type { AgentService } from '../../agent/service';
import { exitCodeOf, spawnRootless, startContainer, startFailure, type PendingContainer, type RunningContainer } from '../container';
import { cgroupSpawnFields, outOfMemoryLine, setUpRunCgroup } from '../cgroups/run-cgroup';
import type { ContainerCgroup } from '../cgroups/container-cgroup';
import { readCgroupUsage } from '../cgroups/usage';
import { buildConfinement, type ConfinementSpec } from '../confinement';
import { appEnv, containerSpec, parseRunArgs, runUsage, secretsTmpfsSize, type RunOptions } from '../container-spec';
import { errorStatus, exitStatus } from '../errors';
import { UsageError } from '../flags';
import { writeLiteralSecrets } from '../literal-secrets';
import { runTiming } from '../run-timing';
import { adoptSecretsTmpfs, createSecretsTmpfs, type SecretsTmpfs } from '../secrets-tmpfs';
import { initialWindowSize, startTtyRelay } from '../tty-relay';
import { native, type NativeError } from '../../native';
import type { CommandMain } from './types';

/** 12 hex digits from the kernel's random source (node:crypto would cost start-up time). */
function containerId(): string {
  const bytes = Buffer.alloc(6);
  const fd = openSync('/dev/urandom', 'r');
  try {
    readSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
  return bytes.toString('hex');
}

export const main: CommandMain = async (args, io) => {
  const timing = runTiming(io.env);
  let options: RunOptions;
  const id = containerId();
  try {
    options = parseRunArgs(args, io.env, id);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`hush: run: ${err.message}\n`);
    return exitStatus.runFailed;
  }
  if (args.includes('--help') && options.argv.length === 0) {
    io.stdout.write(runUsage + '\n');
    return 0;
  }
  if (options.listen !== undefined && options.policies.length === 0) {
    io.stderr.write('hush: run: --listen serves the agent, which runs only with --policy\n');
    return exitStatus.runFailed;
  }
  // --image: the overlay root and the image's config (launcher/images/run-image.ts).
  let imageRoot: import('../images/image-root').ImageRoot | undefined;
  if (options.imageRun) {
    const imageRef = options.imageRun.ref;
    const { applyImage } = require('../images/run-image') as typeof import('../images/run-image');
    const { isImageError } = require('../images/errors') as typeof import('../images/errors');
    try {
      ({ options, root: imageRoot } = await applyImage(options, io));
    } catch (err) {
      if (err instanceof Error && err.name === 'VolumeError') {
        io.stderr.write(`hush: run: ${err.message}\n`);
        return exitStatus.runFailed;
      }
      if (!isImageError(err)) throw err;
      io.stderr.write(`hush: run: image ${imageRef}: ${err.message}\n`);
      return exitStatus.runFailed;
    }
  }
  let volumes: import('../volumes').OpenedVolumes | undefined;
  if (options.volumes.length > 0) {
    const { openVolumes } = require('../volumes') as typeof import('../volumes');
    try {
      volumes = openVolumes(options.volumes);
    } catch (err) {
      imageRoot?.close();
      io.stderr.write(`hush: run: ${(err as Error).message}\n`);
      return exitStatus.runFailed;
    }
  }

  // Built before any secret is fetched (and once an image's user is known): a profile that
  // cannot be compiled fails fast, closed.
  let confinement: ConfinementSpec;
  try {
    const log = createLogger({}, { component: 'run' });
    confinement = buildConfinement(options.confinement, io.env, (message) => log.debug(message));
  } catch (err) {
    imageRoot?.close();
    volumes?.close();
    io.stderr.write(`hush: run: ${(err as Error).message}\n`);
    return exitStatus.runFailed;
  }
  // Rootless (docs/rootless.md): the container gets a user namespace; its child makes the tmpfs.
  const rootless = process.geteuid!() !== 0;
  if (rootless) {
    const { rootlessRefusal, swapIsOn } = require('../rootless/rootless-run') as typeof import('../rootless/rootless-run');
    const refusal = rootlessRefusal(options);
    const swap = swapIsOn();
    if (refusal || (swap && options.requireNoswap)) {
      imageRoot?.close();
      volumes?.close();
      io.stderr.write(`hush: run: ${refusal ?? 'swap is on, and a rootless secrets tmpfs cannot be noswap (--require-noswap)'}\n`);
      return exitStatus.runFailed;
    }
    if (swap) io.stderr.write('hush: run: warning: swap is on, and a rootless secrets tmpfs cannot be noswap: secrets could reach swap (--require-noswap refuses)\n');
  }
  // systemd (sd_notify): READY=1 once every secret is rendered and the app has exec'd,
  // RELOADING=1/READY=1 around a policy reload, STOPPING=1; nothing without NOTIFY_SOCKET.
  const notifier = createNotifier({ env: io.env, warn: (message) => io.stderr.write(`hush: run: ${message}\n`) });
  let container: RunningContainer | undefined;
  const signals = forwardSignals(() => container);
  let tmpfs: SecretsTmpfs | undefined;
  let service: AgentService | undefined;
  let cgroup: ContainerCgroup | undefined;
  let pending: PendingContainer | undefined;
  const owner = rootless ? { uid: process.getuid!(), gid: process.getgid!() } : { uid: options.uid, gid: options.gid };
  const closeAll = async () => {
    signals.stop();
    await service?.close();
    tmpfs?.close();
    imageRoot?.close();
    volumes?.close();
    cgroup?.remove();
    if (pending && !container) pending.abort();
  };
  try {
    const window = confinement.tty ? initialWindowSize(process.stdout) : undefined;
    if (rootless) {
      // No cgroup: rootlessRefusal refused asked-for limits; the default pids limit is skipped.
      if (io.env.HUSH_LOG_LEVEL === 'debug') io.stderr.write('hush: debug cgroup: rootless: no delegated cgroup v2 subtree; the default pids limit is skipped\n');
      const { rootlessIdMaps, usernsSpec } = require('../rootless/rootless-run') as typeof import('../rootless/rootless-run');
      const plan = rootlessIdMaps(io.env);
      if (io.env.HUSH_LOG_LEVEL === 'debug' || plan.size === 1) io.stderr.write(`hush: run: ${plan.note}\n`);
      pending = spawnRootless({ ...containerSpec(options, { secretsFd: -1, confinement, window }), userns: usernsSpec(plan, options) });
      if (pending.secretsFd < 0) await pending.start([], []); // the child failed: this throws why
    } else cgroup = setUpRunCgroup(options.limits, id, io.env, io.stderr);
    const makeTmpfs = (files: number): string => {
      tmpfs = pending
        ? adoptSecretsTmpfs(pending.secretsFd, pending.secretsNoswap)
        : createSecretsTmpfs({ sizeBytes: secretsTmpfsSize(files + options.literalSecrets.size), uid: options.uid, gid: options.gid });
      writeLiteralSecrets(tmpfs.root, options.literalSecrets, owner.uid, owner.gid);
      return tmpfs.root;
    };
    let policyEnv: Record<string, string> = {};
    let agentPaths: string[] = [];
    if (options.policies.length === 0) makeTmpfs(0);
    else {
      const { createAgentService } = require('../../agent/service') as typeof import('../../agent/service');
      service = await createAgentService({
        policyFiles: options.policies,
        cwd: io.cwd,
        env: io.env,
        out: (policies) => makeTmpfs(policies.reduce((n, p) => n + p.secrets.length, 0)),
        uid: owner.uid,
        gid: owner.gid,
        defaultStore: options.store,
        app: () => container && appHandle(container, options),
        version: require('../version').hushVersion(),
        notifier,
        containerUsage: () => (cgroup ? readCgroupUsage(cgroup) : undefined),
      });
      const started = await service.start();
      if (!started.ok) {
        for (const error of started.errors) io.stderr.write(`hush: ${error}\n`);
        await closeAll();
        return exitStatus.runFailed;
      }
      policyEnv = started.env;
      const { hushRuntimeDir } = require('../../agent/runtime-dir') as typeof import('../../agent/runtime-dir');
      agentPaths = [...service.readPaths(), hushRuntimeDir(io.env)];
      if (options.listen !== undefined) await service.serve(options.listen);
    }
    const spawned = timing.spawn();
    const spec = containerSpec(options, { secretsFd: tmpfs!.fd, policyEnv, agentPaths, confinement, window });
    container = pending
      ? await pending.start(spec.env, spec.maskPaths)
      : await startContainer({ ...spec, ...cgroupSpawnFields(cgroup), rootfsFd: imageRoot?.fd, volumes: volumes?.mounts });
    cgroup?.closeFds();
    imageRoot?.close();
    volumes?.close();
    spawned();
  } catch (err) {
    await closeAll();
    const failure = startFailure(err as NativeError);
    io.stderr.write(`hush: ${service ? service.redact(failure.message) : failure.message}\n`);
    return errorStatus('run', failure);
  }
  timing.report(io.stderr);
  signals.flush();
  notifier.ready(`running ${options.argv[0]}`);
  const pty = container.pty;
  const relay = pty
    ? startTtyRelay({ ...pty, stdin: process.stdin, stdout: process.stdout, setWindowSize: (columns, rows) => native().setWindowSize(pty.readFd, columns, rows) })
    : undefined;

  let apiStarting: Promise<unknown> = Promise.resolve();
  if (service) {
    // Without --listen, a run with policies serves its API on a socket of its own, named after
    // the container, once the app is running (the app never waits for it).
    if (options.listen === undefined) {
      const { hushRuntimeDir } = require('../../agent/runtime-dir') as typeof import('../../agent/runtime-dir');
      const { removeStaleRunSockets } = require('../../agent/api/listen') as typeof import('../../agent/api/listen');
      const dir = hushRuntimeDir(io.env);
      const api = service;
      apiStarting = removeStaleRunSockets(dir, api.logger)
        .then(() => api.serve(`unix:${dir}/run-${options.hostname}.sock`, { quiet: true }))
        .catch((err: Error) => api.logger.warn('the agent API could not start', { error: err.message }));
    }
    service.run();
  }
  const status = await container.exited;
  notifier.stopping(`the app exited with ${exitCodeOf(status)}; cleaning up`);
  await relay?.drained;
  relay?.close();
  const code = exitCodeOf(status);
  const outOfMemory = cgroup && outOfMemoryLine(cgroup, code);
  await apiStarting;
  await closeAll();
  if (outOfMemory) io.stderr.write(outOfMemory);
  return code;
};

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
