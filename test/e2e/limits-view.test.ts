// The container's /sys/fs/cgroup for real: its own cgroups through its cgroup namespace,
// read-only (native/src/cgroup-view.c). A limit is readable there and cannot be written; nothing
// above the container's cgroup (hush's, the host's tree, another container) can be reached. On
// the hybrid: a read-only tmpfs with one mount per hierarchy; on cgroup2 alone (a mount
// namespace whose /sys/fs/cgroup is a fresh cgroup2 mount), one cgroup2 mount.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { v1Holding } from '../../launcher/cgroups/layout';
import { hush, startHush } from './helpers';
import { isRoot, layout, parents, runCgroups, runOnV2Only } from './limits-helpers';

const hierarchies = [...layout.v1, ...(layout.unified ? [layout.unified] : [])];
/** What `ls /sys/fs/cgroup` shows inside: each hierarchy as the host names it, and a link per controller of a joint one. */
const viewNames = hierarchies
  .flatMap((h) => {
    const name = path.basename(h.mountPoint);
    return name.includes(',') ? [name, ...h.mountOptions] : [name];
  })
  .sort();
const memory = v1Holding(layout, 'memory');
const pids = v1Holding(layout, 'pids');
const at = (mountPoint: string, file: string) => `/sys/fs/cgroup/${path.basename(mountPoint)}/${file}`;
const lines = (text: string) => text.trim().split('\n');
const haveBusybox = spawnSync('sh', ['-c', 'file -L /bin/busybox | grep -q "statically linked"']).status === 0;
const sh = (script: string, ...flags: string[]) => hush(['run', ...flags, '--', '/bin/sh', '-c', script]);

