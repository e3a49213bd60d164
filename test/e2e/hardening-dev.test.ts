// /dev and the writable places (issue 9, item 2): only the host's few device nodes work, a
// node made with mknod cannot be opened anywhere, devpts is the container's own, and /tmp,
// /run, /dev/shm and --tmpfs are capped.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, it } from 'vitest';
import { describeContainers, hush, makeRootfs } from './helpers';

const sh = (script: string, ...flags: string[]) => hush(['run', ...flags, '--', '/bin/sh', '-c', script]);
const lines = (text: string) => text.trim().split('\n');
/** The size= of the tmpfs mounted at PATH, from inside. */
const sizeOf = (path: string) => `grep " ${path} " /proc/self/mountinfo | tail -1 | grep -o "size=[0-9]*k"`;

describeContainers('/dev', () => {
  it('the bound device nodes work', async () => {
    const r = await sh('echo x > /dev/null && head -c 3 /dev/zero | wc -c && head -c 3 /dev/urandom | wc -c && ! echo x > /dev/full 2>/dev/null && echo full-refused');
    expect(lines(r.stdout)).toEqual(['3', '3', 'full-refused']);
  });

  it('a device node made with mknod (here: /dev/null\'s and kmsg\'s numbers) cannot be opened in /dev, /tmp or /dev/shm', async () => {
    const script = ['/dev', '/tmp', '/dev/shm', '/run'].map((dir) =>
      `if mknod ${dir}/n c 1 3 2>/dev/null; then if echo x > ${dir}/n; then echo "${dir}: opened"; else echo "${dir}: refused"; fi; else echo "${dir}: refused"; fi; ` +
      `if mknod ${dir}/k c 1 11 2>/dev/null && head -c1 ${dir}/k >/dev/null; then echo "${dir}: kmsg read"; fi`,
    ).join('; ');
    const r = await sh(script);
    expect(lines(r.stdout)).toEqual(['/dev: refused', '/tmp: refused', '/dev/shm: refused', '/run: refused']);
  });

  it('/dev is a nodev tmpfs holding only the standard nodes; devpts is a new instance with no host pty', async () => {
    const r = await sh('grep " /dev " /proc/self/mountinfo | tail -1 | cut -d" " -f6; ls /dev/pts; grep " /dev/pts " /proc/self/mountinfo | tail -1 | sed "s/.* - //" | cut -d" " -f1');
    const [options, ...rest] = lines(r.stdout);
    expect(options.split(',')).toEqual(expect.arrayContaining(['nodev', 'nosuid', 'noexec']));
    expect(rest).toEqual(['ptmx', 'devpts']);
  });
});

describeContainers('writable places are capped', () => {
  it('/tmp 256 MiB, /run 32 MiB, /dev/shm 64 MiB by default', async () => {
    const r = await sh(['/tmp', '/run', '/dev/shm'].map(sizeOf).join('; '));
    expect(lines(r.stdout)).toEqual(['size=262144k', 'size=32768k', 'size=65536k']);
  });

  it('--tmpfs PATH[:size=N] adds a capped tmpfs and resizes a default one', async () => {
    const r = await sh(`${sizeOf('/tmp/cache')}; ${sizeOf('/tmp')}; head -c 2097152 /dev/zero > /tmp/cache/big 2>/dev/null || echo enospc; echo ok > /run/x/f && cat /run/x/f`,
      '--tmpfs', '/tmp/cache:size=1m', '--tmpfs', '/tmp:size=2g', '--tmpfs', '/run/x');
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual(['size=1024k', 'size=2097152k', 'enospc', 'ok']);
  });

  it('--tmpfs creates a missing mount point inside a --rootfs, and names it when the host root lacks it', async () => {
    const rootfs = makeRootfs(['/bin/sh', '/bin/grep', '/usr/bin/tail']);
    try {
      const r = await hush(['run', '--rootfs', rootfs, '--tmpfs', '/srv/cache:size=1m', '--', '/bin/sh', '-c', sizeOf('/srv/cache')]);
      expect(r.stdout.trim()).toBe('size=1024k');
      expect(fs.statSync(path.join(rootfs, 'srv', 'cache')).isDirectory()).toBe(true);
      // What lands in hush's own mounts (/dev/shm, /run/secrets) leaves nothing in the rootfs.
      expect([fs.existsSync(path.join(rootfs, 'dev', 'shm')), fs.existsSync(path.join(rootfs, 'run', 'secrets'))]).toEqual([false, false]);
    } finally {
      fs.rmSync(rootfs, { recursive: true, force: true });
    }
    expect(fs.existsSync('/srv/hush-no-such-dir')).toBe(false);
    const host = await sh('true', '--tmpfs', '/srv/hush-no-such-dir');
    expect(host.stderr).toBe('hush: container setup failed: /srv/hush-no-such-dir does not exist, and the root is read-only: create it, or put it under /tmp or /run\n');
    expect(host.code).toBe(125);
    expect(fs.existsSync('/srv/hush-no-such-dir')).toBe(false);
  });

  it.each([
    [['--tmpfs', 'tmp'], "hush: run: --tmpfs tmp: PATH must be absolute, without '..'\n"],
    [['--tmpfs', '//proc'], 'hush: run: --tmpfs //proc: cannot cover /proc\n'],
    [['--tmpfs', '/data:size=1x'], "hush: run: --tmpfs /data:size=1x: size must be a number of bytes (at least 4096) with an optional k, m or g, got '1x'\n"],
    [['--tmpfs', '/data:mode=777'], "hush: run: --tmpfs /data:mode=777: unknown option 'mode=777' (only size=N)\n"],
  ])('hush run %j exits 125 with one line', async (flags, line) => {
    const r = await hush(['run', ...flags, '--', 'true']);
    expect(r.stderr).toBe(line);
    expect(r.code).toBe(125);
  });
});
