// `hush run`'s wiring of the app's confinement: the addon, the compiled-filter cache and the
// logger for resolveConfinement, and the pty relay for -t. run.ts calls these two functions.

import { createLogger } from '../agent/log';
import { native } from '../native';
import { resolveConfinement, type ConfinementOptions, type ConfinementSpec } from './app-confinement';
import { compiledSeccomp, seccompCacheDir } from './seccomp-cache';
import { initialWindowSize, startTtyRelay, type TtyRelay } from './tty-relay';

/** The spawn spec's confinement fields (with -t, the pty's first window size too). */
export type RunConfinement = ConfinementSpec & { ttyColumns?: number; ttyRows?: number };

/** Throws a one-line error (exit 125) when the confinement cannot be built. */
export function confinementForRun(options: ConfinementOptions, env: NodeJS.ProcessEnv): RunConfinement {
  const addon = native();
  const debug = createLogger({}, { component: 'run' }).debug;
  const spec = resolveConfinement(options, {
    landlockAbi: addon.landlockAbi(),
    compile: (program) => compiledSeccomp(program, addon, seccompCacheDir(env)),
    debug: (message) => debug(message),
  });
  if (!spec.tty) return spec;
  const size = initialWindowSize(process.stdout);
  return { ...spec, ttyColumns: size.columns, ttyRows: size.rows };
}

/** With -t: relays the caller's terminal to the container's pty until the relay is closed. */
export function relayContainerTty(pty: { readFd: number; writeFd: number } | undefined): TtyRelay | undefined {
  if (!pty) return undefined;
  const addon = native();
  return startTtyRelay({ ...pty, stdin: process.stdin, stdout: process.stdout, setWindowSize: (c, r) => addon.setWindowSize(pty.readFd, c, r) });
}
