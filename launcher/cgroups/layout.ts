// Pure: where our own cgroups are, from /proc/self/mountinfo and /proc/self/cgroup. Handles
// cgroup v1 (one hierarchy per controller group), v2 (the unified hierarchy) and the hybrid of
// both, and mounts whose root is not the hierarchy's root (a cgroup namespace, a bind mount).
// Also how the container's own view of them is laid out (cgroupView, below).

import * as path from 'node:path';
import type { CgroupViewMount } from '../../native';

/** The v1 controllers a container's cgroup uses: limits on memory, cpu, pids; cpuacct for usage. */
const v1Controllers = ['memory', 'cpu', 'cpuacct', 'pids'] as const;
export type V1Controller = (typeof v1Controllers)[number];

export interface Hierarchy {
  version: 1 | 2;
  /** v1: the controllers of ours bound to it (cpu and cpuacct may share one); v2: none listed */
  controllers: V1Controller[];
  /** Our own cgroup's directory in this hierarchy, as a host path. */
  ownDir: string;
  /** Where the hierarchy is mounted, and what names it for a new mount (v1: all its controllers). */
  mountPoint: string;
  mountOptions: string[];
}

export interface CgroupLayout {
  v1: Hierarchy[];
  /** The unified (v2) hierarchy, when it is mounted where we can see our cgroup. */
  unified: Hierarchy | undefined;
}

interface CgroupMount {
  fsType: 'cgroup' | 'cgroup2';
  root: string;
  mountPoint: string;
  options: string[];
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
const unescape = (field: string) => field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));

function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    if (!line.includes(' - cgroup')) continue;
    const [left, right] = line.split(' - ');
    if (right === undefined) continue;
    const fields = left.split(' ');
    const [fsType, , superOptions = ''] = right.split(' ');
    if (fsType !== 'cgroup' && fsType !== 'cgroup2') continue;
    mounts.push({ fsType, root: unescape(fields[3]), mountPoint: unescape(fields[4]), options: superOptions.split(',') });
  }
  return mounts;
}

/** `/proc/self/cgroup`: hierarchy id → controllers and our path in it. */
function parseProcCgroup(text: string): { controllers: string[]; path: string }[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const first = line.indexOf(':');
      const second = line.indexOf(':', first + 1);
      const controllers = line.slice(first + 1, second);
      return { controllers: controllers === '' ? [] : controllers.split(','), path: line.slice(second + 1) };
    });
}

/** Our cgroup's directory under a mount, or undefined when the mount does not reach it. */
function dirUnder(mount: CgroupMount, ownPath: string): string | undefined {
  const root = mount.root === '/' ? '' : mount.root;
  if (ownPath !== root && !ownPath.startsWith(root + '/')) return undefined;
  return (mount.mountPoint + ownPath.slice(root.length)).replace(/\/+$/, '') || '/';
}

/** The first mount that reaches our cgroup, and our directory under it. */
function reaching(mounts: CgroupMount[], ownPath: string): { mount: CgroupMount; dir: string } | undefined {
  for (const mount of mounts) {
    const dir = dirUnder(mount, ownPath);
    if (dir !== undefined) return { mount, dir };
  }
  return undefined;
}

export function cgroupLayout(mountinfo: string, procCgroup: string): CgroupLayout {
  const mounts = parseCgroupMounts(mountinfo);
  const layout: CgroupLayout = { v1: [], unified: undefined };
  for (const entry of parseProcCgroup(procCgroup)) {
    if (entry.controllers.length === 0) {
      const found = reaching(mounts.filter((m) => m.fsType === 'cgroup2'), entry.path);
      if (found) layout.unified = { version: 2, controllers: [], ownDir: found.dir, mountPoint: found.mount.mountPoint, mountOptions: [] };
      continue;
    }
    const ours = v1Controllers.filter((c) => entry.controllers.includes(c));
    if (ours.length === 0) continue;
    const found = reaching(mounts.filter((m) => m.fsType === 'cgroup' && ours.every((c) => m.options.includes(c))), entry.path);
    if (found) layout.v1.push({ version: 1, controllers: ours, ownDir: found.dir, mountPoint: found.mount.mountPoint, mountOptions: entry.controllers });
  }
  return layout;
}

/** The v1 hierarchy that holds a controller, if any. */
export function v1Holding(layout: CgroupLayout, controller: V1Controller): Hierarchy | undefined {
  return layout.v1.find((h) => h.controllers.includes(controller));
}

// What the container sees at /sys/fs/cgroup (native/src/cgroup-view.c mounts it): its own
// cgroups, read-only, through its cgroup namespace, laid out as the host's are. A cgroup2 host
// (the unified hierarchy mounted at /sys/fs/cgroup) gets one read-only cgroup2 mount there;
// otherwise a read-only tmpfs holds one read-only mount per hierarchy the container was placed
// in, named as the host names it (memory, cpu,cpuacct, pids, unified), as crun and podman do for
// a private cgroup namespace. A hierarchy the container was not placed in is left out: its
// namespace root there would be hush's own cgroup, whose other children are other containers.

const viewRoot = '/sys/fs/cgroup';

export function cgroupView(joined: readonly Hierarchy[]): CgroupViewMount[] {
  if (joined.length === 1 && joined[0].version === 2 && joined[0].mountPoint === viewRoot) return [{ dir: '', fsType: 'cgroup2', options: [] }];
  const view: CgroupViewMount[] = [];
  for (const hierarchy of joined) {
    const dir = path.posix.basename(hierarchy.mountPoint);
    // Two mount points of one name, or a name that is no plain directory name: leave it out.
    if (dir === '' || dir === '.' || dir === '..' || view.some((m) => m.dir === dir)) continue;
    view.push({ dir, fsType: hierarchy.version === 2 ? 'cgroup2' : 'cgroup', options: [...hierarchy.mountOptions] });
  }
  return view;
}
