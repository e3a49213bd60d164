// Pure: limits + where our cgroups are → the directories a container's cgroup is made of and
// what is written into each. A limit with no controller to hold it is an error here; the
// default pids limit without one is a skip, said in a debug line.

import { cgroupErrors } from './errors';
import { v1Holding, type CgroupLayout, type V1Controller } from './layout';
import { cpuPeriodUs, formatBytes, type ResourceLimits } from './limits';

export interface LimitWrite {
  file: string;
  value: string;
  /** The flag that asked for it; absent for the default pids limit, which may be skipped. */
  flag?: string;
  /** Written only where the kernel has the file (swap accounting). */
  ifExists?: boolean;
}

export interface PlannedCgroup {
  version: 1 | 2;
  /** Our own cgroup, the new one's parent. */
  parentDir: string;
  dir: string;
  /** v1: the controllers of the hierarchy; v2: those to enable in the parent's subtree_control. */
  controllers: string[];
  writes: LimitWrite[];
}

export interface CgroupPlan {
  cgroups: PlannedCgroup[];
  /** Debug lines: what was skipped and why. */
  skipped: string[];
}

interface Host {
  layout: CgroupLayout;
  /** The controllers our own v2 cgroup can give to children (its cgroup.controllers). */
  unifiedControllers: string[];
  /** Asked only for --cpus. */
  cpuCount(): number;
}

type Limited = 'memory' | 'cpu' | 'pids';

function writesFor(controller: Limited, version: 1 | 2, limits: ResourceLimits): LimitWrite[] {
  const { memoryBytes, cpuQuotaUs, pidsMax, pidsRequested } = limits;
  if (controller === 'memory' && memoryBytes !== undefined) {
    const flag = '--memory';
    // RAM and swap together: what the user gave is all the app gets, and its pages stay in RAM.
    return version === 1
      ? [{ file: 'memory.limit_in_bytes', value: `${memoryBytes}`, flag }, { file: 'memory.memsw.limit_in_bytes', value: `${memoryBytes}`, flag, ifExists: true }]
      : [{ file: 'memory.max', value: `${memoryBytes}`, flag }, { file: 'memory.swap.max', value: '0', flag, ifExists: true }];
  }
  if (controller === 'cpu' && cpuQuotaUs !== undefined) {
    const flag = '--cpus';
    return version === 1
      ? [{ file: 'cpu.cfs_period_us', value: `${cpuPeriodUs}`, flag }, { file: 'cpu.cfs_quota_us', value: `${cpuQuotaUs}`, flag }]
      : [{ file: 'cpu.max', value: `${cpuQuotaUs} ${cpuPeriodUs}`, flag }];
  }
  if (controller === 'pids' && pidsMax !== undefined) {
    return [{ file: 'pids.max', value: `${pidsMax}`, ...(pidsRequested ? { flag: '--pids-limit' } : {}) }];
  }
  return [];
}

const flagOf: Record<Limited, string> = { memory: '--memory', cpu: '--cpus', pids: '--pids-limit' };

function asked(controller: Limited, limits: ResourceLimits): boolean {
  if (controller === 'memory') return limits.memoryBytes !== undefined;
  if (controller === 'cpu') return limits.cpuQuotaUs !== undefined;
  return limits.pidsMax !== undefined;
}

export function planCgroup(limits: ResourceLimits, host: Host, name: string): CgroupPlan {
  const { layout, unifiedControllers } = host;
  if (limits.cpus !== undefined && limits.cpus > host.cpuCount()) throw cgroupErrors.HUSH_ERR_CGROUP_CPUS_RANGE(limits.cpus, host.cpuCount());
  const plan: CgroupPlan = { cgroups: [], skipped: [] };
  for (const hierarchy of layout.v1) {
    plan.cgroups.push({ version: 1, parentDir: hierarchy.ownDir, dir: `${hierarchy.ownDir}/${name}`, controllers: [...hierarchy.controllers], writes: [] });
  }
  const unified: PlannedCgroup | undefined = layout.unified && {
    version: 2,
    parentDir: layout.unified.ownDir,
    dir: `${layout.unified.ownDir}/${name}`,
    controllers: [],
    writes: [],
  };
  if (unified) plan.cgroups.push(unified);

  for (const controller of ['memory', 'cpu', 'pids'] as const) {
    if (!asked(controller, limits)) continue;
    const v1 = v1Holding(layout, controller as V1Controller);
    const target = v1
      ? plan.cgroups.find((c) => c.version === 1 && c.parentDir === v1.ownDir)
      : unified && unifiedControllers.includes(controller)
        ? unified
        : undefined;
    if (target) {
      if (target.version === 2) target.controllers.push(controller);
      target.writes.push(...writesFor(controller, target.version, limits));
    } else if (controller === 'pids' && !limits.pidsRequested) {
      plan.skipped.push('no pids controller (cgroup v1 or v2) is available: the default --pids-limit is not applied');
    } else {
      throw cgroupErrors.HUSH_ERR_CGROUP_NO_CONTROLLER(flagOf[controller], controller, describeLimit(controller, limits), layout.unified !== undefined);
    }
  }
  return plan;
}

/** The limit a controller holds, as messages name it: 64 MiB, 0.5, 100. */
export function describeLimit(controller: Limited, limits: ResourceLimits): string {
  if (controller === 'memory') return formatBytes(limits.memoryBytes!);
  if (controller === 'cpu') return `${limits.cpus}`;
  return `${limits.pidsMax}`;
}
