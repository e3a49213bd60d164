// After `kill -9` of hush its container dies too (parent-death signal), but its cgroup stays:
// each run removes the hush cgroups beside its own whose launcher is gone and which are empty.
// A cgroup is named hush-PID-ID after the hush that made it, so a live run's is never touched.

import * as fs from 'node:fs';
import { removeOne } from './remove';

const ownName = /^hush-(\d+)-[0-9a-f]+$/;

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
