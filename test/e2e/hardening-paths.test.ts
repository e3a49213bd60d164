// Paths resolved inside the root, never through it (issue 9, item 11): a symlink in a
// --rootfs cannot make hush create or mount anything on a host path, and --secrets-dir is
// normalised and refused when it would cover /, /proc, /sys or /dev.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { describeContainers, hush, makeRootfs } from './helpers';

const cleanup: string[] = [];
afterEach(() => {
  for (const dir of cleanup.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A rootfs with sh and cat, plus the given symlinks (name → target), and a host directory to aim them at. */
function rootfsWithLinks(links: (hostDir: string) => Record<string, string>): { rootfs: string; hostDir: string } {
  const rootfs = makeRootfs(['/bin/sh', '/bin/cat', '/bin/ls']);
  const hostDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hush-host-target-'));
  cleanup.push(rootfs, hostDir);
  for (const [name, target] of Object.entries(links(hostDir))) fs.symlinkSync(target, path.join(rootfs, name));
  return { rootfs, hostDir };
}

describeContainers('symlinks in a --rootfs stay inside it', () => {
  it.each([
    ['an absolute link', (host: string) => host],
    ['a relative link climbing out', (host: string) => `../../../../../../..${host}`],
  ])('run → %s to a host directory: hush creates nothing there', async (_what, target) => {
    const { rootfs, hostDir } = rootfsWithLinks((host) => ({ run: target(host) }));
    const r = await hush(['run', '--rootfs', rootfs, '--secret', 'k=v', '--', '/bin/cat', '/run/secrets/k']);
    expect(fs.readdirSync(hostDir)).toEqual([]);
    // Inside the root the link dangles: /run cannot be made, and hush says so.
    expect(r.stderr).toBe('hush: container setup failed: mkdir /run: ENOENT\n');
    expect(r.code).toBe(125);
  });

  it('--secrets-dir through a link to a host directory: nothing is created there', async () => {
    const { rootfs, hostDir } = rootfsWithLinks((host) => ({ srv: host }));
    const r = await hush(['run', '--rootfs', rootfs, '--secrets-dir', '/srv/secrets', '--secret', 'k=v', '--', '/bin/cat', '/srv/secrets/k']);
    expect(fs.readdirSync(hostDir)).toEqual([]);
    expect(r.code).toBe(125);
    expect(r.stderr).toBe('hush: container setup failed: mkdir /srv/secrets: ENOENT\n');
  });

  it('a link that resolves inside the root is followed there: /tmp → /var/tmp puts the tmpfs on the root\'s /var/tmp', async () => {
    const { rootfs } = rootfsWithLinks(() => ({ tmp: '/var/tmp' }));
    fs.mkdirSync(path.join(rootfs, 'var/tmp'), { recursive: true });
    const r = await hush(['run', '--rootfs', rootfs, '--', '/bin/sh', '-c', 'echo x > /tmp/f && cat /var/tmp/f']);
    expect(r.stdout).toBe('x\n');
    expect(fs.readdirSync(path.join(rootfs, 'var/tmp'))).toEqual([]);
  });

  it.each([
    ['/', '/'],
    ['/proc', '/proc'],
    ['/dev', '/dev'],
    ['/sys', '/sys'],
  ])('--secrets-dir /srv, where the root\'s srv → %s, is refused with 125', async (target, resolved) => {
    const { rootfs } = rootfsWithLinks(() => ({ srv: target }));
    const r = await hush(['run', '--rootfs', rootfs, '--secrets-dir', '/srv', '--', '/bin/ls', '/proc']);
    expect(r.stderr).toBe(`hush: run: --secrets-dir resolves to '${resolved}' inside the root: it would cover / or lie in /proc, /sys or /dev\n`);
    expect(r.code).toBe(125);
  });
});

describeContainers('--secrets-dir is normalised', () => {
  it.each(['//proc', '/./dev', '/sys/', '//', '/proc/../proc'])('%s is refused with 125', async (dir) => {
    const r = await hush(['run', '--secrets-dir', dir, '--', 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(dir.includes('..') ? /^hush: run: --secrets-dir must not contain '\.\.'\n$/ : new RegExp(`^hush: run: --secrets-dir cannot be '${dir.replace(/\./g, '\\.')}' \\(/(proc|dev|sys)?\\): it would cover / or lie in /proc, /sys or /dev\\n$`));
  });

  it('/var/run/secrets (the host\'s /var/run → /run) holds the secrets, seen through either path', async () => {
    expect(fs.readlinkSync('/var/run')).toMatch(/^(\/|\.\.\/)?run$/);
    const r = await hush(['run', '--secrets-dir', '/var/run/secrets', '--secret', 'k=v', '--', '/bin/sh', '-c', 'cat /var/run/secrets/k; echo; cat /run/secrets/k']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('v\nv');
  });
});
