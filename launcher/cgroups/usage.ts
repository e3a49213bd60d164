// What a container uses, read from its cgroup: memory, CPU time, processes, and OOM kills.
// Each figure comes from the hierarchy that holds its controller (v1), else from the v2 cgroup;
// a figure no hierarchy offers is left out.

import * as fs from 'node:fs';
import type { ContainerUsage } from '../../agent/api/types';
import type { CgroupDir, ContainerCgroup } from './container-cgroup';
import { cpuPeriodUs } from './limits';

/** The agent API's shape (agent/api/types.ts), which /metrics and /v1/status serve. */
export type CgroupUsage = ContainerUsage;

/** "key value" lines (memory.events, cpu.stat, memory.oom_control) → a map. */
export function parseKeyedCounters(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^\d+$/.test(value)) out.set(key, Number(value));
  }
  return out;
}

function read(dir: CgroupDir | undefined, file: string): string | undefined {
  if (!dir) return undefined;
  try {
    return fs.readFileSync(`${dir.dir}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

const number = (text: string | undefined) => (text === undefined || !/^\d+\s*$/.test(text) ? undefined : Number(text));

function holder(cgroup: ContainerCgroup, controller: string): CgroupDir | undefined {
  return cgroup.dirs.find((d) => d.version === 1 && d.controllers.includes(controller)) ?? cgroup.dirs.find((d) => d.version === 2);
}

/** How many processes of the container the kernel killed for memory (0 when none, or unknown). */
export function readOomKills(cgroup: ContainerCgroup): number {
  const dir = holder(cgroup, 'memory');
  const text = read(dir, dir?.version === 1 ? 'memory.oom_control' : 'memory.events');
  return text === undefined ? 0 : (parseKeyedCounters(text).get('oom_kill') ?? 0);
}

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
