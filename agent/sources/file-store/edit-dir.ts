// The private directory that holds plaintext while `hush store edit` runs. It lives on a
// memory-only filesystem: $XDG_RUNTIME_DIR/hush when XDG_RUNTIME_DIR is set, else
// /dev/shm/hush-<uid>. A disk-backed location is refused unless explicitly allowed. A directory
// rather than a bare file, because editors drop swap and backup files next to what they edit.
// Directories of editors that were killed (SIGKILL cannot be caught) are swept on the next run.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { E } from './errors';
import { isAlive } from './lock';
import { hushRuntimeDir } from '../../runtime-dir';
import { RAMFS_MAGIC, TMPFS_MAGIC } from '../../sink/memory-fs';


export function isMemoryBacked(dir: string): boolean {
  try {
    const type = fs.statfsSync(dir).type;
    return type === TMPFS_MAGIC || type === RAMFS_MAGIC;
  } catch {
    return false;
  }
}

export function editBaseDir(env: NodeJS.ProcessEnv): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return hushRuntimeDir(env, `/dev/shm/hush-${uid}`);
}

function ensurePrivateDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw E.HUSH_ERR_STORE_TEMP_DIR(dir, `cannot create (${(err as NodeJS.ErrnoException).code})`);
    }
  }
  const stat = fs.lstatSync(dir);
  const uid = typeof process.getuid === 'function' ? process.getuid() : stat.uid;
  if (!stat.isDirectory() || stat.uid !== uid || (stat.mode & 0o077) !== 0) {
    throw E.HUSH_ERR_STORE_TEMP_DIR(dir, 'exists but is not a private (0700) directory owned by you; refusing to put plaintext there');
  }
}

export function sweepEditDirs(base: string): number {
  let swept = 0;
  let names: string[] = [];
  try {
    names = fs.readdirSync(base);
  } catch {
    return 0;
  }
  for (const name of names) {
    const m = /^edit-(\d+)-[0-9a-f]+$/.exec(name);
    if (!m || isAlive(Number(m[1]))) continue;
    fs.rmSync(path.join(base, name), { recursive: true, force: true });
    swept++;
  }
  return swept;
}

export interface EditDir {
  dir: string;
  remove(): void;
}

export function createEditDir(env: NodeJS.ProcessEnv, allowDisk: boolean): EditDir {
  const base = editBaseDir(env);
  const parent = path.dirname(base);
  if (!fs.existsSync(parent)) throw E.HUSH_ERR_STORE_TEMP_DIR(parent, 'does not exist');
  if (!isMemoryBacked(parent) && !allowDisk) {
    throw E.HUSH_ERR_STORE_TEMP_DIR(parent, 'is on a disk-backed filesystem, where plaintext could persist; ' +
      'set XDG_RUNTIME_DIR to a tmpfs, or pass --allow-disk-temp to accept the risk');
  }
  ensurePrivateDir(base);
  sweepEditDirs(base);
  const dir = path.join(base, `edit-${process.pid}-${randomBytes(6).toString('hex')}`);
  fs.mkdirSync(dir, { mode: 0o700 });
  let removed = false;
  return {
    dir,
    remove() {
      if (removed) return;
      removed = true;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
