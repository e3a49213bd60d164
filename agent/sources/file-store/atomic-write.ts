// Atomic replacement of the store file: write a temporary file in the same directory
// (exclusive create, 0600), fsync it, rename it over the store, fsync the directory. A crash at
// any point leaves either the old file or the new one; on any failure the temporary is removed.
// The filesystem calls go through `ops` so tests can fail each step in turn.

import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { E } from './errors';

export interface WriteOps {
  open(file: string, flags: string, mode: number): number;
  write(fd: number, data: Uint8Array): void;
  fsync(fd: number): void;
  fchmod(fd: number, mode: number): void;
  close(fd: number): void;
  rename(from: string, to: string): void;
  unlink(file: string): void;
  openDir(dir: string): number;
}

export const realWriteOps: WriteOps = {
  open: (file, flags, mode) => fs.openSync(file, flags, mode),
  write: (fd, data) => {
    let off = 0;
    while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
  },
  fsync: (fd) => fs.fsyncSync(fd),
  fchmod: (fd, mode) => fs.fchmodSync(fd, mode),
  close: (fd) => fs.closeSync(fd),
  rename: (from, to) => fs.renameSync(from, to),
  unlink: (file) => fs.unlinkSync(file),
  openDir: (dir) => fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY),
};

export function tempNameFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

export function writeFileAtomic(file: string, data: Uint8Array, mode: number, ops: WriteOps = realWriteOps, where = file): void {
  const tmp = tempNameFor(file);
  let fd: number | undefined;
  let renamed = false;
  try {
    fd = ops.open(tmp, 'wx', 0o600);
    ops.write(fd, data);
    if (mode !== 0o600) ops.fchmod(fd, mode);
    ops.fsync(fd);
    ops.close(fd);
    fd = undefined;
    ops.rename(tmp, file);
    renamed = true;
    const dirFd = ops.openDir(path.dirname(file));
    try {
      ops.fsync(dirFd);
    } finally {
      ops.close(dirFd);
    }
  } catch (err) {
    if (fd !== undefined) {
      try {
        ops.close(fd);
      } catch {
        // already failing; the first error is the one to report
      }
    }
    if (!renamed) {
      try {
        ops.unlink(tmp);
      } catch {
        // the temporary may not exist
      }
      const code = (err as NodeJS.ErrnoException).code;
      throw E.HUSH_ERR_STORE_IO(where, `cannot save (${code ?? (err as Error).message}); the store was not changed`);
    }
    // The rename happened: the new content is in place, only its durability is unconfirmed.
    const code = (err as NodeJS.ErrnoException).code;
    throw E.HUSH_ERR_STORE_IO(where, `saved, but syncing the directory failed (${code ?? (err as Error).message})`);
  }
}

/** Removes temporaries left by saves of processes that no longer run. */
export function sweepTemporaries(file: string, isAlive: (pid: number) => boolean): void {
  const dir = path.dirname(file);
  const prefix = `.${path.basename(file)}.`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) {
      try {
        fs.unlinkSync(path.join(dir, name));
      } catch {
        // someone else swept it
      }
    }
  }
}
