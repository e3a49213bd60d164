// A running container as the launcher sees it: its start (resolved once the app has exec'd),
// its exit, signals to its PID 1 through the pidfd (no pid-reuse race), and restarts of the
// app by our init.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HushError } from '../agent/errors';
import { runErrors } from './errors';
import { maskPattern } from './hardening';
import { initPath, native, type ExitStatus, type SpawnSpec, type SpawnedContainer, type ControlEvent, type NativeError } from '../native';

export interface RunningContainer {
  readonly pid: number;
  /** With `tty`: the pty master, for reading and (a duplicate) for writing. */
  readonly pty: { readFd: number; writeFd: number } | undefined;
  /** Resolves once, when the container's PID 1 has exited (and been reaped). */
  readonly exited: Promise<ExitStatus>;
  signal(signo: number): boolean;
  /** Stops the app (stopSignal, then SIGKILL after timeoutMs) and starts it again with env. */
  restart(env: string[], stopSignal: number, timeoutMs: number): Promise<void>;
}

const SIGKILL = 9;
/** An exec stuck on a hung filesystem must not leave `hush run` waiting forever. */
const startTimeoutMs = 30_000;

/**
 * Starts the container. Resolves once the app has exec'd; rejects with the NativeError of the
 * failed step (`setup: true`) once the container is gone. The event loop is never held: the
 * verdict is read from the error channel as libuv reports it readable.
 */
export function startContainer(spec: SpawnSpec): Promise<RunningContainer> {
  const addon = native();
  const resolved = { ...spec, maskPaths: expandMasks(spec.rootfs, spec.maskPaths) };
  const spawned = addon.spawn(spec.init ? { ...resolved, initPath: initPath() } : resolved);
  return superviseContainer(spec, spawned).started;
}

/** A rootless container whose child waits, its secrets tmpfs made, for the first render. */
export interface PendingContainer {
  /** The tmpfs the child made in its namespaces, or -1 when it failed first (start() says why). */
  readonly secretsFd: number;
  readonly secretsNoswap: boolean;
  /** Waits for the id maps (newuidmap/newgidmap run on after the spawn): before the first write into secretsFd. */
  mapped(): void;
  /** Lets the child go on with the app's final environment and masks. */
  start(env: string[], maskPaths: string[]): Promise<RunningContainer>;
  /** Kills a child that will never be started (the first render failed). */
  abort(): void;
}

/**
 * Spawns a rootless container (spec.userns) up to its sync point (native/src/userns.c). Its
 * start timeout runs from start(), not while the agent renders.
 */
export function spawnRootless(spec: SpawnSpec): PendingContainer {
  const addon = native();
  const spawned = addon.spawn(spec.init ? { ...spec, initPath: initPath() } : spec);
  const supervised = superviseContainer(spec, spawned, false);
  let released = false;
  let mapped = false;
  return {
    secretsFd: spawned.secretsFd,
    secretsNoswap: spawned.secretsNoswap,
    mapped() {
      if (!released && !mapped) addon.rootlessMapped(spawned.syncFd);
      mapped = true;
    },
    start(env, maskPaths) {
      if (!released && spawned.secretsFd >= 0) {
        released = true;
        const final = { ...spec, env, maskPaths: expandMasks(spec.rootfs, maskPaths) };
        const pty = addon.releaseContainer(spawned.syncFd, spawned.channelFd, final);
        spawned.ptyFd = pty.ptyFd;
        spawned.ptyWriteFd = pty.ptyWriteFd;
      }
      supervised.armTimeout();
      return supervised.started;
    },
    abort() {
      try {
        addon.signal(spawned.pidfd, SIGKILL);
      } catch {
        // already exited and reaped
      }
      if (!released && spawned.syncFd >= 0) addon.abortContainer(spawned.syncFd);
      released = true;
      supervised.started.catch(() => {});
    },
  };
}

