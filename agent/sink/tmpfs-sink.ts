// The writer of the secrets directory. Every file is written as: a temporary name in the same
// directory (created O_EXCL|O_NOFOLLOW with the policy's mode), the bytes, fchown to the app's
// user, fsync (not on tmpfs or ramfs, where it does nothing), then rename over the final name. A reader sees the old
// content or the new, never a mix and never an empty file. A file is rewritten only when its
// bytes or mode changed: the last bytes written are kept (the runner holds the same objects, so
// this costs no memory, and an unchanged file is skipped without reading its bytes), and the
// first time a name is seen (after a restart) what is on disk is compared too. Nothing is ever
// followed through a symlink. Files are written in batches per directory by the native addon,
// relative to the directory's descriptor (openat/renameat): through Node's fs each file cost
// several path lookups via /proc/self/fd and a trip through the thread pool.

import * as fs from 'node:fs';
import { constants as C } from 'node:fs';
import { open, readdir, rmdir, unlink, type FileHandle } from 'node:fs/promises';
import { sameBytes } from '../core/diff';
import { checkMemoryFs } from './memory-fs';
import { native } from '../../native';
import type { Logger } from '../log';
import { fileNameProblem, reservedPrefix } from '../core/file-names';
import { sinkErrors } from './errors';
import { at, createDirWalker, WalkError, type DirWalker } from './dir-walker';
import type { SecretSink, SinkFile, SinkResult } from './types';

export interface TmpfsSinkOptions {
  /** The secrets directory (may be a magic link such as /proc/self/fd/N). */
  root: string;
  /** Owner of files and directories; undefined keeps the agent's own. */
  uid?: number;
  gid?: number;
  logger?: Logger;
}

interface Known {
  bytes: Uint8Array;
  mode: number;
}

/** Files written between two turns of the event loop, so that a big render stays responsive. */
const batch = 512;
const codeOf = (err: unknown) => (err as NodeJS.ErrnoException).code ?? 'error';
const split = (rel: string) => {
  const cut = rel.lastIndexOf('/');
  return { dir: cut < 0 ? '' : rel.slice(0, cut), base: rel.slice(cut + 1) };
};

