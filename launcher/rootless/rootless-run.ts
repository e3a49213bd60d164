// `hush run` as an ordinary user (docs/rootless.md): what it refuses, what it warns about, and
// the user namespace spec for native/src/userns.c.

import * as fs from 'node:fs';
import * as os from 'node:os';
import type { UsernsSpec } from '../../native';
import type { RunOptions } from '../container-spec';
import { planRootlessMaps, readIdMapSources, type IdMapPlan } from './id-maps';

/** The cap of a rootless secrets tmpfs: the child makes it before the policies are read. */
const rootlessSecretsSizeBytes = 48 * 1024 * 1024;

/** One line saying why this rootless run cannot be done, or undefined. */
export function rootlessRefusal(options: RunOptions): string | undefined {
  if (options.imageRun) return '--image is not supported rootless yet (the image store and layer ownership need root): run it as root';
  if (options.volumes.length > 0) return '--volume is not supported rootless yet: run it as root';
  const { limits } = options;
  if (limits.memoryBytes !== undefined || limits.cpuQuotaUs !== undefined || limits.pidsRequested) {
    return 'limits cannot be applied rootless here: they need a delegated cgroup v2 subtree, and this host has none (its controllers are on cgroup v1)';
  }
  if (options.uid !== 0 || options.gid !== 0) return '--user other than 0:0 is not supported rootless yet: the secrets belong to the caller, who is root inside';
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

export function usernsSpec(plan: IdMapPlan): UsernsSpec {
  return {
    uidMap: plan.uidMap,
    gidMap: plan.gidMap,
    ...(plan.newuidmap ? { newuidmap: plan.newuidmap, newgidmap: plan.newgidmap } : {}),
    secretsSizeBytes: rootlessSecretsSizeBytes,
    denySetgroups: plan.denySetgroups,
  };
}
