// Pure: what the container sees at /sys/fs/cgroup (native/src/cgroup-view.c mounts it): its own
// cgroups, read-only, through its cgroup namespace, laid out as the host's are. A cgroup2 host
// (the unified hierarchy mounted at /sys/fs/cgroup) gets one read-only cgroup2 mount there;
// otherwise a read-only tmpfs holds one read-only mount per hierarchy the container was placed
// in, named as the host names it (memory, cpu,cpuacct, pids, unified), as crun and podman do for
// a private cgroup namespace. A hierarchy the container was not placed in is left out: its
// namespace root there would be hush's own cgroup, whose other children are other containers.

import * as path from 'node:path';
import type { CgroupViewMount } from '../../native';
import type { Hierarchy } from './layout';

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
