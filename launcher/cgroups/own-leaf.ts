// cgroup v2's rule against internal processes: below the root, a cgroup that holds processes
// cannot hand controllers to children. When hush is the only process in its own cgroup (a
// scope or a service of its own, delegated as systemd's Delegate=yes does), it moves into a
// leaf beside its containers' cgroups, `hush-PID-launcher`, as podman does, and its cgroup can
// then hand them down. The next run removes the leaf once hush is gone (remove.ts).

import * as fs from 'node:fs';

const launcherLeafName = (pid: number) => `hush-${pid}-launcher`;

/** True when hush moved into a leaf of `parent`, which then holds no process. */
export function moveIntoOwnLeaf(parent: string, debug: (line: string) => void): boolean {
  const others = fs.readFileSync(`${parent}/cgroup.procs`, 'utf8').split(/\s+/).filter((pid) => pid !== '' && pid !== String(process.pid));
  if (others.length > 0) {
    debug(`${parent} holds processes other than hush (${others.slice(0, 5).join(', ')}${others.length > 5 ? ', ...' : ''}): it cannot be left empty`);
    return false;
  }
  const leaf = `${parent}/${launcherLeafName(process.pid)}`;
  try {
    fs.mkdirSync(leaf, { mode: 0o755 });
    fs.writeFileSync(`${leaf}/cgroup.procs`, String(process.pid));
  } catch (err) {
    debug(`cannot move hush into ${leaf} (${(err as NodeJS.ErrnoException).code}): ${parent} keeps its controllers`);
    try {
      fs.rmdirSync(leaf);
    } catch {
      // not made, or not empty
    }
    return false;
  }
  debug(`moved hush into ${leaf}, so that ${parent} can hand controllers to the container's cgroup`);
  return true;
}
