// Walks a directory tree one component at a time, each opened with O_NOFOLLOW|O_DIRECTORY
// relative to its parent's descriptor (through /proc/self/fd/N/NAME, Node's stand-in for
// openat), so that no symlink in the tree is ever followed: whatever a layer or an image put
// there, every operation lands inside the root. Used by the layer unpacker and to put hush's
// files into an image's root.

import * as fs from 'node:fs';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = fs.constants;

export class UnsafePathError extends Error {
  override readonly name = 'UnsafePathError';
}

/** Components of a path inside the root: leading '/' and '.' dropped, '..' refused. */
export function pathComponents(name: string): string[] {
  const parts = name.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw new UnsafePathError("'..' is not allowed");
  if (name.includes('\0')) throw new UnsafePathError('NUL in the name');
  return parts;
}

export class SafeDir {
  private readonly fds = new Map<string, number>();

  private constructor(readonly rootFd: number) {
    this.fds.set('', rootFd);
  }

  static open(root: string): SafeDir {
    return new SafeDir(fs.openSync(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  }

  /** The path of NAME in the directory `fd`, for Node's path-taking calls. */
  static at(fd: number, name: string): string {
    return `/proc/self/fd/${fd}/${name}`;
  }

  /** The descriptor of the directory at `parts`, creating missing ones (mode 0755) if asked. */
  dir(parts: readonly string[], create: boolean): number {
    let key = '';
    let fd = this.rootFd;
    for (const part of parts) {
      const next = key === '' ? part : `${key}/${part}`;
      let child = this.fds.get(next);
      if (child === undefined) {
        child = this.openChildDir(fd, part, create, next);
        this.fds.set(next, child);
      }
      key = next;
      fd = child;
    }
    return fd;
  }

  private openChildDir(parent: number, name: string, create: boolean, shown: string): number {
    const where = SafeDir.at(parent, name);
    try {
      return fs.openSync(where, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && create) {
        fs.mkdirSync(where, 0o755);
        return fs.openSync(where, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      }
      if (code === 'ELOOP' || code === 'ENOTDIR') throw new UnsafePathError(`${shown} is a symlink or not a directory`);
      if (code === 'ENOENT') throw new UnsafePathError(`${shown} does not exist inside the root`);
      throw err;
    }
  }

  /** What is at NAME in `parentFd`, without following it. */
  /** The text of the regular file `name` in the directory `parentFd`, never through a symlink. */
  static readText(parentFd: number, name: string): string {
    const fd = fs.openSync(SafeDir.at(parentFd, name), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      return fs.readFileSync(fd, 'utf8');
    } finally {
      fs.closeSync(fd);
    }
  }

  static lstat(parentFd: number, name: string): fs.Stats | undefined {
    try {
      return fs.lstatSync(SafeDir.at(parentFd, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Removes NAME (a whole tree for a directory) and forgets descriptors under it. */
  remove(parts: readonly string[]): void {
    const parent = this.dir(parts.slice(0, -1), false);
    const key = parts.join('/');
    for (const [cached, fd] of this.fds) {
      if (cached === key || cached.startsWith(`${key}/`)) {
        fs.closeSync(fd);
        this.fds.delete(cached);
      }
    }
    fs.rmSync(SafeDir.at(parent, parts[parts.length - 1]), { recursive: true, force: true });
  }

  /** Closes cached descriptors once there are many (call between operations, never inside one). */
  trim(limit = 256): void {
    if (this.fds.size <= limit) return;
    for (const [key, fd] of this.fds) if (key !== '') fs.closeSync(fd);
    this.fds.clear();
    this.fds.set('', this.rootFd);
  }

  close(): void {
    for (const fd of this.fds.values()) fs.closeSync(fd);
    this.fds.clear();
  }
}
