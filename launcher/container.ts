// A running container as the launcher sees it: its exit, signals to its PID 1 through the
// pidfd (no pid-reuse race), and restarts of the app by our init.

import { initPath, native, type ExitStatus, type SpawnSpec, type ControlEvent } from '../native';

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

export function startContainer(spec: SpawnSpec): RunningContainer {
  const addon = native();
  const spawned = addon.spawn(spec.init ? { ...spec, initPath: initPath() } : spec);
  let done = false;
  const pendingRestarts: { resolve: () => void; reject: (err: Error) => void }[] = [];

  const exited = new Promise<ExitStatus>((resolve) => {
    addon.onExit(spawned.pidfd, (status) => {
      done = true;
      addon.closeFd(spawned.pidfd);
      if (spawned.controlFd >= 0) addon.closeFd(spawned.controlFd);
      for (const waiter of pendingRestarts.splice(0)) waiter.reject(new Error('the container exited during a restart'));
      resolve(status);
    });
  });

  if (spawned.controlFd >= 0) {
    addon.watchControl(spawned.controlFd, (event: ControlEvent) => {
      const waiter = pendingRestarts.shift();
      if (!waiter) return;
      if (event.type === 'ready') waiter.resolve();
      else waiter.reject(event.error ?? new Error('the container init closed its channel'));
    });
  }

  return {
    pid: spawned.pid,
    pty: spawned.ptyFd >= 0 ? { readFd: spawned.ptyFd, writeFd: spawned.ptyWriteFd } : undefined,
    exited,
    signal: (signo) => !done && addon.signal(spawned.pidfd, signo),
    restart(env, stopSignal, timeoutMs) {
      if (spawned.controlFd < 0) return Promise.reject(new Error('restart needs our init (it was started with --no-init)'));
      if (done) return Promise.reject(new Error('the container has exited'));
      return new Promise<void>((resolve, reject) => {
        pendingRestarts.push({ resolve, reject });
        addon.restart(spawned.controlFd, env, stopSignal, timeoutMs);
      });
    },
  };
}

/** The launcher's exit status for a container's: the code, or 128+N for a signal N. */
export function exitCodeOf(status: ExitStatus): number {
  if (status.code !== undefined) return status.code;
  if (status.signal !== undefined) return 128 + status.signal;
  return 125;
}
