import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { statfsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createTmpfsSink } from '../../agent/sink/tmpfs-sink';
import { checkMemoryFs } from '../../agent/sink/memory-fs';
import type { SinkFile } from '../../agent/sink/types';

const isRoot = process.getuid?.() === 0;
const memoryMagics = [0x01021994, 0x858458f6];
const testDirOnMemory = memoryMagics.includes(Number(statfsSync(__dirname).type) >>> 0);
let mnt = '';
let outside = '';
let mounted = false;

beforeAll(async () => {
  if (!isRoot) return;
  mnt = await mkdtemp(path.join(tmpdir(), 'hush-sink-'));
  outside = await mkdtemp(path.join(tmpdir(), 'hush-outside-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m,mode=0700', 'tmpfs', mnt]);
    mounted = true;
  } catch {
    mounted = false;
  }
});

afterAll(async () => {
  if (mounted) execFileSync('umount', [mnt]);
  if (mnt) await rm(mnt, { recursive: true, force: true });
  if (outside) await rm(outside, { recursive: true, force: true });
});

const file = (text: string, mode = 0o400): SinkFile => ({ bytes: Buffer.from(text), mode });
const files = (o: Record<string, SinkFile>) => new Map(Object.entries(o));
let root = '';
/** A directory outside the tmpfs that planted symlinks point to; must stay untouched. */
let away = '';
let n = 0;

