// What confines the app, for the addon's spawn spec: capabilities (capabilities.ts), the
// seccomp filter (seccomp-profile.ts, default or from a file), Landlock scopes, the pty.

import * as fs from 'node:fs';
import * as os from 'node:os';
import { capabilityNumber, capabilitySets, type CapabilityName } from './capabilities';
import { defaultSeccompProfile } from './seccomp-default';
import { parseSeccompProfile } from './seccomp-profile-parse';
import { resolveSeccompProfile, SeccompProfileError, type ResolvedSeccomp } from './seccomp-profile';

export interface HardeningDeps {
  landlockAbi: number;
  /** The BPF program for a resolved profile (seccomp-cache.ts). */
  compile(program: ResolvedSeccomp): Uint8Array;
  debug(message: string): void;
}

export interface HardeningOptions {
  uid: number;
  capAdd: (CapabilityName | 'ALL')[];
  capDrop: (CapabilityName | 'ALL')[];
  /** 'default', 'unconfined', or a profile file's path. */
  seccomp: string;
  tty: boolean;
}

export interface HardeningSpec {
  capabilities: number[];
  ambientCapabilities: number[];
  seccomp: Uint8Array | null;
  landlockScopes: number;
  tty: boolean;
}

const LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET = 1;
const LANDLOCK_SCOPE_SIGNAL = 2;
/** The first Landlock ABI with scopes. */
export const landlockScopesAbi = 6;

export function resolveHardening(options: HardeningOptions, deps: HardeningDeps): HardeningSpec {
  const { landlockAbi, debug } = deps;
  const sets = capabilitySets(options.capAdd, options.capDrop, options.uid);
  let seccomp: Uint8Array | null = null;
  if (options.seccomp !== 'unconfined') {
    const profile = options.seccomp === 'default' ? defaultSeccompProfile : readProfile(options.seccomp);
    const machine = { arch: process.arch, kernel: os.release(), capabilities: sets.granted.map((name) => `CAP_${name}`) };
    seccomp = deps.compile(resolveSeccompProfile(profile, machine));
  }
  if (landlockAbi < landlockScopesAbi) debug(`landlock: this kernel has ABI ${landlockAbi}; scoping abstract unix sockets and signals needs ${landlockScopesAbi}, so the app is not scoped`);
  return {
    capabilities: sets.granted.map(capabilityNumber),
    ambientCapabilities: sets.ambient.map(capabilityNumber),
    seccomp,
    landlockScopes: landlockAbi >= landlockScopesAbi ? LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL : 0,
    tty: options.tty,
  };
}

function readProfile(file: string) {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new SeccompProfileError(`--seccomp ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseSeccompProfile(text, `--seccomp ${file}`);
}
