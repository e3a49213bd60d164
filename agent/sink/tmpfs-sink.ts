// The writer of the secrets directory. Every file is written as: a temporary name in the same
// directory (created O_EXCL|O_NOFOLLOW, mode 0600), the bytes, fsync, fchown to the app's
// user, fchmod to the policy's mode, then rename over the final name. A reader sees the old
// content or the new, never a mix and never an empty file. A file is rewritten only when its
// bytes or mode changed: a hash is kept in memory, and the first time a name is seen (after a
// restart) what is on disk is compared too. Nothing is ever followed through a symlink.

import { createHash } from 'node:crypto';
import { constants as C } from 'node:fs';
import { open, readdir, rename, rmdir, unlink, type FileHandle } from 'node:fs/promises';
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
  /** Files written in parallel. */
  concurrency?: number;
}

interface Known {
  hash: string;
  mode: number;
}

const hashOf = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');
const codeOf = (err: unknown) => (err as NodeJS.ErrnoException).code ?? 'error';
const split = (rel: string) => {
  const cut = rel.lastIndexOf('/');
  return { dir: cut < 0 ? '' : rel.slice(0, cut), base: rel.slice(cut + 1) };
};

export function createTmpfsSink(options: TmpfsSinkOptions): SecretSink {
  const { root, uid, gid, logger } = options;
  const concurrency = options.concurrency ?? 32;
  const owner = { uid, gid };
  const known = new Map<string, Known>();
  let counter = 0;
  let queue: Promise<unknown> = Promise.resolve();

  const openRoot = async (): Promise<FileHandle> => {
    try {
      return await open(root, C.O_RDONLY | C.O_DIRECTORY);
    } catch (err) {
      throw sinkErrors.HUSH_ERR_SINK_ROOT(root, `cannot open it as a directory (${codeOf(err)})`);
    }
  };

  /** Writes bytes under a fresh temporary name in `dir`; returns that name. */
  const writeTemp = async (dir: FileHandle, file: SinkFile): Promise<string> => {
    const name = `${reservedPrefix}tmp-${process.pid}-${++counter}`;
    const flags = C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW;
    const h = await open(at(dir, name), flags, 0o600);
    try {
      let off = 0;
      while (off < file.bytes.byteLength) {
        const { bytesWritten } = await h.write(file.bytes, off, file.bytes.byteLength - off);
        off += bytesWritten;
      }
      if (uid !== undefined || gid !== undefined) await h.chown(uid ?? -1, gid ?? -1);
      await h.chmod(file.mode);
      await h.sync();
    } catch (err) {
      await h.close().catch(() => undefined);
      await unlink(at(dir, name)).catch(() => undefined);
      throw err;
    }
    await h.close();
    return name;
  };

  /** True when the file on disk already holds exactly these bytes, mode and owner. */
  const sameOnDisk = async (dir: FileHandle, base: string, rel: string, file: SinkFile): Promise<boolean> => {
    let h: FileHandle;
    try {
      h = await open(at(dir, base), C.O_RDONLY | C.O_NOFOLLOW | C.O_NONBLOCK);
    } catch (err) {
      if (codeOf(err) === 'ELOOP') logger?.warn('replacing a symlink planted at a secret file', { file: rel });
      return false;
    }
    try {
      const st = await h.stat();
      if (!st.isFile() || st.size !== file.bytes.byteLength || (st.mode & 0o7777) !== file.mode) return false;
      if ((uid !== undefined && st.uid !== uid) || (gid !== undefined && st.gid !== gid)) return false;
      const onDisk = await h.readFile();
      return hashOf(onDisk) === hashOf(file.bytes);
    } finally {
      await h.close();
    }
  };

  const writeOne = async (walker: DirWalker, rel: string, file: SinkFile): Promise<boolean> => {
    const hash = hashOf(file.bytes);
    const before = known.get(rel);
    if (before && before.hash === hash && before.mode === file.mode) return false;
    const { dir: dirRel, base } = split(rel);
    const dir = (await walker.dir(dirRel, true))!;
    if (!before && (await sameOnDisk(dir, base, rel, file))) {
      known.set(rel, { hash, mode: file.mode });
      return false;
    }
    const temp = await writeTemp(dir, file);
    try {
      await rename(at(dir, temp), at(dir, base));
    } catch (err) {
      await unlink(at(dir, temp)).catch(() => undefined);
      throw err;
    }
    known.set(rel, { hash, mode: file.mode });
    return before === undefined || before.hash !== hash;
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
      const jobs: (() => Promise<void>)[] = [];
      for (const [rel, file] of files) {
        const why = fileNameProblem(rel);
        if (why) {
          result.failed.push({ file: rel, error: sinkErrors.HUSH_ERR_SINK_PATH(rel, why) });
          continue;
        }
        jobs.push(async () => {
          try {
            if (await writeOne(walker, rel, file)) result.changed.push(rel);
          } catch (err) {
            result.failed.push({ file: rel, error: toError(rel, err) });
          }
        });
      }
      for (const rel of [...known.keys()].filter((k) => !files.has(k))) {
        jobs.push(async () => {
          try {
            await removeOne(walker, rel);
            result.removed.push(rel);
          } catch (err) {
            result.failed.push({ file: rel, error: toError(rel, err) });
          }
        });
      }
      let next = 0;
      const worker = async () => {
        while (next < jobs.length) await jobs[next++]!();
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
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
      const rootHandle = await openRoot();
      try {
        // Leftovers of a crash mid-write.
        for (const name of await readdir(at(rootHandle, '.')).catch(() => [] as string[])) {
          if (name.startsWith(`${reservedPrefix}tmp-`)) await unlink(at(rootHandle, name)).catch(() => undefined);
        }
        let temp: string;
        try {
          temp = await writeTemp(rootHandle, { bytes: new TextEncoder().encode('probe\n'), mode: 0o400 });
        } catch (err) {
          throw sinkErrors.HUSH_ERR_SINK_ROOT(root, `test write failed (${codeOf(err)})`);
        }
        await unlink(at(rootHandle, temp));
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
