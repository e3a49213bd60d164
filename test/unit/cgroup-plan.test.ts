// Where a container's cgroup goes and what is written there (launcher/cgroups/layout.ts and
// plan.ts), for the hybrid layout of these machines, pure v2, a cgroup namespace, and none.

import { describe, expect, it } from 'vitest';
import { cgroupLayout } from '../../launcher/cgroups/layout';
import { parseLimits } from '../../launcher/cgroups/limits';
import { planCgroup } from '../../launcher/cgroups/plan';
import { parseKeyedCounters } from '../../launcher/cgroups/run-cgroup';
import { staleNames } from '../../launcher/cgroups/remove';

const hybridMounts = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
38 31 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
40 31 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;
const hybridCgroup = `8:pids:/
6:freezer:/
4:memory:/process_api/abc
1:cpu,cpuacct:/
0::/
`;
const v2Mounts = `25 1 0:22 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n`;
const v2Cgroup = '0::/user.slice/user-1000.slice/session-2.scope\n';

const hybrid = cgroupLayout(hybridMounts, hybridCgroup);
const v2 = cgroupLayout(v2Mounts, v2Cgroup);
const host = (layout = hybrid, unifiedControllers: string[] = []) => ({ layout, unifiedControllers, cpuCount: () => 2 });

describe('cgroupLayout', () => {
  it('finds each v1 hierarchy of ours and the unified one (hybrid)', () => {
    expect(hybrid.v1).toEqual([
      { version: 1, controllers: ['pids'], ownDir: '/sys/fs/cgroup/pids', mountPoint: '/sys/fs/cgroup/pids', mountOptions: ['pids'] },
      {
        version: 1,
        controllers: ['memory'],
        ownDir: '/sys/fs/cgroup/memory/process_api/abc',
        mountPoint: '/sys/fs/cgroup/memory',
        mountOptions: ['memory'],
      },
      {
        version: 1,
        controllers: ['cpu', 'cpuacct'],
        ownDir: '/sys/fs/cgroup/cpu,cpuacct',
        mountPoint: '/sys/fs/cgroup/cpu,cpuacct',
        mountOptions: ['cpu', 'cpuacct'],
      },
    ]);
    expect(hybrid.unified).toEqual({ version: 2, controllers: [], ownDir: '/sys/fs/cgroup/unified', mountPoint: '/sys/fs/cgroup/unified', mountOptions: [] });
  });

  it('finds the unified hierarchy alone (v2)', () => {
    expect(v2).toEqual({
      v1: [],
      unified: { version: 2, controllers: [], ownDir: '/sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope', mountPoint: '/sys/fs/cgroup', mountOptions: [] },
    });
  });

  it('maps our path through a mount whose root is not the hierarchy root', () => {
    const layout = cgroupLayout('30 1 0:22 /kubepods/pod1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n', '0::/kubepods/pod1/ctr\n');
    expect(layout.unified?.ownDir).toBe('/sys/fs/cgroup/ctr');
  });

  it('ignores a mount that does not reach our cgroup, and decodes escaped paths', () => {
    const mounts = '30 1 0:22 /other /mnt/a rw - cgroup2 cgroup2 rw\n31 1 0:22 / /mnt/with\\040space rw - cgroup2 cgroup2 rw\n';
    expect(cgroupLayout(mounts, '0::/mine\n').unified?.ownDir).toBe('/mnt/with space/mine');
  });

  it('finds nothing without cgroup mounts', () => {
    expect(cgroupLayout('22 1 0:5 / / rw - ext4 /dev/sda rw\n', hybridCgroup)).toEqual({ v1: [], unified: undefined });
  });
});

