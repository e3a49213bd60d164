// Removing cgroups: a container's once its processes are gone (the kernel may take a moment
// after the last exit before a cgroup can go: EBUSY, retried briefly), and stale ones. After
// `kill -9` of hush its container dies too (parent-death signal), but its cgroups stay: each
// run removes the hush cgroups beside its own whose launcher is gone and which are empty. A
// cgroup is named hush-PID-ID after the hush that made it, so a live run's is never touched.

import * as fs from 'node:fs';

const attempts = 20;
const pauseMs = 5;
const pause = new Int32Array(new SharedArrayBuffer(4));

/** Removes each directory; what cannot be removed is named in a debug line (a later run retries). */
export function removeCgroupDirs(dirs: readonly string[], debug: (line: string) => void): void {
  for (const dir of dirs) {
    for (let attempt = 1; ; attempt++) {
      const code = removeOne(dir);
      if (code === undefined) break;
      if (code !== 'EBUSY' || attempt === attempts) {
        debug(`cannot remove ${dir} (${code}): the next run removes it once it is empty`);
        break;
      }
      // v2: whatever is still in it (there should be nothing once PID 1 is gone) is killed.
      if (attempt === 1) killRemaining(dir);
      Atomics.wait(pause, 0, 0, pauseMs);
    }
  }
}

/** undefined when removed (or already gone), else the errno code. */
function removeOne(dir: string): string | undefined {
  try {
    fs.rmdirSync(dir);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    return code === 'ENOENT' ? undefined : code;
  }
}

function killRemaining(dir: string): void {
  try {
    fs.writeFileSync(`${dir}/cgroup.kill`, '1');
  } catch {
    // v1 has no cgroup.kill; the pid namespace already took its processes with PID 1.
  }
}

/** A container's cgroup (hush-PID-ID) or the leaf hush moved into (own-leaf.ts). */
const ownName = /^hush-(\d+)-(?:[0-9a-f]+|launcher)$/;

/** True when no process has this pid (as seen from our pid namespace). */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Names of stale hush cgroups under `parent` (pure but for the pid check). */
export function staleNames(names: readonly string[], isGone: (pid: number) => boolean = gone): string[] {
  return names.filter((name) => {
    const match = ownName.exec(name);
    return match !== null && isGone(Number(match[1]));
  });
}

export function removeStaleCgroups(parents: readonly string[], debug: (line: string) => void): void {
  for (const parent of parents) {
    let names: string[];
    try {
      names = fs.readdirSync(parent);
    } catch {
      continue;
    }
    for (const name of staleNames(names)) {
      const code = removeOne(`${parent}/${name}`);
      debug(code === undefined ? `removed the stale cgroup ${parent}/${name}` : `left the stale cgroup ${parent}/${name} (${code})`);
    }
  }
}