export function createTmpfsSink(options: TmpfsSinkOptions): SecretSink {
  const { root, uid, gid, logger } = options;
  const owner = { uid, gid };
  const known = new Map<string, Known>();
  let counter = 0;
  let queue: Promise<unknown> = Promise.resolve();
  // fsync on tmpfs or ramfs does nothing but cost a syscall; on a disk (--allow-disk) it matters.
  let onMemoryFs = false;
  // A directory that held nothing of ours at start has nothing on disk to compare with.
  let startedEmpty = false;
  // Files are created with their final mode; fchmod only where the umask would strip bits.
  const umask = process.umask();
  const chownNeeded = (uid !== undefined && uid !== process.geteuid?.()) || (gid !== undefined && gid !== process.getegid?.());

  const openRoot = async (): Promise<FileHandle> => {
    try {
      return await open(root, C.O_RDONLY | C.O_DIRECTORY);
    } catch (err) {
      throw sinkErrors.HUSH_ERR_SINK_ROOT(root, `cannot open it as a directory (${codeOf(err)})`);
    }
  };

  const tempName = () => `${reservedPrefix}tmp-${process.pid}-${++counter}`;
  const chmodNeeded = (mode: number) => (mode & umask) !== 0 || (mode & ~0o777) !== 0;

  /**
   * Writes files into one open directory, each atomically (native/src/write-files.c: a new
   * temporary name created with its mode, the bytes, owner, mode, fsync off tmpfs, rename).
   * Returns, per file, null or the errno name of the step that failed.
   */
  const writeBatch = (dir: FileHandle, files: { base: string; file: SinkFile }[]): (string | null)[] =>
    native().writeFilesAt(
      dir.fd,
      files.map(({ base, file }) => [base, tempName(), file.bytes, file.mode, chmodNeeded(file.mode)]),
      chownNeeded ? (uid ?? -1) : -1,
      chownNeeded ? (gid ?? -1) : -1,
      !onMemoryFs,
    );

  /** True when the file on disk already holds exactly these bytes, mode and owner. */
  const sameOnDisk = (dir: FileHandle, base: string, rel: string, file: SinkFile): boolean => {
    const st = fs.lstatSync(at(dir, base), { throwIfNoEntry: false });
    if (!st) return false;
    if (st.isSymbolicLink()) {
      logger?.warn('replacing a symlink planted at a secret file', { file: rel });
      return false;
    }
    if (!st.isFile() || st.size !== file.bytes.byteLength || (st.mode & 0o7777) !== file.mode) return false;
    if ((uid !== undefined && st.uid !== uid) || (gid !== undefined && st.gid !== gid)) return false;
    let fd: number;
    try {
      fd = fs.openSync(at(dir, base), C.O_RDONLY | C.O_NOFOLLOW | C.O_NONBLOCK);
    } catch {
      return false;
    }
    try {
      return sameBytes(fs.readFileSync(fd), file.bytes);
    } finally {
      fs.closeSync(fd);
    }
  };

  const removeOne = async (walker: DirWalker, rel: string): Promise<void> => {
    const { dir: dirRel, base } = split(rel);
    const dir = await walker.dir(dirRel, false);
    if (dir) {
      try {
        await unlink(at(dir, base));
      } catch (err) {
        if (codeOf(err) !== 'ENOENT') throw err;
      }
    }
    known.delete(rel);
  };

  /** Removes directories left empty by removals, deepest first; stops at the first non-empty. */
  const pruneDirs = async (walker: DirWalker, removed: string[]) => {
    const dirs = new Set<string>();
    for (const rel of removed) {
      for (let d = split(rel).dir; d !== ''; d = split(d).dir) dirs.add(d);
    }
    const inUse = (d: string) => [...known.keys()].some((k) => k.startsWith(d + '/'));
    for (const d of [...dirs].sort((a, b) => b.length - a.length)) {
      if (inUse(d)) continue;
      const parent = await walker.dir(split(d).dir, false).catch(() => undefined);
      if (parent) await rmdir(at(parent, split(d).base)).catch(() => undefined);
    }
  };

  const toError = (rel: string, err: unknown): Error => {
    if (err instanceof WalkError) {
      return err.kind === 'symlink'
        ? sinkErrors.HUSH_ERR_SINK_SYMLINK(rel, err.at)
        : sinkErrors.HUSH_ERR_SINK_WRITE(rel, `${err.errno} at ${err.at}`);
    }
    return sinkErrors.HUSH_ERR_SINK_WRITE(rel, codeOf(err));
  };

  const doWrite = async (files: ReadonlyMap<string, SinkFile>): Promise<SinkResult> => {
    const result: SinkResult = { changed: [], removed: [], failed: [] };
    const rootHandle = await openRoot();
    const walker = createDirWalker(rootHandle, owner);
    try {
      // What to write, grouped by directory; unchanged files are skipped without I/O.
      const toWrite = new Map<FileHandle, { rel: string; base: string; file: SinkFile; before?: Known }[]>();
      for (const [rel, file] of files) {
        const why = fileNameProblem(rel);
        if (why) {
          result.failed.push({ file: rel, error: sinkErrors.HUSH_ERR_SINK_PATH(rel, why) });
          continue;
        }
        const before = known.get(rel);
        if (before && before.mode === file.mode && (before.bytes === file.bytes || sameBytes(before.bytes, file.bytes))) {
          before.bytes = file.bytes;
          continue;
        }
        try {
          const { dir: dirRel, base } = split(rel);
          const dir = (await walker.dir(dirRel, true))!;
          if (!before && !startedEmpty && sameOnDisk(dir, base, rel, file)) {
            known.set(rel, { bytes: file.bytes, mode: file.mode });
            continue;
          }
          const group = toWrite.get(dir) ?? [];
          group.push({ rel, base, file, before });
          toWrite.set(dir, group);
        } catch (err) {
          result.failed.push({ file: rel, error: toError(rel, err) });
        }
      }
      for (const [dir, group] of toWrite) {
        for (let from = 0; from < group.length; from += batch) {
          const chunk = group.slice(from, from + batch);
          const outcomes = writeBatch(dir, chunk);
          chunk.forEach(({ rel, file, before }, i) => {
            const failure = outcomes[i];
            if (failure) {
              result.failed.push({ file: rel, error: sinkErrors.HUSH_ERR_SINK_WRITE(rel, failure) });
              return;
            }
            if (before === undefined || !sameBytes(before.bytes, file.bytes)) result.changed.push(rel);
            known.set(rel, { bytes: file.bytes, mode: file.mode });
          });
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      for (const rel of [...known.keys()].filter((k) => !files.has(k))) {
        try {
          await removeOne(walker, rel);
          result.removed.push(rel);
        } catch (err) {
          result.failed.push({ file: rel, error: toError(rel, err) });
        }
      }
      if (result.removed.length) await pruneDirs(walker, result.removed);
    } finally {
      await walker.close();
      await rootHandle.close();
    }
    result.changed.sort();
    result.removed.sort();
    for (const f of result.failed) logger?.error('secret file not written', { file: f.file, error: f.error.message });
    return result;
  };

  return {
    async init() {
      onMemoryFs = (await checkMemoryFs(root).catch(() => ({ memory: false }))).memory;
      const rootHandle = await openRoot();
      try {
        // Leftovers of a crash mid-write.
        const names = await readdir(at(rootHandle, '.')).catch(() => [] as string[]);
        for (const name of names) {
          if (name.startsWith(`${reservedPrefix}tmp-`)) await unlink(at(rootHandle, name)).catch(() => undefined);
        }
        startedEmpty = names.every((name) => name.startsWith(`${reservedPrefix}tmp-`));
        const probe = `${reservedPrefix}probe-${process.pid}`;
        const [failure] = writeBatch(rootHandle, [{ base: probe, file: { bytes: new TextEncoder().encode('probe\n'), mode: 0o400 } }]);
        if (failure) throw sinkErrors.HUSH_ERR_SINK_ROOT(root, `test write failed (${failure})`);
        await unlink(at(rootHandle, probe));
      } finally {
        await rootHandle.close();
      }
    },
    write(files) {
      const run = queue.then(() => doWrite(files));
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
