// Reading the store file safely: refuse symlinks, FIFOs, directories and devices before
// opening (and again on the open descriptor), and refuse oversized files before reading them.

import { constants, promises as fsp } from 'node:fs';
import { E } from './errors';
import { maxFileBytes } from './format';

function kindOf(stat: { isSymbolicLink(): boolean; isFIFO(): boolean; isDirectory(): boolean; isSocket(): boolean }): string {
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isDirectory()) return 'a directory';
  if (stat.isSocket()) return 'a socket';
  return 'a device or special file';
}

function ioError(where: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return E.HUSH_ERR_STORE_NOT_FOUND(where);
  return E.HUSH_ERR_STORE_IO(where, `cannot read (${code ?? String(err)})`);
}

/** Returns the bytes of the store, or throws a store error. `where` names the file in errors. */
export async function readStoreFile(path: string, where = path): Promise<Uint8Array> {
  let stat;
  try {
    stat = await fsp.lstat(path);
  } catch (err) {
    throw ioError(where, err);
  }
  if (!stat.isFile()) throw E.HUSH_ERR_STORE_NOT_REGULAR(where, kindOf(stat));
  if (stat.size > maxFileBytes) throw E.HUSH_ERR_STORE_TOO_LARGE(where, stat.size, maxFileBytes);
  let handle;
  try {
    handle = await fsp.open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw E.HUSH_ERR_STORE_NOT_REGULAR(where, 'a symbolic link');
    throw ioError(where, err);
  }
  try {
    const fstat = await handle.stat();
    if (!fstat.isFile()) throw E.HUSH_ERR_STORE_NOT_REGULAR(where, kindOf(fstat));
    if (fstat.size > maxFileBytes) throw E.HUSH_ERR_STORE_TOO_LARGE(where, fstat.size, maxFileBytes);
    const buf = Buffer.alloc(Math.min(fstat.size + 1, maxFileBytes + 1));
    let total = 0;
    for (;;) {
      if (total === buf.length) break;
      const { bytesRead } = await handle.read(buf, total, buf.length - total, total);
      if (bytesRead === 0) break;
      total += bytesRead;
    }
    if (total > maxFileBytes) throw E.HUSH_ERR_STORE_TOO_LARGE(where, total, maxFileBytes);
    return new Uint8Array(buf.buffer, buf.byteOffset, total);
  } finally {
    await handle.close();
  }
}

/** Throws when something other than a regular file (or nothing) sits at `path`. */
export async function checkWritableTarget(path: string, where = path): Promise<{ exists: boolean; mode: number }> {
  try {
    const stat = await fsp.lstat(path);
    if (!stat.isFile()) throw E.HUSH_ERR_STORE_NOT_REGULAR(where, kindOf(stat));
    return { exists: true, mode: stat.mode & 0o7777 };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false, mode: 0o600 };
    throw err;
  }
}
