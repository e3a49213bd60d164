// The safe layer writer: one tar layer → a fresh directory, where no entry can land outside
// it. tar-stream parses; every write goes through SafeDir (no symlink is ever followed, so a
// symlink made by one entry cannot be written through by the next); names with '..' are
// refused, leading '/' is dropped (as docker does); hard links must name a non-directory
// already inside the layer. Device nodes are made only as root (not in a user namespace).
// Modes, owners (as root, of the host or of a rootless store's user namespace), mtimes and
// security.capability / user.* xattrs are kept. Whiteouts become overlay whiteouts: `.wh.X` a
// char 0:0 device X, `.wh..wh..opq` the opaque xattr on its directory.

import * as fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { native } from '../../native';
import { imageErrors } from './errors';
import { readTar, type TarEntry } from './tar-reader';
import { pathComponents, SafeDir, UnsafePathError } from './safe-dir';

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
const whiteoutPrefix = '.wh.';
const opaqueMarker = '.wh..wh..opq';
const keptXattr = (key: string) => key === 'security.capability' || key.startsWith('user.');

export interface UnpackOptions {
  /** Root may chown and make device nodes; others keep their own uid and skip devices. */
  asRoot: boolean;
  /** Root of a rootless store's user namespace (unpack-worker.ts): owners kept (the kernel
   * shifts them), no device nodes, and the opaque xattr in user.* (the overlay's userxattr). */
  inUserns?: boolean;
  /** Why an entry's owner cannot be stored, or undefined (checked before each chown). */
  checkOwner?: (uid: number, gid: number) => string | undefined;
  /** Strip this first component from every name (an ACI's 'rootfs'); others are skipped. */
  under?: string;
  /** Shown in errors. */
  layer: string;
}

export interface UnpackResult {
  entries: number;
  skippedDevices: number;
}

interface DirMetadata {
  parts: string[];
  entry: TarEntry;
}

export async function unpackLayer(tar: Readable, target: string, options: UnpackOptions): Promise<UnpackResult> {
  const root = SafeDir.open(target);
  const dirs: DirMetadata[] = [];
  const result: UnpackResult = { entries: 0, skippedDevices: 0 };
  const opaqueKey = options.asRoot && !options.inUserns ? 'trusted.overlay.opaque' : 'user.overlay.opaque';
  try {
    await readTar(tar, async (entry, body) => {
      let parts: string[];
      try {
        parts = pathComponents(entry.name);
      } catch (err) {
        throw unsafe(options.layer, entry.name, (err as Error).message);
      }
      if (options.under !== undefined) {
        if (parts[0] !== options.under) return;
        parts = parts.slice(1);
      }
      if (parts.length === 0) return;
      root.trim();
      result.entries++;
      try {
        await writeEntry(root, parts, entry, body, options, opaqueKey, dirs, result);
      } catch (err) {
        if (err instanceof UnsafePathError) throw unsafe(options.layer, entry.name, err.message);
        throw new Error(`entry ${JSON.stringify(entry.name)}: ${(err as Error).message}`);
      }
    });
    // Directories last, deepest first: creating their children changed their mtimes.
    for (const { parts, entry } of dirs.sort((a, b) => b.parts.length - a.parts.length)) {
      root.trim();
      applyMetadata(root.dir(parts, false), entry, options);
    }
  } finally {
    root.close();
  }
  return result;
}

function unsafe(layer: string, entry: string, why: string): Error {
  return imageErrors.HUSH_ERR_IMAGE_UNSAFE_ENTRY(layer, entry, why);
}

async function writeEntry(
  root: SafeDir,
  parts: string[],
  entry: TarEntry,
  body: Readable,
  options: UnpackOptions,
  opaqueKey: string,
  dirs: DirMetadata[],
  result: UnpackResult,
): Promise<void> {
  const addon = native();
  const name = parts[parts.length - 1];
  const parentParts = parts.slice(0, -1);
  const parent = root.dir(parentParts, true);

  if (name === opaqueMarker) {
    addon.setXattrAt(parent, '', opaqueKey, Buffer.from('y'));
    return;
  }
  if (name.startsWith(whiteoutPrefix)) {
    const hidden = name.slice(whiteoutPrefix.length);
    if (hidden === '' || hidden === '.' || hidden === '..') throw new UnsafePathError('a whiteout must name an entry');
    if (SafeDir.lstat(parent, hidden)) root.remove([...parentParts, hidden]);
    addon.mknodAt(parent, hidden, fs.constants.S_IFCHR, 0, 0);
    return;
  }

  const existing = SafeDir.lstat(parent, name);
  if (existing && !(existing.isDirectory() && entry.type === 'directory')) root.remove(parts);
  const where = SafeDir.at(parent, name);

  switch (entry.type) {
    case 'directory':
      if (!existing?.isDirectory()) fs.mkdirSync(where, 0o700);
      dirs.push({ parts, entry });
      return;
    case 'file': {
      const fd = fs.openSync(where, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
      try {
        await pipeline(body, fs.createWriteStream('', { fd, autoClose: false }));
        applyMetadata(fd, entry, options);
      } finally {
        fs.closeSync(fd);
      }
      return;
    }
    case 'symlink':
      fs.symlinkSync(entry.linkname, where);
      if (options.asRoot) fs.lchownSync(where, ...owner(entry, options));
      fs.lutimesSync(where, entry.mtime, entry.mtime);
      return;
    case 'link': {
      const targetParts = pathComponents(entry.linkname);
      if (targetParts.length === 0) throw new UnsafePathError('a hard link must name a file');
      const targetParent = root.dir(targetParts.slice(0, -1), false);
      const target = SafeDir.lstat(targetParent, targetParts[targetParts.length - 1]);
      if (!target) throw new UnsafePathError(`hard link target ${JSON.stringify(entry.linkname)} is not in the layer`);
      if (target.isDirectory()) throw new UnsafePathError('a hard link cannot name a directory');
      fs.linkSync(SafeDir.at(targetParent, targetParts[targetParts.length - 1]), where);
      return;
    }
    case 'character-device':
    case 'block-device':
    case 'fifo': {
      if (entry.type !== 'fifo' && (!options.asRoot || options.inUserns)) {
        result.skippedDevices++;
        return;
      }
      const kind = entry.type === 'fifo' ? fs.constants.S_IFIFO : entry.type === 'block-device' ? fs.constants.S_IFBLK : fs.constants.S_IFCHR;
      addon.mknodAt(parent, name, kind | (entry.mode & 0o777), entry.devmajor, entry.devminor);
      if (options.asRoot) fs.lchownSync(where, ...owner(entry, options));
      fs.chmodSync(where, entry.mode);
      fs.lutimesSync(where, entry.mtime, entry.mtime);
      return;
    }
    default:
      throw new UnsafePathError('an entry of an unsupported type');
  }
}

function owner(entry: TarEntry, options: UnpackOptions): [number, number] {
  const refused = options.checkOwner?.(entry.uid, entry.gid);
  if (refused) throw new Error(refused);
  return [entry.uid, entry.gid];
}

/** Owner before mode (chown clears set-id bits), xattrs, then times; on an open descriptor. */
function applyMetadata(fd: number, entry: TarEntry, options: UnpackOptions): void {
  if (options.asRoot) fs.fchownSync(fd, ...owner(entry, options));
  fs.fchmodSync(fd, entry.mode);
  for (const [key, value] of entry.xattrs) {
    if (keptXattr(key)) native().setXattrAt(fd, '', key, value);
  }
  fs.futimesSync(fd, entry.mtime, entry.mtime);
}