describe('planCgroup', () => {
  it('makes one directory per v1 hierarchy and one in the unified hierarchy, with limits on v1 (hybrid)', () => {
    const plan = planCgroup(parseLimits({ memory: '64m', cpus: '0.5', pidsLimit: '100' }), host(), 'hush-1-ab');
    expect(plan.skipped).toEqual([]);
    expect(plan.cgroups.map((c) => [c.version, c.dir, c.writes.map((w) => `${w.file}=${w.value}`)])).toEqual([
      [1, '/sys/fs/cgroup/pids/hush-1-ab', ['pids.max=100']],
      [1, '/sys/fs/cgroup/memory/process_api/abc/hush-1-ab', ['memory.limit_in_bytes=67108864', 'memory.memsw.limit_in_bytes=67108864']],
      [1, '/sys/fs/cgroup/cpu,cpuacct/hush-1-ab', ['cpu.cfs_period_us=100000', 'cpu.cfs_quota_us=50000']],
      [2, '/sys/fs/cgroup/unified/hush-1-ab', []],
    ]);
    expect(plan.cgroups[0].writes[0].flag).toBe('--pids-limit');
  });

  it('writes the default pids limit as skippable (no flag)', () => {
    const plan = planCgroup(parseLimits({}), host(), 'hush-1-ab');
    expect(plan.cgroups[0].writes).toEqual([{ file: 'pids.max', value: '2048' }]);
  });

  it('puts limits on v2 where the controllers are available there, to be enabled', () => {
    const plan = planCgroup(parseLimits({ memory: '1g', cpus: '2' }), host(v2, ['cpu', 'memory', 'pids']), 'hush-1-ab');
    expect(plan.cgroups).toEqual([
      {
        version: 2,
        parentDir: '/sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope',
        dir: '/sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope/hush-1-ab',
        controllers: ['memory', 'cpu', 'pids'],
        writes: [
          { file: 'memory.max', value: '1073741824', flag: '--memory' },
          { file: 'memory.swap.max', value: '0', flag: '--memory', ifExists: true },
          { file: 'cpu.max', value: '200000 100000', flag: '--cpus' },
          { file: 'pids.max', value: '2048' },
        ],
      },
    ]);
  });

  it('skips the default pids limit, with a line, where no pids controller is', () => {
    const plan = planCgroup(parseLimits({}), host(v2, []), 'hush-1-ab');
    expect(plan.skipped).toEqual(['no pids controller (cgroup v1 or v2) is available: the default --pids-limit is not applied']);
    expect(plan.cgroups[0].writes).toEqual([]);
  });

  it.each([
    [{ memory: '64m' }, '--memory 64 MiB cannot be applied: no memory controller is mounted (cgroup v1) or available to our cgroup (v2)'],
    [{ cpus: '0.5' }, '--cpus 0.5 cannot be applied: no cpu controller is mounted (cgroup v1) or available to our cgroup (v2)'],
    [{ pidsLimit: '10' }, '--pids-limit 10 cannot be applied: no pids controller is mounted (cgroup v1) or available to our cgroup (v2)'],
  ])('refuses a limit asked for with no controller to hold it: %j', (flags, message) => {
    expect(() => planCgroup(parseLimits(flags), host(v2, []), 'hush-1-ab')).toThrow(message);
  });

  it('refuses more CPUs than the machine has', () => {
    expect(() => planCgroup(parseLimits({ cpus: '3' }), host(), 'x')).toThrow('--cpus 3: this machine has 2 CPUs; give 0.01 to 2');
  });
});

describe('cgroup files and names', () => {
  it('reads keyed counters (memory.events, cpu.stat, memory.oom_control)', () => {
    const counters = parseKeyedCounters('oom_kill_disable 0\nunder_oom 0\noom_kill 3\n');
    expect(counters.get('oom_kill')).toBe(3);
    expect(parseKeyedCounters('usage_usec 1500\nuser_usec 1000\n').get('usage_usec')).toBe(1500);
  });

  it('calls stale only the hush cgroups whose launcher is gone', () => {
    const names = ['hush-10-abc', 'hush-11-def', 'hush-x-abc', 'other', 'cgroup.procs', 'hush-12-ABC'];
    expect(staleNames(names, (pid) => pid !== 11)).toEqual(['hush-10-abc']);
  });
});
