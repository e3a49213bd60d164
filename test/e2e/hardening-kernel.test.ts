// /proc and /sys as runc and podman leave them (issue 9, item 1), and PID 1 out of the app's
// reach (item 8): each attack is tried from inside a real container and must fail. Writes are
// harmless: they write back the value just read.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { expect, it } from 'vitest';
import { describeContainers, hush } from './helpers';

const sh = (script: string, ...flags: string[]) => hush(['run', ...flags, '--', '/bin/sh', '-c', script]);
/** Prints "PATH: ok" or "PATH: refused" for a shell test run on each path. */
const probe = (test: string, paths: string[]) => paths.map((p) => `if ${test.replaceAll('$P', p)} 2>/dev/null; then echo "${p}: ok"; else echo "${p}: refused"; fi`).join('; ');
const lines = (text: string) => text.trim().split('\n');
const haveStrace = spawnSync('strace', ['-V']).status === 0;

describeContainers('/proc and /sys (like runc and podman)', () => {
  it('/proc/sys is read-only: writing back the host kernel.core_pattern fails, and the host value stays', async () => {
    const before = fs.readFileSync('/proc/sys/kernel/core_pattern', 'utf8');
    const r = await sh('v=$(cat /proc/sys/kernel/core_pattern); echo "$v" > /proc/sys/kernel/core_pattern; echo rc=$?; v=$(cat /proc/sys/vm/swappiness); echo "$v" > /proc/sys/vm/swappiness; echo rc=$?');
    expect(r.stdout).toBe('rc=2\nrc=2\n');
    expect(r.stderr).toMatch(/core_pattern: Read-only file system\n.*swappiness: Read-only file system\n$/);
    expect(fs.readFileSync('/proc/sys/kernel/core_pattern', 'utf8')).toBe(before);
  });

  it('/proc/irq, /proc/bus, /proc/fs (and /proc/sysrq-trigger where the kernel has it) are read-only mounts', async () => {
    const paths = ['/proc/sys', '/proc/irq', '/proc/bus', '/proc/fs', '/proc/sysrq-trigger'].filter((p) => fs.existsSync(p));
    const r = await sh(`for p in ${paths.join(' ')}; do grep " $p " /proc/self/mountinfo | cut -d" " -f5,6; done`);
    expect(lines(r.stdout).map((l) => l.split(' ')[0])).toEqual(paths);
    for (const line of lines(r.stdout)) expect(line.split(' ')[1].split(',')).toContain('ro');
  });

  it('masks the kernel files that leak host state: empty, read-only, and cannot be unmounted', async () => {
    const files = ['/proc/keys', '/proc/timer_list', '/proc/kcore', '/proc/sched_debug', '/proc/latency_stats'].filter((p) => fs.existsSync(p));
    // /sys/fs/cgroup shows the container's own cgroups instead (test/e2e/limits-view.test.ts).
    const dirs = ['/proc/acpi', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap'].filter((p) => fs.existsSync(p));
    expect(files.length + dirs.length).toBeGreaterThan(3);
    const r = await sh([
      ...files.map((f) => `echo "${f}: $(wc -c < ${f})"`),
      ...dirs.map((d) => `echo "${d}: $(ls -A ${d} | wc -l)"`),
      probe('umount $P', [...files, ...dirs]),
      probe('touch $P/x', dirs),
    ].join('; '));
    expect(lines(r.stdout)).toEqual([
      ...[...files, ...dirs].map((p) => `${p}: 0`),
      ...[...files, ...dirs].map((p) => `${p}: refused`),
      ...dirs.map((p) => `${p}: refused`),
    ]);
  });

  it('masks them in a fresh sysfs too (--net none)', async () => {
    const r = await sh('ls -A /sys/firmware | wc -l; ls /sys/class/net', '--net', 'none');
    expect(lines(r.stdout)).toEqual(['0', 'lo']);
  });

});

describeContainers('hush-init (PID 1) is out of the app\'s reach', () => {
  it.skipIf(!haveStrace)(`a root app can read neither /proc/1/environ nor /proc/1/mem, nor follow its descriptors, nor ptrace it${haveStrace ? '' : ' (needs strace)'}`, async () => {
    const r = await sh([
      probe('head -c1 $P > /dev/null', ['/proc/1/environ', '/proc/1/mem', '/proc/1/cmdline']),
      'for fd in /proc/1/fd/*; do if readlink -e "$fd" >/dev/null 2>&1 || cat "$fd" </dev/null >/dev/null 2>&1; then echo "$fd: reached"; fi; done',
      'strace -p 1 -e trace=none 2>&1 | head -1',
    ].join('; '));
    expect(lines(r.stdout)).toEqual([
      '/proc/1/environ: refused',
      '/proc/1/mem: refused',
      '/proc/1/cmdline: ok', // the command line is public, as for every process
      expect.stringMatching(/ptrace\(PTRACE_SEIZE, 1\): Operation not permitted/),
    ]);
  });

  it('init still forwards signals and reports the exit status (non-dumpable changes nothing else)', async () => {
    expect((await sh('kill -TERM $$')).code).toBe(143);
    expect((await sh('exit 7')).code).toBe(7);
  });

  it("the app's own process stays dumpable (its exec resets the flag)", async () => {
    const r = await sh('head -c 4 /proc/self/environ > /dev/null && echo readable');
    expect(r.stdout.trim()).toBe('readable');
  });
});
