// The launcher's error registry, in the style of agent/errors.ts (whose HushError and
// defineError it uses), and the one table from outcome to exit status. Commands throw these
// or return a status from the table; launcher/cli.ts prints one `hush: COMMAND: ...` line per
// message line and exits through `errorStatus`. docs/errors.md lists every code;
// test/unit/errors-registry.test.ts keeps the two in step.

import { defineError, HushError, type ErrorDefinition } from '../agent/errors';
import { cgroupErrors } from './cgroups/errors';
import { imageErrors } from './images/errors';

/** A bad command line: unknown option, missing value, flag given twice, unexpected argument. */
export class UsageError extends HushError<'HUSH_ERR_CLI_USAGE'> {
  override readonly name = 'UsageError';

  constructor(message: string, options?: { cause?: unknown }) {
    super('HUSH_ERR_CLI_USAGE', message, options);
  }
}

const usageError: ErrorDefinition<[what: string], 'HUSH_ERR_CLI_USAGE'> = Object.assign((what: string) => new UsageError(what), {
  code: 'HUSH_ERR_CLI_USAGE' as const,
  withCause: (cause: unknown, what: string) => new UsageError(what, { cause }),
  is: (err: unknown): err is UsageError => err instanceof UsageError,
});

const e = defineError;

/** The command line and the terminal. */
export const cliErrors = Object.freeze({
  HUSH_ERR_CLI_USAGE: usageError,
  HUSH_ERR_CLI_PROMPT: e('HUSH_ERR_CLI_PROMPT', (what: string) => what),
  HUSH_ERR_CLI_READ_FILE: e('HUSH_ERR_CLI_READ_FILE', (file: string, code: string) => `${file}: cannot read (${code})`),
  HUSH_ERR_CLI_CREATE_FILE: e('HUSH_ERR_CLI_CREATE_FILE', (file: string, code: string) =>
    `${file}: cannot create (${code}); it must not exist yet`),
});

/** `hush run`: the container and the app in it. */
export const runErrors = Object.freeze({
  HUSH_ERR_RUN_SETUP: e('HUSH_ERR_RUN_SETUP', (what: string) => what),
  HUSH_ERR_RUN_NOT_FOUND: e('HUSH_ERR_RUN_NOT_FOUND', (command: string) => `cannot run '${command}': not found`),
  HUSH_ERR_RUN_CANNOT_EXECUTE: e('HUSH_ERR_RUN_CANNOT_EXECUTE', (command: string, reason: string) =>
    `cannot run '${command}': ${reason}`),
  HUSH_ERR_RUN_RESTART: e('HUSH_ERR_RUN_RESTART', (why: string) => `cannot restart the app: ${why}`),
  HUSH_ERR_RUN_SECCOMP_PROFILE: e('HUSH_ERR_RUN_SECCOMP_PROFILE', (what: string) => what),
  HUSH_ERR_RUN_SECCOMP: e('HUSH_ERR_RUN_SECCOMP', (what: string) => what),
});

/** `hush status`: asking a running agent. */
export const statusErrors = Object.freeze({
  HUSH_ERR_STATUS_UNREACHABLE: e('HUSH_ERR_STATUS_UNREACHABLE', (socket: string, code: string) =>
    `cannot reach an agent at ${socket} (${code})`),
  HUSH_ERR_STATUS_HTTP: e('HUSH_ERR_STATUS_HTTP', (socket: string, status: number) => `the agent at ${socket} answered HTTP ${status}`),
  HUSH_ERR_STATUS_BAD_REPLY: e('HUSH_ERR_STATUS_BAD_REPLY', (socket: string) => `the agent at ${socket} sent a reply that is not JSON`),
});

/** `hush demo`. */
export const demoErrors = Object.freeze({
  HUSH_ERR_DEMO_MISSING_FILE: e('HUSH_ERR_DEMO_MISSING_FILE', (file: string) =>
    `cannot find the demo's ${file} (is hush built? run 'npm run build')`),
});

/** Every area, by name: the registry test counts codes across them to catch a duplicate. */
export const launcherErrorAreas = { cli: cliErrors, run: runErrors, status: statusErrors, demo: demoErrors, image: imageErrors, cgroup: cgroupErrors } as const;

export const launcherErrors = Object.freeze({ ...cliErrors, ...runErrors, ...statusErrors, ...demoErrors, ...imageErrors, ...cgroupErrors });

export type LauncherErrorCode = keyof typeof launcherErrors;

/**
 * Outcome → exit status (SPEC.md). `hush run` passes the app's status through, 128+N when the
 * app died of signal N, and uses 125/126/127 for its own failures as docker does; every other
 * command exits 0, 1 when its work failed, or 2 on a usage error (POSIX).
 */
export const exitStatus = Object.freeze({
  ok: 0,
  failed: 1,
  usage: 2,
  runFailed: 125,
  cannotExecute: 126,
  notFound: 127,
  signalBase: 128,
});

/** The exit status for an error that ended `command` (the name after `hush`, if any). */
export function errorStatus(command: string | undefined, err: unknown): number {
  if (command === 'run') {
    if (runErrors.HUSH_ERR_RUN_CANNOT_EXECUTE.is(err)) return exitStatus.cannotExecute;
    if (runErrors.HUSH_ERR_RUN_NOT_FOUND.is(err)) return exitStatus.notFound;
    return exitStatus.runFailed;
  }
  return err instanceof UsageError ? exitStatus.usage : exitStatus.failed;
}
