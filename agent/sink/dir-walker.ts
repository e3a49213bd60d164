// Opens directories under the secrets root one component at a time without ever following a
// symlink. Node has no openat(), so each step goes through /proc/self/fd/N/NAME: the kernel
// resolves the magic link to the very directory we hold open, then looks NAME up in it with
// O_NOFOLLOW. Nothing planted on the path (a symlink, a directory swapped for a link between
// two checks) can redirect a write outside the root.

import { constants as C } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';

const DIR_FLAGS = C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW; // libuv adds O_CLOEXEC

/** The path of NAME inside an open directory. */
export const at = (dir: FileHandle, name: string) => `/proc/self/fd/${dir.fd}/${name}`;

/** Why a directory on the path cannot be used: `at` is its path relative to the root. */
export class WalkError extends Error {
  constructor(
    readonly kind: 'symlink' | 'io',
    readonly at: string,
    readonly errno: string,
  ) {
    super(`${at}: ${kind === 'symlink' ? 'a symlink or not a directory' : errno}`);
  }
}

export interface DirWalker {
  /** The open directory for a relative dir path ('' is the root); creates missing ones. */
  dir(rel: string, create: boolean): Promise<FileHandle | undefined>;
  close(): Promise<void>;
}

export function createDirWalker(
  root: FileHandle,
  owner: { uid?: number; gid?: number },
): DirWalker {
  const opened = new Map<string, Promise<FileHandle | undefined>>();
  const handles: FileHandle[] = [];

  const openChild = async (parent: FileHandle, name: string, rel: string, create: boolean) => {
    try {
      const h = await open(at(parent, name), DIR_FLAGS);
      handles.push(h);
      return h;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP' || code === 'ENOTDIR') throw new WalkError('symlink', rel, code);
      if (code !== 'ENOENT') throw new WalkError('io', rel, code ?? 'error');
      if (!create) return undefined;
    }
    try {
      await mkdir(at(parent, name), 0o700);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new WalkError('io', rel, (err as NodeJS.ErrnoException).code ?? 'error');
      }
    }
    let h: FileHandle;
    try {
      h = await open(at(parent, name), DIR_FLAGS);
    } catch (err) {
      throw new WalkError('symlink', rel, (err as NodeJS.ErrnoException).code ?? 'error');
    }
    handles.push(h);
    if (owner.uid !== undefined || owner.gid !== undefined) await h.chown(owner.uid ?? -1, owner.gid ?? -1);
    await h.chmod(0o700);
    return h;
  };

  const dir = (rel: string, create: boolean): Promise<FileHandle | undefined> => {
    if (rel === '') return Promise.resolve(root);
    const key = `${create ? 'c' : 'o'}:${rel}`;
    let p = opened.get(key);
    if (!p) {
      const cut = rel.lastIndexOf('/');
      const parentRel = cut < 0 ? '' : rel.slice(0, cut);
      const name = rel.slice(cut + 1);
      p = dir(parentRel, create).then((parent) => (parent ? openChild(parent, name, rel, create) : undefined));
      opened.set(key, p);
    }
    return p;
  };

  return {
    dir,
    close: async () => {
      await Promise.all(handles.splice(0).map((h) => h.close().catch(() => undefined)));
    },
  };
}
