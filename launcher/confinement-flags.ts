// Pure: `hush run`'s confinement flags (--cap-add, --cap-drop, --seccomp, -t/--tty) → the
// options app-confinement.ts resolves. container-spec.ts adds them to its flag table.

import type { ConfinementOptions } from './app-confinement';
import { parseCapabilityName } from './capabilities';
import { single, UsageError, type ParsedFlags } from './flags';

export const confinementValueFlags = { 'cap-add': true, 'cap-drop': true, seccomp: false } as const;
export const confinementBooleanFlags = ['tty'] as const;

/** `-t` is `--tty` (before `--` only). */
export function expandTtyShortFlag(args: readonly string[]): string[] {
  const end = args.indexOf('--');
  return args.map((arg, i) => (arg === '-t' && (end === -1 || i < end) ? '--tty' : arg));
}

export function parseConfinementFlags(flags: ParsedFlags, uid: number): ConfinementOptions {
  const seccomp = single(flags, 'seccomp') ?? 'default';
  if (seccomp === '' || seccomp.includes('\0')) throw new UsageError("--seccomp must be 'default', 'unconfined' or a profile file");
  return {
    uid,
    capAdd: (flags.values.get('cap-add') ?? []).map((name) => parseCapabilityName('--cap-add', name)),
    capDrop: (flags.values.get('cap-drop') ?? []).map((name) => parseCapabilityName('--cap-drop', name)),
    seccomp,
    tty: flags.booleans.has('tty'),
  };
}

export const confinementUsage = `
  --cap-add CAP        add a capability (Docker's names: NET_RAW, CAP_SYS_PTRACE, ALL; repeatable)
  --cap-drop CAP       drop a capability, or ALL (repeatable; default set: podman's)
  --seccomp PROFILE    default, unconfined, or a Docker/OCI JSON profile file
  -t, --tty            a pseudo-terminal of the container's own, relayed by hush`;
