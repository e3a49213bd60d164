// What `hush run` needs of the container's cgroup, in the few calls it makes: make it, hand its
// descriptors to the spawn, and at exit say whether the kernel killed the app for memory.

import { createContainerCgroup, type ContainerCgroup } from './container-cgroup';
import type { ResourceLimits } from './limits';
import { formatBytes } from './limits';
import { readOomKills } from './usage';

export function setUpRunCgroup(limits: ResourceLimits, id: string, env: NodeJS.ProcessEnv, stderr: NodeJS.WritableStream): ContainerCgroup {
  const debug = env.HUSH_LOG_LEVEL === 'debug' ? (line: string) => void stderr.write(`hush: debug cgroup: ${line}\n`) : () => {};
  return createContainerCgroup({ limits, id, debug });
}

/** The spawn spec's cgroup fields. */
export function cgroupSpawnFields(cgroup: ContainerCgroup | undefined): { cgroupFd: number; cgroupJoinFds: number[] } {
  return { cgroupFd: cgroup?.cgroupFd ?? -1, cgroupJoinFds: [...(cgroup?.cgroupJoinFds ?? [])] };
}

/** The line to print when the kernel killed the app (exit 137) or some of its processes for memory. */
export function outOfMemoryLine(cgroup: ContainerCgroup, exitCode: number): string | undefined {
  const kills = readOomKills(cgroup);
  if (kills === 0) return undefined;
  const limit = cgroup.limits.memoryBytes === undefined ? '' : ` (limit ${formatBytes(cgroup.limits.memoryBytes)})`;
  if (exitCode === 137) return `hush: the app was killed: out of memory${limit}\n`;
  return `hush: out of memory${limit}: the kernel killed ${kills} process${kills === 1 ? '' : 'es'} in the container\n`;
}
