// The container's own cgroup: made before the app starts (one directory per v1 hierarchy, one
// in the unified v2 hierarchy), with the limits written, and descriptors open for the spawn:
// the v2 directory for clone3(CLONE_INTO_CGROUP), the v1 `tasks` files the child joins.
//
// v1 `tasks`, not `cgroup.procs`: a thread moving itself ("0" into `tasks`) is the one
// migration the kernel does without its global cgroup_threadgroup_rwsem, whose write side
// waits for an RCU grace period (8-50 ms on a busy machine). The child is a single-threaded
// process, so moving its one thread moves all of it.

import * as fs from 'node:fs';
import { availableParallelism } from 'node:os';
import type { CgroupViewMount } from '../../native';
import { cgroupErrors } from './errors';
import { cgroupLayout, cgroupView, type Hierarchy } from './layout';
import type { ResourceLimits } from './limits';
import { planCgroup, type PlannedCgroup } from './plan';
import { removeCgroupDirs, removeStaleCgroups } from './remove';

export interface CgroupDir {
  version: 1 | 2;
  dir: string;
  /** v1: the hierarchy's controllers; v2: the controllers enabled for it */
  controllers: string[];
}

export interface ContainerCgroup {
  readonly dirs: readonly CgroupDir[];
  readonly limits: ResourceLimits;
  /** The v2 directory for CLONE_INTO_CGROUP, or -1. */
  readonly cgroupFd: number;
  /** v1 `tasks` files the child writes itself into before exec. */
  readonly cgroupJoinFds: readonly number[];
  /** What the container sees at /sys/fs/cgroup: the hierarchies it joins, read-only. */
  readonly view: readonly CgroupViewMount[];
  /**
   * Once the child has started (or failed to): closes the descriptors, and removes the stale
   * cgroups of runs that are gone (after the spawn, so that it costs the start nothing).
   */
  started(): void;
  /** Removes the directories (the container's processes must be gone). */
  remove(): void;
}

export interface CgroupOptions {
  limits: ResourceLimits;
  /** The container id; with our pid it names the cgroup, so a later run knows a stale one. */
  id: string;
  debug: (line: string) => void;
  /** For tests: the files that say where our cgroups are. */
  procSelf?: { mountinfo: string; cgroup: string };
  /** Rootless: only the (delegated) v2 hierarchy; an ordinary user cannot make v1 cgroups. */
  v2Only?: boolean;
}

export function createContainerCgroup(options: CgroupOptions): ContainerCgroup {
  const { limits, debug } = options;
  const found = cgroupLayout(
    options.procSelf?.mountinfo ?? fs.readFileSync('/proc/self/mountinfo', 'utf8'),
    options.procSelf?.cgroup ?? fs.readFileSync('/proc/self/cgroup', 'utf8'),
  );
  const layout = options.v2Only ? { v1: [], unified: found.unified } : found;
  const hierarchies = [...layout.v1, ...(layout.unified ? [layout.unified] : [])];
  const unifiedControllers = layout.unified ? readWords(`${layout.unified.ownDir}/cgroup.controllers`) : [];
  const plan = planCgroup(limits, { layout, unifiedControllers, cpuCount: availableParallelism }, `hush-${process.pid}-${options.id}`);
  plan.skipped.forEach(debug);

  const made: CgroupDir[] = [];
  const written = new Set<string>();
  const fds: number[] = [];
  const joined: Hierarchy[] = [];
  let cgroupFd = -1;
  try {
    for (const planned of plan.cgroups) {
      if (!makeOne(planned, written, debug)) continue;
      made.push({ version: planned.version, dir: planned.dir, controllers: planned.controllers });
      const fd = planned.version === 2
        ? openOrSkip(planned, planned.dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY, debug)
        : openOrSkip(planned, `${planned.dir}/tasks`, fs.constants.O_WRONLY, debug);
      if (planned.version === 2) cgroupFd = fd;
      else fds.push(fd);
      if (fd >= 0) joined.push(hierarchies.find((h) => h.ownDir === planned.parentDir)!);
    }
  } catch (err) {
    for (const fd of [...fds, cgroupFd]) if (fd >= 0) fs.closeSync(fd);
    removeCgroupDirs(made.map((d) => d.dir), debug);
    throw err;
  }
  const parents = hierarchies.map((h) => h.ownDir);
  let open = true;
  const closeFds = () => {
    if (!open) return;
    open = false;
    for (const fd of [...fds, cgroupFd]) if (fd >= 0) fs.closeSync(fd);
  };
  return {
    dirs: made,
    // The default pids limit may have been skipped: report only what holds.
    limits: { ...limits, pidsMax: written.has('pids.max') ? limits.pidsMax : undefined },
    cgroupFd,
    cgroupJoinFds: fds.filter((fd) => fd >= 0),
    view: cgroupView(joined),
    started() {
      closeFds();
      removeStaleCgroups(parents, debug);
    },
    remove() {
      closeFds();
      removeCgroupDirs(made.map((d) => d.dir), debug);
    },
  };
}

