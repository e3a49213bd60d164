// `hush run [options] -- CMD`: secrets tmpfs → render → container → forward signals → exit
// with the app's status. A run without policies loads neither the agent nor its libraries.

import { readSync, openSync, closeSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { performance } from 'node:perf_hooks';
import { writeLiteralSecrets } from '../literal-secrets';
import { exitCodeOf, startContainer, type RunningContainer } from '../container';
import { parseRunArgs, runUsage, type RunOptions } from '../container-spec';
import { UsageError } from '../flags';
import { createSecretsTmpfs, type SecretsTmpfs } from '../secrets-tmpfs';
import { cgroupSpawnFields, outOfMemoryLine, setUpRunCgroup } from '../cgroups/run-cgroup';
import type { ContainerCgroup } from '../cgroups/container-cgroup';
import type { AgentSession } from '../agent-session';
import type { ServedApi } from '../api-server';
import type { Logger } from '../../agent/log';
import type { NativeError } from '../../native';
import type { CommandMain } from './types';

const forwardedSignals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const;

/**
 * The secrets tmpfs's size limit (a cap, not a reservation: memory is used only by content):
 * 16 MiB, plus two pages per secret file, since tmpfs gives every file at least a page and a
 * replacement briefly holds the old file and the new one.
 */
function secretsTmpfsSize(files: number): number {
  return 16 * 1024 * 1024 + files * 2 * 4096;
}

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
  const mainStartedAt = performance.now();
  let options: RunOptions;
  const id = containerId();
  try {
    options = parseRunArgs(args, io.env, id);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`hush: run: ${err.message}\n`);
    return 125;
  }
  if (args.includes('--help') && options.argv.length === 0) {
    io.stdout.write(runUsage + '\n');
    return 0;
  }
  if (options.listen !== undefined && options.policies.length === 0) {
    io.stderr.write('hush: run: --listen serves the agent, which runs only with --policy\n');
    return 125;
  }

  // Signals that arrive before the container exists are delivered once it does.
  let container: RunningContainer | undefined;
  const early: number[] = [];
  const forward = forwardedSignals.map((name) => {
    const signo = osConstants.signals[name];
    const handler = () => (container ? container.signal(signo) : early.push(signo));
    process.on(name, handler);
    return () => process.off(name, handler);
  });
  const stopForwarding = () => forward.forEach((stop) => stop());

  let tmpfs: SecretsTmpfs | undefined;
  let session: AgentSession | undefined;
  let api: ServedApi | undefined;
  let nativeMs = 0;
  let cgroup: ContainerCgroup | undefined;
  try {
    cgroup = setUpRunCgroup(options.limits, id, io.env, io.stderr);
    const makeTmpfs = (files: number): string => {
      tmpfs = createSecretsTmpfs({ sizeBytes: secretsTmpfsSize(files + options.literalSecrets.size), uid: options.uid, gid: options.gid });
      writeLiteralSecrets(tmpfs.root, options.literalSecrets, options.uid, options.gid);
      return tmpfs.root;
    };
    if (options.policies.length === 0) makeTmpfs(0);
    else {
      const { startAgentSession } = require('../agent-session') as typeof import('../agent-session');
      const started = await startAgentSession({
        policyFiles: options.policies,
        prepareOutDir: (policies) => makeTmpfs(policies.reduce((n, p) => n + p.secrets.length, 0)),
        uid: options.uid,
        gid: options.gid,
        env: io.env,
        cwd: io.cwd,
        defaultStore: options.store,
        baseEnv: options.env,
        container: () => container,
      });
      if (!started.ok) {
        stopForwarding();
        tmpfs?.close();
        cgroup.remove();
        for (const error of started.errors) io.stderr.write(`hush: ${error}\n`);
        return 125;
      }
      session = started.session;
      if (options.listen !== undefined) api = await serveSessionApi(session, options.listen, io.env);
    }
    const spawnStartedAt = performance.now();
    container = startContainer({
      argv: options.argv,
      env: [...new Map([...options.env, ...Object.entries(session?.env ?? {})])].map(([k, v]) => `${k}=${v}`),
      rootfs: options.rootfs,
      hostRoot: options.hostRoot,
      hostname: options.hostname,
      workdir: options.workdir,
      secretsDir: options.secretsDir,
      secretsFd: tmpfs!.fd,
      uid: options.uid,
      gid: options.gid,
      netNone: options.netNone,
      init: options.init,
      ...cgroupSpawnFields(cgroup),
    });
    nativeMs = performance.now() - spawnStartedAt;
    cgroup.started();
  } catch (err) {
    stopForwarding();
    cgroup?.remove();
    await api?.close();
    await session?.close();
    tmpfs?.close();
    const e = err as NativeError;
    io.stderr.write(`hush: ${e.setup ? 'container setup failed' : 'run'}: ${session ? session.redact(e.message) : e.message}\n`);
    return 125;
  }

  if (io.env.HUSH_TIMING) {
    const now = performance.now();
    io.stderr.write(
      `hush: timing: startup_ms=${mainStartedAt.toFixed(2)} setup_ms=${(now - mainStartedAt).toFixed(2)} clone_to_exec_ms=${nativeMs.toFixed(2)}\n`,
    );
  }

  for (const signo of early.splice(0)) container.signal(signo);
  // Without --listen, a run with policies serves its API on a socket of its own, named after
  // the container, once the app is running (the app never waits for it).
  const defaultApi =
    session && !api
      ? serveSessionApi(session, `unix:${runSocketPath(io.env, options.hostname)}`, io.env, 'debug').catch((err: Error) => {
          session?.logger.warn('the agent API could not start', { error: err.message });
          return undefined;
        })
      : undefined;
  const stopAgent = new AbortController();
  const rotating = session?.run(stopAgent.signal);
  const status = await container.exited;
  stopForwarding();
  stopAgent.abort();
  await rotating;
  await api?.close();
  await (await defaultApi)?.close();
  await session?.close();
  tmpfs!.close();
  const code = exitCodeOf(status);
  const outOfMemory = outOfMemoryLine(cgroup, code);
  cgroup.remove();
  if (outOfMemory) io.stderr.write(outOfMemory);
  return code;
};

/** A logger whose info lines go to debug, for the default API that the user did not ask for. */
function quiet(logger: Logger): Logger {
  return { ...logger, info: logger.debug, child: (bindings) => quiet(logger.child(bindings)) };
}

/** `$XDG_RUNTIME_DIR/hush/run-ID.sock`, else `/run/hush/run-ID.sock` (ID: the container's). */
function runSocketPath(env: NodeJS.ProcessEnv, id: string): string {
  return `${env.XDG_RUNTIME_DIR || '/run'}/hush/run-${id}.sock`;
}

async function serveSessionApi(session: AgentSession, address: string, env: NodeJS.ProcessEnv, level: 'info' | 'debug' = 'info'): Promise<ServedApi> {
  const { serveApi } = require('../api-server') as typeof import('../api-server');
  const { isReady } = require('../../agent/runner') as typeof import('../../agent/runner');
  const runner = session.agent.runner;
  const logger = session.logger.child({ component: 'api' });
  return serveApi({
    address,
    env,
    logger: level === 'info' ? logger : quiet(logger),
    startedAt: Date.now(),
    status: () => runner.status(),
    ready: () => isReady(runner.status()),
    rotate: () => runner.rotateNow(),
  });
}
