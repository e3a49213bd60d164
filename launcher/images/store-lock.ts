// Advisory locks between hush processes sharing an image store: a file created with O_EXCL
// that holds the owner's pid. A lock whose owner is gone (killed, crashed) is taken over, so
// `kill -9` never wedges the store.

import * as fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockOwner(file: string): number {
  try {
    return Number(fs.readFileSync(file, 'utf8').trim());
  } catch {
    return 0;
  }
}

/** Waits until `file` is ours; returns the function that releases it. */
export async function acquireLock(file: string, pollMs = 50): Promise<() => void> {
  for (;;) {
    try {
      const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o644);
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = lockOwner(file);
    // An empty file is a lock being written; only a named dead owner is taken over.
    if (owner > 0 && !processAlive(owner)) fs.rmSync(file, { force: true });
    else await sleep(pollMs);
  }
}

/** The live pids among `<pid>.*` names (temporaries and pull markers). */
export function ownerPid(name: string): number {
  return Number(name.split('.')[0]);
}
