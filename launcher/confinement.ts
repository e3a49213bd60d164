// What confines the app, for the addon's spawn spec: capabilities (capabilities.ts), the
// seccomp filter (seccomp-profile.ts, default or from a file), Landlock scopes, the pty.

import { runErrors } from './errors';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { native } from '../native';
import { capabilityNumber, capabilitySets, type CapabilityName } from './capabilities';
import { defaultSeccompProfile } from './seccomp-default';
import { compiledSeccomp, seccompCacheDir } from './seccomp-cache';
import { parseSeccompProfile } from './seccomp-profile-parse';
import { resolveSeccompProfile, type ResolvedSeccomp } from './seccomp-profile';

export interface ConfinementDeps {
  landlockAbi: number;
  /** The BPF program for a resolved profile (seccomp-cache.ts). */
  compile(program: ResolvedSeccomp): Uint8Array;
  debug(message: string): void;
}

export interface ConfinementOptions {
  uid: number;
  capAdd: (CapabilityName | 'ALL')[];
  capDrop: (CapabilityName | 'ALL')[];
  /** 'default', 'unconfined', or a profile file's path. */
  seccomp: string;
  tty: boolean;
}

export interface ConfinementSpec {
  capabilities: number[];
  ambientCapabilities: number[];
  seccomp: Uint8Array | null;
  landlockScopes: number;
  tty: boolean;
}

const LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET = 1;
const LANDLOCK_SCOPE_SIGNAL = 2;
/** The first Landlock ABI with scopes. */
const landlockScopesAbi = 6;

export function resolveConfinement(options: ConfinementOptions, deps: ConfinementDeps): ConfinementSpec {
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

/** The confinement of a run, with the addon's Landlock ABI and libseccomp (programs cached by seccomp-cache.ts). */
export function buildConfinement(options: ConfinementOptions, env: NodeJS.ProcessEnv, debug: (message: string) => void): ConfinementSpec {
  const addon = native();
  return resolveConfinement(options, {
    landlockAbi: addon.landlockAbi(),
    compile: (program) => {
      try {
        return compiledSeccomp(program, addon, seccompCacheDir(env));
      } catch (err) {
        // The addon's own error (libseccomp missing, or it refused the profile), into the registry.
        if ((err as { code?: string }).code === runErrors.HUSH_ERR_RUN_SECCOMP.code) throw runErrors.HUSH_ERR_RUN_SECCOMP.withCause(err, (err as Error).message);
        throw err;
      }
    },
    debug,
  });
}

function readProfile(file: string) {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw runErrors.HUSH_ERR_RUN_SECCOMP_PROFILE(`--seccomp ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseSeccompProfile(text, `--seccomp ${file}`);
}
