// What a container uses, read from its cgroup: memory, CPU time, processes, and OOM kills.
// Each figure comes from the hierarchy that holds its controller (v1), else from the v2 cgroup;
// a figure no hierarchy offers is left out.

import type { ContainerUsage } from '../../agent/api/types';
import type { ContainerCgroup } from './container-cgroup';
import { cpuPeriodUs } from './limits';
import { parseKeyedCounters, readCgroupFile as read, readOomKills, usageHolder as holder } from './run-cgroup';

/** The agent API's shape (agent/api/types.ts), which /metrics and /v1/status serve. */
export type CgroupUsage = ContainerUsage;

const number = (text: string | undefined) => (text === undefined || !/^\d+\s*$/.test(text) ? undefined : Number(text));

export function readCgroupUsage(cgroup: ContainerCgroup): CgroupUsage {
  const usage: CgroupUsage = {};
  const memory = holder(cgroup, 'memory');
  usage.memoryBytes = number(read(memory, memory?.version === 1 ? 'memory.usage_in_bytes' : 'memory.current'));
  const cpu = holder(cgroup, 'cpuacct');
  if (cpu?.version === 1) {
    const ns = number(read(cpu, 'cpuacct.usage'));
    if (ns !== undefined) usage.cpuSeconds = ns / 1e9;
  } else {
    const us = parseKeyedCounters(read(cpu, 'cpu.stat') ?? '').get('usage_usec');
    if (us !== undefined) usage.cpuSeconds = us / 1e6;
  }
  usage.pids = number(read(holder(cgroup, 'pids'), 'pids.current'));
  const { limits } = cgroup;
  usage.memoryLimitBytes = limits.memoryBytes;
  usage.cpuLimit = limits.cpuQuotaUs === undefined ? undefined : limits.cpuQuotaUs / cpuPeriodUs;
  usage.pidsLimit = limits.pidsMax;
  usage.oomKills = readOomKills(cgroup);
  for (const key of Object.keys(usage) as (keyof CgroupUsage)[]) if (usage[key] === undefined) delete usage[key];
  return usage;
}
