// The kernel keyring: the container gets a fresh session keyring (so it no longer possesses
// the caller's keys) and the filter refuses keyctl. A key added to the host root's user
// keyring is the target; its value is a harmless marker.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hush } from './helpers';

const keyctl = (...args: string[]) => execFileSync('keyctl', args, { encoding: 'utf8' }).trim();
const hasKeyctl = (() => {
  try {
    keyctl('show', '@s');
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasKeyctl)('the kernel keyring (needs keyutils)', () => {
  let key = '';
  beforeAll(() => {
    key = keyctl('add', 'user', `hush-probe-${process.pid}`, 'marker-value', '@u');
  });
  afterAll(() => {
    if (key) keyctl('unlink', key, '@u');
  });

  it("is readable on the host, which is what the app must not do", () => {
    expect(keyctl('print', key)).toBe('marker-value');
  });

  it('is out of reach by default: keyctl is refused by the filter', async () => {
    const r = await hush(['run', '--', 'keyctl', 'print', key]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).not.toContain('marker-value');
    expect(r.stderr).toContain('Operation not permitted');
  });

  it('cannot be read even with the filter off: the session keyring is a fresh one', async () => {
    const r = await hush(['run', '--seccomp', 'unconfined', '--', 'keyctl', 'print', key]);
    expect(r.stdout).not.toContain('marker-value');
    expect(r.stderr).toContain('Permission denied');
    const session = await hush(['run', '--seccomp', 'unconfined', '--', 'keyctl', 'rdescribe', '@s']);
    expect(session.stdout.trim()).toMatch(/^keyring;0;0;[0-9a-f]+;_ses$/);
    expect(await hush(['run', '--seccomp', 'unconfined', '--', 'keyctl', 'show', '@s']).then((x) => x.stdout)).not.toContain(key);
  });
});
