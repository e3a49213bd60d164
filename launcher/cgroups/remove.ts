// Removing a container's cgroup directories once its processes are gone. The kernel may take a
// moment after the last exit before a cgroup can go (EBUSY): retry briefly, then say so.

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
export function removeOne(dir: string): string | undefined {
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