const requiredFlag = (planned: PlannedCgroup) => planned.writes.find((w) => w.flag !== undefined)?.flag;

/** Makes one directory and writes its limits; false when it is skipped (nothing asked needs it). */
function makeOne(planned: PlannedCgroup, written: Set<string>, debug: (line: string) => void): boolean {
  if (planned.version === 2) delegate(planned, debug);
  try {
    fs.mkdirSync(planned.dir, { mode: 0o755 });
  } catch (err) {
    const code = errnoCode(err);
    const flag = requiredFlag(planned);
    if (flag) throw cgroupErrors.HUSH_ERR_CGROUP_CREATE(flag, planned.dir, code);
    debug(`cannot create ${planned.dir} (${code}): ${planned.writes.length > 0 ? 'the default --pids-limit is not applied' : 'skipped'}`);
    return false;
  }
  // Below a threaded domain a new cgroup is "domain invalid": clone3 into it fails (EOPNOTSUPP).
  if (planned.version === 2 && readWords(`${planned.dir}/cgroup.type`).join(' ') === 'domain invalid') {
    removeCgroupDirs([planned.dir], debug);
    const why = `EOPNOTSUPP: it is "domain invalid", since ${planned.parentDir} is a threaded domain`;
    const flag = requiredFlag(planned);
    if (flag) throw cgroupErrors.HUSH_ERR_CGROUP_CREATE(flag, planned.dir, why);
    debug(`cannot use ${planned.dir} (${why}): ${planned.writes.length > 0 ? 'the default --pids-limit is not applied' : 'skipped'}`);
    return false;
  }
  for (const write of planned.writes) {
    const path = `${planned.dir}/${write.file}`;
    if (write.ifExists && !fs.existsSync(path)) continue;
    try {
      fs.writeFileSync(path, write.value);
      written.add(write.file);
    } catch (err) {
      if (write.flag) {
        removeCgroupDirs([planned.dir], debug);
        throw cgroupErrors.HUSH_ERR_CGROUP_WRITE(write.flag, path, write.value, errnoCode(err));
      }
      debug(`cannot write ${path} (${errnoCode(err)}): the default --pids-limit is not applied`);
    }
  }
  return true;
}

/**
 * v2: our cgroup must hand the controllers down (cgroup.subtree_control). Below the root, a
 * cgroup that holds processes (ours holds hush) cannot: the kernel refuses a domain controller
 * (EBUSY), and takes a threaded one (pids, cpu) only by making the cgroup a threaded domain,
 * whose new children are "domain invalid". So neither is asked of it.
 */
function delegate(planned: PlannedCgroup, debug: (line: string) => void): void {
  const control = `${planned.parentDir}/cgroup.subtree_control`;
  const enabled = readWords(control);
  // The root has no cgroup.type, and may hold processes beside children that use controllers.
  const busy = () => fs.existsSync(`${planned.parentDir}/cgroup.type`) && readWords(`${planned.parentDir}/cgroup.procs`).length > 0;
  for (const controller of [...planned.controllers]) {
    if (enabled.includes(controller)) continue;
    const code = busy() ? 'EBUSY' : writeOrCode(control, `+${controller}`);
    if (code !== undefined) {
      const writes = planned.writes.filter((w) => w.file.startsWith(`${controller}.`));
      const flag = writes.find((w) => w.flag !== undefined)?.flag;
      if (flag) throw cgroupErrors.HUSH_ERR_CGROUP_DELEGATE(flag, controller, planned.parentDir, code);
      debug(`cgroup v2 does not give ${controller} to children of ${planned.parentDir} (${code}): the default --pids-limit is not applied`);
      planned.writes = planned.writes.filter((w) => !writes.includes(w));
      planned.controllers = planned.controllers.filter((c) => c !== controller);
    }
  }
}

function openOrSkip(planned: PlannedCgroup, path: string, flags: number, debug: (line: string) => void): number {
  try {
    return fs.openSync(path, flags);
  } catch (err) {
    const flag = requiredFlag(planned);
    if (flag) throw cgroupErrors.HUSH_ERR_CGROUP_CREATE(flag, path, errnoCode(err));
    debug(`cannot open ${path} (${errnoCode(err)}): the container does not join ${planned.dir}`);
    return -1;
  }
}

/** undefined when written, else the errno code. */
function writeOrCode(path: string, text: string): string | undefined {
  try {
    fs.writeFileSync(path, text);
    return undefined;
  } catch (err) {
    return errnoCode(err);
  }
}

function readWords(path: string): string[] {
  try {
    return fs.readFileSync(path, 'utf8').split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

function errnoCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}
