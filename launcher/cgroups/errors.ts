// The container cgroup's part of the launcher's error registry (launcher/errors.ts;
// HUSH_ERR_CGROUP_*), listed in docs/errors.md. Each names the
// flag whose limit cannot be applied and why: hush refuses to run rather than drop a limit.

import { defineError, type HushError } from '../../agent/errors';

const busyHint = (code: string) =>
  code === 'EBUSY' ? ': that cgroup holds processes (hush itself), and below the root of the hierarchy such a cgroup cannot hand controllers to children' : '';

export const cgroupErrors = Object.freeze({
  HUSH_ERR_CGROUP_CPUS_RANGE: defineError('HUSH_ERR_CGROUP_CPUS_RANGE', (cpus: number, count: number) =>
    `--cpus ${cpus}: this machine has ${count} CPU${count === 1 ? '' : 's'}; give 0.01 to ${count}`),
  HUSH_ERR_CGROUP_NO_CONTROLLER: defineError('HUSH_ERR_CGROUP_NO_CONTROLLER', (flag: string, controller: string, value: string, unified: boolean) =>
    `${flag} ${value} cannot be applied: no ${controller} controller is mounted (cgroup v1)${unified ? ' or available to our cgroup (v2)' : ''}`),
  HUSH_ERR_CGROUP_CREATE: defineError('HUSH_ERR_CGROUP_CREATE', (flag: string, dir: string, code: string) =>
    `${flag} cannot be applied: cannot create the container's cgroup ${dir}: ${code}`),
  HUSH_ERR_CGROUP_DELEGATE: defineError('HUSH_ERR_CGROUP_DELEGATE', (flag: string, controller: string, parent: string, code: string) =>
    `${flag} cannot be applied: cgroup v2 does not give ${controller} to children of ${parent} (${code})${busyHint(code)}`),
  HUSH_ERR_CGROUP_ROOTLESS: defineError('HUSH_ERR_CGROUP_ROOTLESS', (flag: string, value: string, reason: string) =>
    `${flag} ${value} cannot be applied rootless: limits need a delegated cgroup v2 subtree, and ${reason}`),
  HUSH_ERR_CGROUP_WRITE: defineError('HUSH_ERR_CGROUP_WRITE', (flag: string, path: string, value: string, code: string) =>
    `${flag} cannot be applied: writing '${value}' to ${path}: ${code}`),
});

export type CgroupErrorCode = keyof typeof cgroupErrors;
export type CgroupError = HushError<CgroupErrorCode>;

export function isCgroupError(err: unknown): err is CgroupError {
  return Object.values(cgroupErrors).some((definition) => definition.is(err));
}
