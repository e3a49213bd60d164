// Finding a run's cgroups from the host, for the limits tests: hush makes them beside the test
// process's own (it is hush's parent, so their cgroups are the same), named hush-PID-ID.

import * as fs from 'node:fs';
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