describe.skipIf(!isRoot || layout.v1.length === 0)('the container sees its own cgroups, read-only (needs root and cgroup v1 hierarchies)', () => {
  it.skipIf(!memory || !pids)('lists the hierarchies it was placed in; the --memory and --pids-limit values are there; writing fails (EROFS)', async () => {
    const limit = at(memory!.mountPoint, 'memory.limit_in_bytes');
    const r = await sh(
      [
        'ls -1 /sys/fs/cgroup | sort',
        `cat ${limit}`,
        `cat ${at(pids!.mountPoint, 'pids.max')}`,
        `echo 1 > ${limit}`,
        `cat ${limit}`,
        `mkdir ${path.dirname(limit)}/escape`,
        `echo $$ > ${path.dirname(limit)}/cgroup.procs`,
        `umount ${path.dirname(limit)} || echo umount refused`,
      ].join('; '),
      '--memory',
      '64m',
      '--pids-limit',
      '123',
    );
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([...viewNames, '67108864', '123', '67108864', 'umount refused']);
    // Every write, as root with CAP_DAC_OVERRIDE: the mount is read-only.
    expect(r.stderr.match(/Read-only file system/g)).toHaveLength(3);
  });

  it('the default pids limit shows as pids.max, and cgroup.procs lists the container\'s processes only', async () => {
    const r = await sh(`cat ${at(pids?.mountPoint ?? '', 'pids.max')}; cat ${at(hierarchies[0].mountPoint, 'cgroup.procs')}`);
    expect(r.code).toBe(0);
    const [max, ...procs] = lines(r.stdout);
    if (pids) expect(max).toBe('2048');
    // init, sh and the second cat, as its own pid namespace numbers them.
    expect(procs.map(Number)).toEqual([1, 2, 4]);
  });

  it('reveals neither the host\'s cgroups nor another container\'s: .. is the view\'s own tmpfs', async () => {
    const other = startHush(['run', '--', '/bin/sh', '-c', 'echo up; sleep 30']);
    await other.waitForOutput(/up/);
    // On the host the other run's cgroups sit beside where this run's will be.
    const siblings = runCgroups(other.process.pid!);
    expect(siblings).toHaveLength(parents.length);
    const r = await sh('ls -1 /sys/fs/cgroup/*/.. | sort -u; find /sys/fs/cgroup -mindepth 2 -type d | wc -l; ls -R /sys/fs/cgroup | grep -c hush- || true');
    other.process.kill('SIGTERM');
    await other.done;
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    // `ls DIR/..` for each mount lists the tmpfs root: the same names again, nothing more.
    expect(out.slice(0, -2).filter((l) => l !== '' && !l.endsWith(':'))).toEqual([...new Set(viewNames)]);
    expect(out.slice(-2)).toEqual(['0', '0']); // no cgroup below the container's own, no hush-* name anywhere
    for (const dir of siblings) expect(r.stdout).not.toContain(path.basename(dir));
  });

  it('with --net none (its own sysfs) the view is the same', async () => {
    const r = await sh(`ls -1 /sys/fs/cgroup | sort; cat ${memory ? at(memory.mountPoint, 'memory.limit_in_bytes') : '/dev/null'}`, '--net', 'none', '--memory', '32m');
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([...viewNames, ...(memory ? [String(32 * 1024 * 1024)] : [])]);
  });

  it.skipIf(!memory)('under --userns auto (a user namespace of the container\'s own) the view is the same, and read-only', async () => {
    const limit = at(memory!.mountPoint, 'memory.limit_in_bytes');
    const r = await sh(`ls -1 /sys/fs/cgroup | sort; cat ${limit}; echo 1 > ${limit}`, '--userns', 'auto', '--memory', '48m');
    expect(lines(r.stdout)).toEqual([...viewNames, String(48 * 1024 * 1024)]);
    expect(r.stderr).toContain('Read-only file system');
    expect(r.code).toBe(2); // the shell's failed redirection
  });

  it.skipIf(!haveBusybox)(`a --rootfs root gets it in its own sysfs (--net none); on the host network it has no sysfs, so nothing${haveBusybox ? '' : ' (needs a static busybox)'}`, async () => {
    const root = fs.mkdtempSync('/var/tmp/hush-view-rootfs-');
    try {
      fs.mkdirSync(`${root}/bin`);
      fs.copyFileSync('/bin/busybox', `${root}/bin/busybox`);
      fs.chmodSync(`${root}/bin/busybox`, 0o755);
      const shIn = (...flags: string[]) => hush(['run', '--rootfs', root, ...flags, '--', '/bin/busybox', 'sh', '-c', 'ls -1 /sys/fs/cgroup | sort']);
      const own = await shIn('--net', 'none');
      expect(own.code).toBe(0);
      expect(lines(own.stdout)).toEqual(viewNames);
      const none = await shIn();
      expect(none.stderr).toContain('/sys/fs/cgroup: No such file or directory');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('each mount is read-only, rooted at the container\'s cgroup (mountinfo root /)', async () => {
    const r = await sh('grep " /sys/fs/cgroup" /proc/self/mountinfo');
    // The host's mounts beneath stay in the table, covered; ours come last, one per name.
    const ours = lines(r.stdout).slice(-(hierarchies.length + 1));
    const [tmpfs, ...cgroups] = ours;
    expect(tmpfs).toMatch(/ \/sys\/fs\/cgroup ro,.* - tmpfs /);
    expect(cgroups).toHaveLength(hierarchies.length);
    for (const line of cgroups) expect(line).toMatch(/^\S+ \S+ \S+ \/ \/sys\/fs\/cgroup\/\S+ ro,.* - cgroup2? /);
  });
});

const unified = layout.unified;

describe.skipIf(!isRoot || !unified)('the view on cgroup2 alone (needs root and a cgroup2 hierarchy)', () => {
  it('is one read-only cgroup2 mount at /sys/fs/cgroup, holding the container\'s processes only', async () => {
    const run = runOnV2Only(['--', '/bin/sh', '-c', 'echo $(cat /sys/fs/cgroup/cgroup.procs); grep " /sys/fs/cgroup " /proc/self/mountinfo | tail -1; ls /sys/fs/cgroup | grep -c "^hush-"; echo 1 > /sys/fs/cgroup/cgroup.procs']);
    const r = await run.done;
    const [procs, mount, children] = lines(r.stdout);
    expect(mount).toMatch(/^\S+ \S+ \S+ \/ \/sys\/fs\/cgroup ro,.* - cgroup2 /);
    // init, sh, and the cat of $(...), as its own pid namespace numbers them.
    expect(procs.split(' ').map(Number)).toEqual([1, 2, 3]);
    expect(children).toBe('0');
    expect(r.stderr).toContain('Read-only file system');
    expect(r.code).toBe(2); // the shell's failed redirection
  });
});