function superviseContainer(spec: SpawnSpec, spawned: SpawnedContainer, timeoutNow = true) {
  const addon = native();
  let done = false;
  let channelOpen = true;
  let verdict: ((failure: NativeError | undefined) => void) | undefined;
  const started = new Promise<NativeError | undefined>((resolve) => (verdict = resolve));
  let timeout: NodeJS.Timeout | undefined;
  const armTimeout = () => {
    timeout ??= setTimeout(() => {
      const decide = verdict;
      verdict = undefined;
      if (!done) addon.signal(spawned.pidfd, SIGKILL);
      decide?.(startTimedOut(spec.argv[0]));
    }, startTimeoutMs);
  };
  if (timeoutNow) armTimeout();
  const pendingRestarts: { resolve: () => void; reject: (err: Error) => void }[] = [];

  const exited = new Promise<ExitStatus>((resolve) => {
    addon.onExit(spawned.pidfd, (status) => {
      done = true;
      addon.closeFd(spawned.pidfd);
      for (const waiter of pendingRestarts.splice(0)) waiter.reject(runErrors.HUSH_ERR_RUN_RESTART('the container exited during it'));
      resolve(status);
    });
  });

  addon.watchChannel(spawned.channelFd, (event: ControlEvent) => {
    if (event.type === 'closed') channelOpen = false;
    if (verdict) {
      const decide = verdict;
      verdict = undefined;
      clearTimeout(timeout);
      if (event.type === 'ready' || (event.type === 'closed' && !spec.init)) return decide(undefined);
      if (!done) addon.signal(spawned.pidfd, SIGKILL);
      return decide(event.error ?? initDied());
    }
    const waiter = pendingRestarts.shift();
    if (!waiter) return;
    if (event.type === 'ready') waiter.resolve();
    else waiter.reject(event.error ?? runErrors.HUSH_ERR_RUN_RESTART('the container init closed its channel'));
  });

  const container: RunningContainer = {
    pid: spawned.pid,
    get pty() {
      return spawned.ptyFd >= 0 ? { readFd: spawned.ptyFd, writeFd: spawned.ptyWriteFd } : undefined;
    },
    exited,
    signal: (signo) => !done && addon.signal(spawned.pidfd, signo),
    restart(env, stopSignal, timeoutMs) {
      if (!spec.init) return Promise.reject(runErrors.HUSH_ERR_RUN_RESTART('it needs our init (the run has --no-init)'));
      if (done || !channelOpen) return Promise.reject(runErrors.HUSH_ERR_RUN_RESTART('the container has exited'));
      return new Promise<void>((resolve, reject) => {
        pendingRestarts.push({ resolve, reject });
        addon.restart(spawned.channelFd, env, stopSignal, timeoutMs);
      });
    },
  };
  const result = started.then(async (failure) => {
    if (!failure) return container;
    await exited; // reaped before the caller reports the failure
    throw failure;
  });
  return { started: result, armTimeout };
}

/**
 * Masks with a `*` in their last component, matched against the root's directory now (the
 * root is read-only to the container, so what is there now is what it will see).
 */
export function expandMasks(rootfs: string, masks: readonly string[]): string[] {
  return masks.flatMap((mask) => {
    if (!mask.includes('*')) return [mask];
    const dir = path.posix.dirname(mask);
    const pattern = maskPattern(mask);
    let names: string[];
    try {
      names = fs.readdirSync(path.join(rootfs, dir));
    } catch {
      return []; // nothing there to hide
    }
    return names.map((name) => path.posix.join(dir, name)).filter((candidate) => pattern.test(candidate));
  });
}

function startTimedOut(command: string): NativeError {
  const message = `start: ETIMEDOUT (${command} had not started after ${startTimeoutMs / 1000} s)`;
  return Object.assign(new Error(message), { code: 'ETIMEDOUT', errno: 110, syscall: 'start', path: command, setup: true });
}

function initDied(): NativeError {
  return Object.assign(new Error('init: EPIPE'), { code: 'EPIPE', errno: 32, syscall: 'init', setup: true });
}

/** The launcher's exit status for a container's: the code, or 128+N for a signal N. */
export function exitCodeOf(status: ExitStatus): number {
  if (status.code !== undefined) return status.code;
  if (status.signal !== undefined) return 128 + status.signal;
  return 125;
}

const execFailure = (err: NativeError) => err.setup === true && err.syscall === 'exec' && err.path !== 'hush-init';

const execReasons: Record<string, string> = {
  EACCES: 'permission denied',
  ENOEXEC: 'exec format error',
  EISDIR: 'is a directory',
  ENOTDIR: 'a path component is not a directory',
  ETXTBSY: 'text file busy',
  E2BIG: 'argument list too long',
};

/**
 * A failed start as the launcher's registry names it, with the native error as its cause:
 * the command not found (exit 127) or not executable (126), as docker and tini report them,
 * or a setup step (125). The message is the one line `hush run` prints after "hush: ".
 */
export function startFailure(err: NativeError): HushError {
  if (execFailure(err)) {
    if (err.code === 'ENOENT') return runErrors.HUSH_ERR_RUN_NOT_FOUND.withCause(err, err.path!);
    return runErrors.HUSH_ERR_RUN_CANNOT_EXECUTE.withCause(err, err.path!, execReasons[err.code] ?? err.code);
  }
  return runErrors.HUSH_ERR_RUN_SETUP.withCause(err, setupLine(err));
}

function setupLine(err: NativeError): string {
  if (err.setup && err.code === 'EROFS' && (err.syscall === 'mount' || err.syscall === 'mkdir')) {
    return `container setup failed: ${err.path} does not exist, and the root is read-only: create it, or put it under /tmp or /run`;
  }
  if (err.syscall === 'rootfs' && err.code === 'EEXIST') {
    return `run: --rootfs ${err.path} is the host's /: leave --rootfs out, so that the host root gets its masks`;
  }
  if (err.syscall === 'secrets-dir') {
    return `run: --secrets-dir resolves to '${err.path}' inside the root: it would cover / or lie in /proc, /sys or /dev`;
  }
  return `${err.setup ? 'container setup failed' : 'run'}: ${err.message}`;
}
