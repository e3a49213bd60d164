// Masks (issue 9, item 10, and the native mechanism behind item 9): with the host's / as root,
// the host's secrets are hidden behind empty read-only stand-ins; --mask adds to the list,
// --unmask takes from it; a workdir or command under a hidden path is refused with the flag
// that would show it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect, it } from 'vitest';
import { describeContainers, hush, makeRootfs } from './helpers';

const sh = (script: string, ...flags: string[]) => hush(['run', ...flags, '--', '/bin/sh', '-c', script]);
const lines = (text: string) => text.trim().split('\n');

describeContainers('host-root masks', () => {
  it('/etc/shadow and /etc/gshadow read empty and cannot be written; /root and /home list empty', async () => {
    expect(fs.statSync('/etc/shadow').size).toBeGreaterThan(0);
    const r = await sh('wc -c < /etc/shadow; wc -c < /etc/gshadow; ls -A /root | wc -l; ls -A /home | wc -l; ' +
      'if cat /etc/shadow > /etc/shadow 2>/dev/null; then echo written; else echo refused; fi; if umount /root 2>/dev/null; then echo unmounted; else echo refused; fi');
    expect(lines(r.stdout)).toEqual(['0', '0', '0', '0', 'refused', 'refused']);
  });

  it('--unmask shows a default mask again; --mask hides one more path', async () => {
    const r = await sh('wc -c < /etc/shadow; wc -c < /etc/hostname', '--unmask', '/etc/shadow', '--mask', '/etc/hostname');
    expect(lines(r.stdout)).toEqual([String(fs.statSync('/etc/shadow').size), '0']);
  });

  it('--mask with a * in the last component hides every match, in a --rootfs too (no default masks there)', async () => {
    const rootfs = makeRootfs(['/bin/sh', '/bin/cat', '/usr/bin/wc']);
    try {
      fs.mkdirSync(path.join(rootfs, 'etc/ssh'), { recursive: true });
      for (const name of ['ssh_host_ed25519_key', 'ssh_host_rsa_key', 'ssh_host_rsa_key.pub', 'ssh_config']) {
        fs.writeFileSync(path.join(rootfs, 'etc/ssh', name), `${name}\n`);
      }
      fs.mkdirSync(path.join(rootfs, 'root'));
      fs.writeFileSync(path.join(rootfs, 'root/note'), 'visible\n');
      const r = await hush(['run', '--rootfs', rootfs, '--mask', '/etc/ssh/ssh_host_*_key', '--', '/bin/sh', '-c',
        'for f in /etc/ssh/ssh_host_ed25519_key /etc/ssh/ssh_host_rsa_key /etc/ssh/ssh_host_rsa_key.pub /etc/ssh/ssh_config /root/note; do echo "$f $(wc -c < $f)"; done']);
      expect(lines(r.stdout)).toEqual([
        '/etc/ssh/ssh_host_ed25519_key 0',
        '/etc/ssh/ssh_host_rsa_key 0',
        '/etc/ssh/ssh_host_rsa_key.pub 21',
        '/etc/ssh/ssh_config 11',
        '/root/note 8',
      ]);
    } finally {
      fs.rmSync(rootfs, { recursive: true, force: true });
    }
  });

  it.each([
    [['--workdir', '/root/app', '--', 'true'], 'hush: run: --workdir /root/app is under /root, which is hidden in the container (--unmask /root shows it)\n'],
    [['--', '/home/someone/bin/app'], 'hush: run: the command /home/someone/bin/app is under /home, which is hidden in the container (--unmask /home shows it)\n'],
    [['--mask', '/opt', '--workdir', '/opt/x', '--', 'true'], 'hush: run: --workdir /opt/x is under /opt, which is hidden in the container (--unmask /opt shows it)\n'],
    [['--unmask', '/etc/passwd', '--', 'true'], 'hush: run: --unmask /etc/passwd: not a hidden path; hidden are: /home /root /run/user /etc/shadow /etc/gshadow /etc/ssh/ssh_host_*_key /etc/ssl/private /var/lib/hush\n'],
    [['--mask', 'etc', '--', 'true'], "hush: run: --mask etc: PATH must be absolute, without '..'\n"],
  ])('hush run %j exits 125 naming the mask', async (args, line) => {
    const r = await hush(['run', ...args]);
    expect(r.stderr).toBe(line);
    expect(r.code).toBe(125);
  });

  it("`--rootfs /` is the host root, masks included; the host's / under another name is refused", async () => {
    expect((await sh('wc -c < /etc/shadow', '--rootfs', '//')).stdout.trim()).toBe('0');
    const link = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hush-root-link-')), 'root');
    fs.symlinkSync('/', link);
    try {
      const r = await hush(['run', '--rootfs', link, '--', 'true']);
      expect(r.stderr).toBe(`hush: run: --rootfs ${link} is the host's /: leave --rootfs out, so that the host root gets its masks\n`);
      expect(r.code).toBe(125);
    } finally {
      fs.rmSync(path.dirname(link), { recursive: true, force: true });
    }
  });

  it('--unmask /root lets a --workdir under it through', async () => {
    const r = await sh('pwd', '--unmask', '/root', '--workdir', '/root');
    expect(r.stdout.trim()).toBe('/root');
  });
});
