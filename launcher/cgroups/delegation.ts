// Rootless: an ordinary user may make cgroups only in a cgroup v2 subtree delegated to them, as
// systemd's Delegate=yes does (it chowns the directory, its cgroup.procs and
// cgroup.subtree_control to the user). The user's own cgroup (the `0::` line of
// /proc/self/cgroup) must be such a subtree, in a mounted cgroup2 hierarchy, holding the
// controllers the asked limits need. Pure but for the two probes passed in.

import type { Hierarchy } from './layout';
import type { ResourceLimits } from './limits';

export interface DelegationProbe {
  /** True when this process may write the path (access(2) W_OK: what the kernel will check). */
  writable(path: string): boolean;
  /** The words of DIR/cgroup.controllers ([] when unreadable). */
  controllers(dir: string): string[];
}

/** A limit asked for on the command line, the v2 controller it needs. */
export interface AskedLimit {
  flag: '--memory' | '--cpus' | '--pids-limit';
  controller: 'memory' | 'cpu' | 'pids';
}

function askedLimits(limits: ResourceLimits): AskedLimit[] {
  const asked: AskedLimit[] = [];
  if (limits.memoryBytes !== undefined) asked.push({ flag: '--memory', controller: 'memory' });
  if (limits.cpuQuotaUs !== undefined) asked.push({ flag: '--cpus', controller: 'cpu' });
  if (limits.pidsRequested) asked.push({ flag: '--pids-limit', controller: 'pids' });
  return asked;
}

export type Delegation =
  | { ok: true; hierarchy: Hierarchy }
  /** `limit`: the one that cannot be applied, or undefined when only the default pids limit is lost. */
  | { ok: false; reason: string; limit: AskedLimit | undefined };

const delegatedFiles = ['', '/cgroup.procs', '/cgroup.subtree_control'];

export function checkDelegation(unified: Hierarchy | undefined, ownPath: string, limits: ResourceLimits, probe: DelegationProbe): Delegation {
  const asked = askedLimits(limits);
  const first = asked[0];
  if (!unified) return { ok: false, reason: `no cgroup2 filesystem is mounted where your cgroup (0::${ownPath}) is`, limit: first };
  const dir = unified.ownDir;
  if (!delegatedFiles.every((file) => probe.writable(dir + file))) {
    return { ok: false, reason: `your cgroup ${dir} is not writable by you (not delegated to you, as systemd's Delegate=yes does)`, limit: first };
  }
  const available = probe.controllers(dir);
  const missing = asked.find((limit) => !available.includes(limit.controller));
  if (missing) {
    const list = available.length > 0 ? available.join(' ') : 'none';
    return { ok: false, reason: `the ${missing.controller} controller is not delegated to your cgroup ${dir} (its cgroup.controllers: ${list})`, limit: missing };
  }
  return { ok: true, hierarchy: unified };
}
