// The container's own cgroup for real: made before the app starts, in every hierarchy (v1 per
// controller, and v2), with the limits written; seen from inside through a cgroup namespace;
// removed at exit; after kill -9 of hush, removed by the next run. The v2 path alone runs in a
// mount namespace whose /sys/fs/cgroup is a fresh cgroup2 mount (no controllers on this kernel).

import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hush, processExists, sleep, startHush } from './helpers';
import { isRoot, layout, parents, procsIn, runCgroupFor, runCgroups, runOnV2Only } from './limits-helpers';

const hierarchies = parents.length;
const waitUntil = async (check: () => boolean) => {
  for (let i = 0; i < 250 && !check(); i++) await sleep(20);
};

describe.skipIf(!isRoot || hierarchies === 0)('the container cgroup (needs root and a cgroup hierarchy)', () => {
  it('holds every process of the container, in every hierarchy, with the limits written', async () => {
    const run = startHush(['run', '--memory', '64m', '--cpus', '0.5', '--pids-limit', '100', '--', '/bin/sh', '-c', 'sleep 30 & echo up; wait']);
    await run.waitForOutput(/up/);
    const pid = run.process.pid!;
    const dirs = runCgroups(pid);
    expect(dirs).toHaveLength(hierarchies);
    for (const dir of dirs) expect(procsIn(dir)).toHaveLength(3); // init, sh, sleep
    // From the host, the app's cgroup in each hierarchy is the run's.
    const hostView = fs.readFileSync(`/proc/${procsIn(dirs[0])[1]}/cgroup`, 'utf8');
    expect(hostView.match(new RegExp(`/hush-${pid}-[0-9a-f]+$`, 'gm'))).toHaveLength(hierarchies);
    const read = (controller: 'memory' | 'cpu' | 'pids', v1: string, v2: string) => {
      const dir = runCgroupFor(pid, controller)!;
      return fs.readFileSync(`${dir}/${fs.existsSync(`${dir}/${v1}`) ? v1 : v2}`, 'utf8').trim();
    };
    expect(read('memory', 'memory.limit_in_bytes', 'memory.max')).toBe(String(64 * 1024 * 1024));
    expect(read('cpu', 'cpu.cfs_quota_us', 'cpu.max')).toMatch(/^50000( 100000)?$/);
    expect(read('pids', 'pids.max', 'pids.max')).toBe('100');
    run.process.kill('SIGTERM');
    expect((await run.done).code).toBe(143);
    expect(runCgroups(pid)).toEqual([]);
  });

  it('the app sees its own cgroup as / in every hierarchy (a cgroup namespace)', async () => {
    const r = await hush(['run', '--', '/bin/cat', '/proc/self/cgroup']);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^\d+:[^:]*:\/$/);
  });

  it('leaves no cgroup after a normal exit, or after a failed start', async () => {
    const ok = startHush(['run', '--', '/bin/true']);
    await ok.done;
    expect(runCgroups(ok.process.pid!)).toEqual([]);
    const missing = startHush(['run', '--', '/no/such/app']);
    expect((await missing.done).code).not.toBe(0);
    expect(runCgroups(missing.process.pid!)).toEqual([]);
  });

  it('after kill -9 of hush its cgroups stay until the next run removes them', async () => {
    const run = startHush(['run', '--', '/bin/sh', '-c', 'echo up; sleep 30']);
    await run.waitForOutput(/up/);
    const pid = run.process.pid!;
    const inside = procsIn(runCgroups(pid)[0]);
    run.process.kill('SIGKILL');
    await run.done;
    // The container dies with hush (parent-death signal on its PID 1): its cgroups empty out.
    await waitUntil(() => inside.every((p) => !processExists(p)) && runCgroups(pid).every((dir) => procsIn(dir).length === 0));
    expect(inside.filter(processExists)).toEqual([]);
    const left = runCgroups(pid);
    expect(left).toHaveLength(hierarchies);
    for (const dir of left) expect(procsIn(dir)).toEqual([]);
    const next = await hush(['run', '--', '/bin/true'], { env: { PATH: process.env.PATH, HUSH_LOG_LEVEL: 'debug' } });
    expect(next.code).toBe(0);
    expect(runCgroups(pid)).toEqual([]);
    for (const dir of left) expect(next.stderr).toContain(`hush: debug cgroup: removed the stale cgroup ${dir}\n`);
  });
});

const unified = layout.unified;
const v2Dirs = (pid: number) => fs.readdirSync(unified!.ownDir).filter((name) => name.startsWith(`hush-${pid}-`));

describe.skipIf(!isRoot || !unified)('the cgroup v2 path alone (needs root and a cgroup2 hierarchy)', () => {
  it('makes the cgroup, starts the app in it (clone3), removes it at exit; the default pids limit is skipped with a debug line', async () => {
    const run = runOnV2Only(['--', '/bin/sh', '-c', 'cat /proc/self/cgroup; sleep 2 & echo up; wait']);
    await waitUntil(() => run.output().includes('up'));
    const [name] = v2Dirs(run.pid);
    expect(name).toBeDefined();
    expect(procsIn(`${unified!.ownDir}/${name}`)).toHaveLength(3); // init, sh, sleep
    expect(runCgroups(run.pid).filter((dir) => !dir.startsWith(`${unified!.ownDir}/`))).toEqual([]); // no v1 cgroup
    const r = await run.done;
    expect(r.code).toBe(0);
    // v1 hierarchies still exist in the kernel (only their mounts are gone): every line reads /.
    expect(r.stdout).toMatch(/^(\d+:[^:\n]*:\/\n)*0::\/\nup\n$/);
    expect(r.stderr).toContain('hush: debug cgroup: no pids controller (cgroup v1 or v2) is available: the default --pids-limit is not applied\n');
    expect(v2Dirs(run.pid)).toEqual([]);
  });

  it.each([
    [['--memory', '64m'], 'hush: run: --memory 64 MiB cannot be applied: no memory controller is mounted (cgroup v1) or available to our cgroup (v2)'],
    [['--cpus', '1'], 'hush: run: --cpus 1 cannot be applied: no cpu controller is mounted (cgroup v1) or available to our cgroup (v2)'],
    [['--pids-limit', '50'], 'hush: run: --pids-limit 50 cannot be applied: no pids controller is mounted (cgroup v1) or available to our cgroup (v2)'],
  ])('a limit asked for that no controller can hold is refused: %j', async (flags, line) => {
    const run = runOnV2Only([...flags, '--', '/bin/echo', 'ran']);
    const r = await run.done;
    expect(r.code).toBe(125);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(line + '\n');
    expect(v2Dirs(run.pid)).toEqual([]);
  });
});
