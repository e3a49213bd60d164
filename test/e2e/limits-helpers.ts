// Finding a run's cgroups from the host, for the limits tests: hush makes them beside the test
// process's own (it is hush's parent, so their cgroups are the same), named hush-PID-ID.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { hushBin } from './helpers';
import { cgroupLayout, v1Holding, type V1Controller } from '../../launcher/cgroups/layout';

export const layout = cgroupLayout(fs.readFileSync('/proc/self/mountinfo', 'utf8'), fs.readFileSync('/proc/self/cgroup', 'utf8'));
export const isRoot = process.getuid?.() === 0;

const unifiedControllers = (() => {
  try {
    return fs.readFileSync(`${layout.unified?.ownDir}/cgroup.controllers`, 'utf8').split(/\s+/);
  } catch {
    return [];
  }
})();

/** The controller is on v1 or available to our v2 cgroup. */
export function hasController(controller: V1Controller): boolean {
  return v1Holding(layout, controller) !== undefined || unifiedControllers.includes(controller === 'cpuacct' ? 'cpu' : controller);
}

/** Every parent directory hush makes container cgroups in. */
export const parents = [...layout.v1.map((h) => h.ownDir), ...(layout.unified ? [layout.unified.ownDir] : [])];

/** The cgroup directories of the run whose hush has this pid. */
export function runCgroups(hushPid: number): string[] {
  return parents.flatMap((parent) =>
    fs
      .readdirSync(parent)
      .filter((name) => name.startsWith(`hush-${hushPid}-`))
      .map((name) => `${parent}/${name}`),
  );
}

/** The run's directory in the hierarchy that holds `controller` (v1), else its v2 one. */
export function runCgroupFor(hushPid: number, controller: V1Controller): string | undefined {
  const parent = v1Holding(layout, controller)?.ownDir ?? layout.unified?.ownDir;
  return runCgroups(hushPid).find((dir) => dir.startsWith(`${parent}/`) && !dir.slice(parent!.length + 1).includes('/'));
}

/** CPU time the cgroup has used, in seconds. */
export function cpuSeconds(dir: string): number {
  if (fs.existsSync(`${dir}/cpuacct.usage`)) return Number(fs.readFileSync(`${dir}/cpuacct.usage`, 'utf8')) / 1e9;
  const usec = /usage_usec (\d+)/.exec(fs.readFileSync(`${dir}/cpu.stat`, 'utf8'));
  return Number(usec?.[1]) / 1e6;
}

export function procsIn(dir: string): number[] {
  return fs.readFileSync(`${dir}/cgroup.procs`, 'utf8').split('\n').filter(Boolean).map(Number);
}

/** `hush run ARGS` in a mount namespace where /sys/fs/cgroup is only a cgroup2 mount. */
export function runOnV2Only(args: string[]) {
  const script = 'umount -R /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup && exec "$@"';
  // unshare and sh exec in turn: the pid is hush's.
  const child = spawn('unshare', ['-m', '--propagation', 'private', '/bin/sh', '-c', script, 'sh', process.execPath, hushBin, 'run', ...args], {
    env: { PATH: process.env.PATH, HUSH_LOG_LEVEL: 'debug' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { pid: child.pid!, done, output: () => stdout };
}

