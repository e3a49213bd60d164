import { describe, expect, it } from 'vitest';
import { checkNotMasked, checkSecretsDir, maskList, maskPattern, normalizeAbsolute, tmpfsMounts } from '../../launcher/hardening';

describe('normalizeAbsolute', () => {
  it.each([
    ['//proc', '/proc'],
    ['/./dev/', '/dev'],
    ['/run//secrets/', '/run/secrets'],
    ['//', '/'],
  ])('%s → %s', (input, output) => expect(normalizeAbsolute(input)).toBe(output));
});

describe('checkSecretsDir', () => {
  it.each(['/', '//', '/proc', '//proc', '/./dev', '/sys/', '/dev/shm/x'])('refuses %s', (dir) => {
    expect(() => checkSecretsDir(dir)).toThrow(/^--secrets-dir cannot be/);
  });
  it.each([['/run/secrets', '/run/secrets'], ['/var/run//secrets/', '/var/run/secrets'], ['/procs', '/procs']])('keeps %s as %s', (dir, out) => {
    expect(checkSecretsDir(dir)).toBe(out);
  });
});

describe('tmpfsMounts', () => {
  it('gives the capped defaults, parents first', () => {
    expect(tmpfsMounts([]).map((m) => [m.path, m.sizeBytes / 1024 / 1024])).toEqual([['/tmp', 256], ['/run', 32], ['/dev/shm', 64]]);
  });
  it('adds --tmpfs mounts (64 MiB unless size= says) after their parents, and resizes a default in place', () => {
    const mounts = tmpfsMounts(['/run/cache/x:size=1m', '/srv', '/tmp:size=2g', '/data:size=8192']);
    expect(mounts.map((m) => [m.path, m.sizeBytes])).toEqual([
      ['/tmp', 2 * 1024 ** 3], ['/run', 32 * 1024 ** 2], ['/srv', 64 * 1024 ** 2], ['/data', 8192], ['/dev/shm', 64 * 1024 ** 2], ['/run/cache/x', 1024 ** 2],
    ]);
    expect(mounts.find((m) => m.path === '/tmp')!.mode).toBe(0o1777);
  });
  it.each([['/', /cannot cover \/$/], ['/dev', /cannot cover \/dev$/], ['/proc/x', /cannot cover/], ['x', /absolute/], ['/a/../b', /absolute/], ['/a:size=12', /at least 4096/], ['/a:rw', /unknown option/]])(
    'refuses %s', (flag, message) => expect(() => tmpfsMounts([flag])).toThrow(message),
  );
});

describe('masks', () => {
  it('hides the host secrets only with the host root, plus --mask, minus --unmask', () => {
    expect(maskList(false, [], [])).toEqual([]);
    expect(maskList(true, ['/opt//keys/'], ['/etc/shadow', '/home'])).toEqual([
      '/root', '/run/user', '/etc/gshadow', '/etc/ssh/ssh_host_*_key', '/etc/ssl/private', '/var/lib/hush', '/opt/keys',
    ]);
    expect(() => maskList(false, [], ['/home'])).toThrow("--unmask /home: not a hidden path; hidden are: none");
  });
  it('matches a pattern within one component, and what lies under a match', () => {
    const pattern = maskPattern('/etc/ssh/ssh_host_*_key');
    expect(['/etc/ssh/ssh_host_rsa_key', '/etc/ssh/ssh_host_rsa_key/x'].map((p) => pattern.test(p))).toEqual([true, true]);
    expect(['/etc/ssh/ssh_host_rsa_key.pub', '/etc/ssh/ssh_host_a/b_key', '/etc/ssh/ssh_host_rsa_keys'].map((p) => pattern.test(p))).toEqual([false, false, false]);
  });
  it('refuses a workdir or absolute command under a mask, naming the --unmask', () => {
    expect(() => checkNotMasked('/home/me', undefined, ['/home'])).toThrow('--workdir /home/me is under /home, which is hidden in the container (--unmask /home shows it)');
    expect(() => checkNotMasked('/', '/root//bin/app', ['/root'])).toThrow('the command /root//bin/app is under /root');
    expect(() => checkNotMasked('/homework', 'app', ['/home', '/root'])).not.toThrow();
  });
});
