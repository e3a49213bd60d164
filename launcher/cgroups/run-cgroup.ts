// What `hush run` needs of the container's cgroup, in the few calls it makes: make it, hand its
// descriptors to the spawn, and at exit say whether the kernel killed the app for memory. The
// cgroup file readers live here too, since the exit reads one (usage.ts, for the API, the rest).

import * as fs from 'node:fs';
import type { CgroupViewMount } from '../../native';
import { createContainerCgroup, type CgroupDir, type ContainerCgroup } from './container-cgroup';
import type { DelegationProbe } from './delegation';
import { cgroupErrors } from './errors';
import { cgroupLayout } from './layout';
import { formatBytes, type ResourceLimits } from './limits';
import { describeLimit } from './plan';

/**
 * The run's cgroup. Rootless, only in a delegated cgroup v2 subtree (delegation.ts): elsewhere
 * a limit asked for is refused with the reason, and without one there is no cgroup at all.
 */
export function setUpRunCgroup(limits: ResourceLimits, id: string, env: NodeJS.ProcessEnv, stderr: NodeJS.WritableStream, rootless = false): ContainerCgroup | undefined {
  const debug = env.HUSH_LOG_LEVEL === 'debug' ? (line: string) => void stderr.write(`hush: debug cgroup: ${line}\n`) : () => {};
  if (!rootless) return createContainerCgroup({ limits, id, debug });
  const procSelf = { mountinfo: fs.readFileSync('/proc/self/mountinfo', 'utf8'), cgroup: fs.readFileSync('/proc/self/cgroup', 'utf8') };
  const ownPath = /^0::(.*)$/m.exec(procSelf.cgroup)?.[1] ?? '?';
  // Loaded only rootless: every module costs a root run's start (bench/README.md, "limits").
  const { checkDelegation } = require('./delegation') as typeof import('./delegation');
  const delegation = checkDelegation(cgroupLayout(procSelf.mountinfo, procSelf.cgroup).unified, ownPath, limits, fsProbe);
  if (delegation.ok) return createContainerCgroup({ limits, id, debug, procSelf, v2Only: true });
  const { limit, reason } = delegation;
  if (limit) throw cgroupErrors.HUSH_ERR_CGROUP_ROOTLESS(limit.flag, describeLimit(limit.controller, limits), reason);
  debug(`rootless: ${reason}: the container gets no cgroup, and the default --pids-limit is not applied`);
  return undefined;
}

const fsProbe: DelegationProbe = {
  writable(path) {
    try {
      fs.accessSync(path, fs.constants.W_OK);
      return true;
    } catch {
      return false;
    }
  },
  controllers(dir) {
    try {
      return fs.readFileSync(`${dir}/cgroup.controllers`, 'utf8').split(/\s+/).filter(Boolean);
    } catch {
      return [];
    }
  },
};

/** The spawn spec's cgroup fields. */
export function cgroupSpawnFields(cgroup: ContainerCgroup | undefined): { cgroupFd: number; cgroupJoinFds: number[]; cgroupView: CgroupViewMount[] } {
  return { cgroupFd: cgroup?.cgroupFd ?? -1, cgroupJoinFds: [...(cgroup?.cgroupJoinFds ?? [])], cgroupView: [...(cgroup?.view ?? [])] };
}

/** The line to print when the kernel killed the app (exit 137) or some of its processes for memory. */
export function outOfMemoryLine(cgroup: ContainerCgroup, exitCode: number): string | undefined {
  const kills = readOomKills(cgroup);
  if (kills === 0) return undefined;
  const limit = cgroup.limits.memoryBytes === undefined ? '' : ` (limit ${formatBytes(cgroup.limits.memoryBytes)})`;
  if (exitCode === 137) return `hush: the app was killed: out of memory${limit}\n`;
  return `hush: out of memory${limit}: the kernel killed ${kills} process${kills === 1 ? '' : 'es'} in the container\n`;
}

/** How many processes of the container the kernel killed for memory (0 when none, or unknown). */
export function readOomKills(cgroup: ContainerCgroup): number {
  const dir = usageHolder(cgroup, 'memory');
  const text = readCgroupFile(dir, dir?.version === 1 ? 'memory.oom_control' : 'memory.events');
  return text === undefined ? 0 : (parseKeyedCounters(text).get('oom_kill') ?? 0);
}

/** The directory a figure of `controller` is read from: its v1 hierarchy's, else the v2 one. */
export function usageHolder(cgroup: ContainerCgroup, controller: string): CgroupDir | undefined {
  return cgroup.dirs.find((d) => d.version === 1 && d.controllers.includes(controller)) ?? cgroup.dirs.find((d) => d.version === 2);
}

export function readCgroupFile(dir: CgroupDir | undefined, file: string): string | undefined {
  if (!dir) return undefined;
  try {
    return fs.readFileSync(`${dir.dir}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

/** "key value" lines (memory.events, cpu.stat, memory.oom_control) → a map. */
export function parseKeyedCounters(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^\d+$/.test(value)) out.set(key, Number(value));
  }
  return out;
}
