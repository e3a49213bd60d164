// readCgroupUsage on a real container: memory, CPU time and processes from its cgroup, the
// limits that hold, and the Prometheus lines /metrics serves from them.

import { describe, expect, it } from 'vitest';
import { renderMetrics } from '../../agent/api/prometheus';
import { createContainerCgroup } from '../../launcher/cgroups/container-cgroup';
import { parseLimits } from '../../launcher/cgroups/limits';
import { cgroupSpawnFields } from '../../launcher/cgroups/run-cgroup';
import { readCgroupUsage } from '../../launcher/cgroups/usage';
import { buildConfinement } from '../../launcher/confinement';
import { startContainer } from '../../launcher/container';
import { containerSpec, parseRunArgs } from '../../launcher/container-spec';
import { sleep } from './helpers';
import { hasController, isRoot } from './limits-helpers';

const MiB = 1024 * 1024;
const app = 'sleep 30 & sleep 30 & x=a; i=0; while [ $i -lt 22 ]; do x="$x$x"; i=$((i+1)); done; i=0; while [ $i -lt 1000000 ]; do i=$((i+1)); done; wait';

describe.skipIf(!isRoot || !hasController('memory') || !hasController('pids'))('readCgroupUsage (needs root, memory and pids controllers)', () => {
  it('reads what a running container uses, and the limits that hold', async () => {
    const cgroup = createContainerCgroup({ limits: parseLimits({ memory: '64m', cpus: '1', pidsLimit: '50' }), id: 'feedc0ffee00', debug: () => {} });
    const options = parseRunArgs(['--hostname', 'usage', '--', '/bin/sh', '-c', app], { PATH: '/usr/bin:/bin' }, 'feedc0ffee00');
    const confinement = buildConfinement(options.confinement, process.env, () => {});
    const container = await startContainer({ ...containerSpec(options, { secretsFd: -1, confinement }), ...cgroupSpawnFields(cgroup) });
    cgroup.started();
    try {
      // The shell grows its string, then counts (builtins only: no process comes and goes).
      let usage = readCgroupUsage(cgroup);
      for (let i = 0; i < 100 && !((usage.memoryBytes ?? 0) > 4 * MiB && (usage.cpuSeconds ?? 0) > 0.1); i++) {
        await sleep(100);
        usage = readCgroupUsage(cgroup);
      }
      expect(usage.pids).toBe(4); // init, sh, two sleeps
      expect(usage.memoryBytes).toBeGreaterThan(4 * MiB); // the shell's 4 MiB string
      expect(usage.memoryBytes).toBeLessThan(64 * MiB);
      expect(usage.cpuSeconds).toBeGreaterThan(0.1); // a second of busy shell, on a shared machine
      expect(usage).toMatchObject({ memoryLimitBytes: 64 * MiB, cpuLimit: 1, pidsLimit: 50, oomKills: 0 });

      const status = { policies: [], keys: [], counters: {} };
      const text = renderMetrics(status, { version: 'test', ready: true, startedAt: 0, now: 1000, container: usage });
      expect(text).toContain(`# TYPE hush_container_cpu_seconds_total counter\nhush_container_cpu_seconds_total ${usage.cpuSeconds}\n`);
      expect(text).toContain(`hush_container_memory_limit_bytes ${64 * MiB}\n`);
      expect(text).toContain('\nhush_container_pids 4\n');
      expect(text).toContain('\nhush_container_pids_limit 50\n');
      expect(text).toContain('hush_container_oom_kills_total 0\n');
    } finally {
      container.signal(9);
      await container.exited;
      cgroup.remove();
    }
    expect(cgroup.dirs.length).toBeGreaterThan(0);
  });

  it('leaves the memory and CPU figures out of /metrics where there is no container', () => {
    const text = renderMetrics({ policies: [], keys: [], counters: {} }, { version: 'test', ready: true, startedAt: 0, now: 1000 });
    expect(text).not.toContain('hush_container_');
  });
});
