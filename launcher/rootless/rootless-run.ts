// `hush run` as an ordinary user (docs/rootless.md): what it refuses, what it warns about, and
// the user namespace spec for native/src/userns.c.

import * as fs from 'node:fs';
import * as os from 'node:os';
import type { UsernsRoot, UsernsSpec } from '../../native';
import type { RunOptions } from '../container-spec';
import { planRootlessMaps, readIdMapSources, type IdMapPlan } from './id-maps';

/** The cap of a rootless secrets tmpfs: the child makes it before the policies are read. */
const rootlessSecretsSizeBytes = 48 * 1024 * 1024;

/** One line saying why this rootless run cannot be done, or undefined. */
export function rootlessRefusal(options: RunOptions, plan: Pick<IdMapPlan, 'size'>): string | undefined {
  if (options.userns === 'host') return "--userns host needs root: an ordinary user's container always has a user namespace of its own (leave --userns out, or give auto)";
  const user = `${options.uid}:${options.gid}${options.imageRun && !options.imageRun.user ? " (the image's User)" : ''}`;
  if ((options.uid !== 0 || options.gid !== 0) && plan.size === 1) {
    return `user ${user}: only uid 0 is mapped in this user namespace (no /etc/subuid range with newuidmap): run as 0:0, or give the user a subuid/subgid range`;
  }
  if (options.uid >= plan.size || options.gid >= plan.size) return `user ${user}: outside the user namespace's ids 0-${plan.size - 1}`;
  return undefined;
}

/** True when /proc/swaps lists a swap device or file. */
export function swapIsOn(swaps = readOrEmpty('/proc/swaps')): boolean {
  return swaps.split('\n').slice(1).some((line) => line.trim() !== '');
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

export function rootlessIdMaps(env: NodeJS.ProcessEnv): IdMapPlan {
  const user = { name: os.userInfo().username, uid: process.getuid!(), gid: process.getgid!() };
  return planRootlessMaps(user, readIdMapSources(env));
}

/** `image`: an image run's root, which the child mounts (image-root.ts). */
export function usernsSpec(plan: IdMapPlan, options: RunOptions, image?: Omit<UsernsRoot, 'volumes' | 'appUid' | 'appGid'>): UsernsSpec {
  // The secrets stay the caller's (0 inside), who writes them from outside; with --user the
  // app reads them as its own through an idmapped clone (native/src/userns-idmap.c).
  const needsRoot = image || options.volumes.length > 0 || options.uid !== 0 || options.gid !== 0;
  const root: UsernsRoot | undefined = needsRoot
    ? { ...(image ?? { readOnly: false, dirs: [], files: [], writes: [] }), volumes: options.volumes, appUid: options.uid, appGid: options.gid }
    : undefined;
  return {
    uidMap: plan.uidMap,
    gidMap: plan.gidMap,
    ...(plan.newuidmap ? { newuidmap: plan.newuidmap, newgidmap: plan.newgidmap } : {}),
    secretsSizeBytes: rootlessSecretsSizeBytes,
    denySetgroups: plan.denySetgroups,
    ...(root ? { root } : {}),
  };
}