describe.skipIf(!isRoot)('tmpfs sink (skipped: needs root to mount a tmpfs)', () => {
  beforeEach(async () => {
    expect(mounted).toBe(true);
    root = path.join(mnt, `case-${++n}`);
    await mkdir(root, { mode: 0o700 });
    away = path.join(outside, `case-${n}`);
    await mkdir(away);
  });

  it('checkMemoryFs: tmpfs is memory', async () => {
    expect(await checkMemoryFs(root)).toMatchObject({ memory: true, fsType: 'tmpfs', magic: 0x01021994 });
  });

  it.skipIf(testDirOnMemory)('checkMemoryFs: the (disk-backed) test directory is not (skipped: it is on tmpfs here)', async () => {
    expect(await checkMemoryFs(__dirname)).toMatchObject({ memory: false });
  });

  it('writes files with mode and owner, creates 0700 subdirectories, leaves no temp files', async () => {
    const sink = createTmpfsSink({ root, uid: 1234, gid: 5678 });
    await sink.init();
    const r = await sink.write(files({ db_password: file('pw'), 'conf/app/db.json': file('{}', 0o440) }));
    expect(r).toEqual({ changed: ['conf/app/db.json', 'db_password'], removed: [], failed: [] });
    const a = await stat(path.join(root, 'db_password'));
    expect([a.mode & 0o7777, a.uid, a.gid]).toEqual([0o400, 1234, 5678]);
    const b = await stat(path.join(root, 'conf/app/db.json'));
    expect([b.mode & 0o7777, b.uid, b.gid]).toEqual([0o440, 1234, 5678]);
    for (const d of ['conf', 'conf/app']) {
      const s = await stat(path.join(root, d));
      expect([s.mode & 0o7777, s.uid, s.gid]).toEqual([0o700, 1234, 5678]);
    }
    expect(await readFile(path.join(root, 'db_password'), 'utf8')).toBe('pw');
    expect((await readdir(root)).sort()).toEqual(['conf', 'db_password']);
  });

  it('rewrites only what changed (same inode when unchanged), and a mode change without telling', async () => {
    const sink = createTmpfsSink({ root });
    await sink.write(files({ a: file('1'), b: file('2') }));
    const inoA = (await stat(path.join(root, 'a'))).ino;
    const inoB = (await stat(path.join(root, 'b'))).ino;
    const r = await sink.write(files({ a: file('1'), b: file('3') }));
    expect(r).toEqual({ changed: ['b'], removed: [], failed: [] });
    expect((await stat(path.join(root, 'a'))).ino).toBe(inoA);
    expect((await stat(path.join(root, 'b'))).ino).not.toBe(inoB);
    const m = await sink.write(files({ a: file('1', 0o440), b: file('3') }));
    expect(m).toEqual({ changed: [], removed: [], failed: [] });
    expect((await stat(path.join(root, 'a'))).mode & 0o777).toBe(0o440);
  });

  it('after a restart, compares with what is on disk before rewriting', async () => {
    await createTmpfsSink({ root }).write(files({ a: file('same'), b: file('old') }));
    const inoA = (await stat(path.join(root, 'a'))).ino;
    const again = createTmpfsSink({ root });
    const r = await again.write(files({ a: file('same'), b: file('new') }));
    expect(r.changed).toEqual(['b']);
    expect((await stat(path.join(root, 'a'))).ino).toBe(inoA);
  });

  it('removes files that left the set, and directories left empty', async () => {
    const sink = createTmpfsSink({ root });
    await sink.write(files({ a: file('1'), 'd/e/f': file('2'), 'd/g': file('3') }));
    const r = await sink.write(files({ 'd/g': file('3') }));
    expect(r).toEqual({ changed: [], removed: ['a', 'd/e/f'], failed: [] });
    expect((await readdir(root)).sort()).toEqual(['d']);
    expect(await readdir(path.join(root, 'd'))).toEqual(['g']);
  });

  it('refuses unsafe names without touching anything', async () => {
    const sink = createTmpfsSink({ root });
    const r = await sink.write(files({ '../escape': file('x'), '/etc/x': file('x'), 'a//b': file('x'), ok: file('fine') }));
    expect(r.changed).toEqual(['ok']);
    expect(r.failed.map((f) => [f.file, (f.error as { code?: string }).code])).toEqual([
      ['../escape', 'HUSH_ERR_SINK_PATH'],
      ['/etc/x', 'HUSH_ERR_SINK_PATH'],
      ['a//b', 'HUSH_ERR_SINK_PATH'],
    ]);
    expect(await readdir(root)).toEqual(['ok']);
  });

  it('never follows a symlink planted as a directory on the path', async () => {
    await symlink(away, path.join(root, 'conf'));
    const sink = createTmpfsSink({ root });
    const r = await sink.write(files({ 'conf/db.json': file('secret'), other: file('o') }));
    expect(r.changed).toEqual(['other']);
    expect(r.failed.map((f) => [f.file, (f.error as { code?: string }).code, f.error.message])).toEqual([
      ['conf/db.json', 'HUSH_ERR_SINK_SYMLINK', 'refusing to write "conf/db.json": "conf" is a symlink or not a directory'],
    ]);
    expect(await readdir(away)).toEqual([]);
  });

  it('a symlink planted at a file name is replaced, its target untouched', async () => {
    const target = path.join(away, 'target');
    await writeFile(target, 'keep');
    await symlink(target, path.join(root, 'db_password'));
    const r = await createTmpfsSink({ root }).write(files({ db_password: file('pw') }));
    expect(r).toEqual({ changed: ['db_password'], removed: [], failed: [] });
    expect((await lstat(path.join(root, 'db_password'))).isFile()).toBe(true);
    expect(await readFile(target, 'utf8')).toBe('keep');
  });

  it('a symlink swapped in after the first write is still not followed', async () => {
    const sink = createTmpfsSink({ root });
    await sink.write(files({ 'd/x': file('1') }));
    await rm(path.join(root, 'd'), { recursive: true });
    await symlink(away, path.join(root, 'd'));
    const r = await sink.write(files({ 'd/x': file('2') }));
    expect(r.failed.map((f) => (f.error as { code?: string }).code)).toEqual(['HUSH_ERR_SINK_SYMLINK']);
    expect(await readdir(away)).toEqual([]);
  });

  it('removal does not follow a planted symlink either', async () => {
    const sink = createTmpfsSink({ root });
    await sink.write(files({ 'd/x': file('1') }));
    await writeFile(path.join(away, 'x'), 'keep');
    await rm(path.join(root, 'd'), { recursive: true });
    await symlink(away, path.join(root, 'd'));
    await sink.write(files({}));
    expect(await readFile(path.join(away, 'x'), 'utf8')).toBe('keep');
  });

  it('init fails at once on a root that is not a usable directory', async () => {
    await writeFile(path.join(root, 'plain'), 'x');
    await expect(createTmpfsSink({ root: path.join(root, 'plain') }).init()).rejects.toMatchObject({ code: 'HUSH_ERR_SINK_ROOT' });
    await expect(createTmpfsSink({ root: path.join(root, 'missing') }).init()).rejects.toMatchObject({ code: 'HUSH_ERR_SINK_ROOT' });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', path.join(root, '..', `case-${n}`)]);
    try {
      await expect(createTmpfsSink({ root }).init()).rejects.toMatchObject({ code: 'HUSH_ERR_SINK_ROOT' });
    } finally {
      execFileSync('umount', [root]);
    }
  });

  it('init removes temp files left by a crash', async () => {
    await writeFile(path.join(root, '.hush-tmp-1-1'), 'half');
    await createTmpfsSink({ root }).init();
    expect(await readdir(root)).toEqual([]);
  });

  it('accepts a root reached through /proc/self/fd/N', async () => {
    const { open } = await import('node:fs/promises');
    const h = await open(root, 'r');
    try {
      const sink = createTmpfsSink({ root: `/proc/self/fd/${h.fd}` });
      await sink.init();
      expect((await sink.write(files({ x: file('1') }))).changed).toEqual(['x']);
      expect(await readFile(path.join(root, 'x'), 'utf8')).toBe('1');
    } finally {
      await h.close();
    }
  });

  it('a reader looping over a file while it is replaced 1,000 times never sees empty or mixed content', async () => {
    const a = 'A'.repeat(64 * 1024);
    const b = 'B'.repeat(3 * 1024);
    const sink = createTmpfsSink({ root });
    await sink.write(files({ f: file(a, 0o444) }));
    const reader = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('fs');
         const [p, a, b] = [process.argv[1], 'A'.repeat(64 * 1024), 'B'.repeat(3 * 1024)];
         let reads = 0, bad = 0, stop = false;
         process.stdin.on('data', () => { stop = true; });
         (function loop() {
           for (let i = 0; i < 200; i++) {
             const s = fs.readFileSync(p, 'utf8');
             reads++;
             if (s !== a && s !== b) bad++;
           }
           if (stop) process.stdout.write(JSON.stringify({ reads, bad }));
           else setImmediate(loop);
         })();`,
        path.join(root, 'f'),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    let out = '';
    reader.stdout.on('data', (d) => (out += d));
    const done = new Promise((resolve) => reader.on('exit', resolve));
    for (let i = 0; i < 1000; i++) {
      const r = await sink.write(files({ f: file(i % 2 === 0 ? b : a, 0o444) }));
      expect(r.changed).toEqual(['f']);
    }
    reader.stdin.end('stop');
    await done;
    const { reads, bad } = JSON.parse(out) as { reads: number; bad: number };
    expect(bad).toBe(0);
    expect(reads).toBeGreaterThan(0);
    expect((await readdir(root)).sort()).toEqual(['f']);
  });
});
