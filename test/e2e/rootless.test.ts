// hush run as an ordinary user (docs/rootless.md): a user created here runs a copy of the built
// tree from a 0755 directory under /var/tmp (the clone may sit where that user cannot enter).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyBuiltTree, createUser, hushAs, rootlessMissing as missing } from './rootless-helpers';

const user = 'hushrootless';

let tree = '';
let uid = 0;

function runAs(args: string[]) {
  return hushAs(uid, tree, ['run', ...args]);
}

describe.skipIf(missing !== undefined)(`rootless hush run${missing ? ` (${missing})` : ''}`, () => {
  beforeAll(() => {
    uid = createUser(user);
    tree = copyBuiltTree();
    fs.writeFileSync(path.join(tree, 'private'), 'not for you\n', { mode: 0o600 });
  });
  afterAll(() => {
    spawnSync('userdel', [user]);
    if (tree) fs.rmSync(tree, { recursive: true, force: true });
  });

  it('runs as root of its own user namespace, with a secret rendered into the tmpfs the child made', () => {
    const r = runAs(['--secret', 'token=s3cret', '--', 'sh', '-c', 'id -u; cat /run/secrets/token; echo; echo $$; cat /proc/self/uid_map']);
    expect(r.code).toBe(0);
    const [id, secret, pid, map, range] = r.stdout.split('\n');
    expect(id).toBe('0');
    expect(secret).toBe('s3cret');
    expect(pid).toBe('2'); // hush-init is PID 1
    expect(map.trim().split(/\s+/)).toEqual(['0', String(uid), '1']);
    // useradd gives the user a /etc/subuid range where that file exists: then the full range.
    const subuid = fs.existsSync('/etc/subuid') && fs.readFileSync('/etc/subuid', 'utf8').split('\n').find((l) => l.startsWith(`${user}:`));
    if (subuid) expect(range.trim().split(/\s+/)).toEqual(['1', subuid.split(':')[1], subuid.split(':')[2]]);
    else expect(r.stderr).toContain('one uid mapped');
  });

  it('init reaps orphans and passes the exit status', () => {
    const r = runAs(['--', 'sh', '-c', '(sleep 0.1 &) ; sleep 0.3; ps -o stat= -A 2>/dev/null | grep -c Z || true; exit 7']);
    expect(r.code).toBe(7);
  });

  it('cannot read what the user cannot: /root and another user\'s 0600 file', () => {
    const r = runAs(['--', 'sh', '-c', `cat ${path.join(tree, 'private')}; echo status=$?; ls -ln ${path.join(tree, 'private')}; ls /root/ 2>&1 | head -1`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('status=1');
    expect(r.stdout).not.toContain('not for you');
    expect(r.stdout).toMatch(/65534 +65534/); // root-owned host files show as nobody
  });

  it('--net none has only loopback', () => {
    const r = runAs(['--net', 'none', '--', 'sh', '-c', 'ls /sys/class/net']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('lo');
  });

  it('refuses limits it cannot apply, with the reason (exit 125)', () => {
    const r = runAs(['--memory', '64m', '--', 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain('delegated cgroup v2');
  });

  const swapOn = fs.readFileSync('/proc/swaps', 'utf8').trim().split('\n').length > 1;
  it(`says nothing about noswap with swap ${swapOn ? 'on: warns, --require-noswap refuses' : 'off; --require-noswap runs'}`, () => {
    const plain = runAs(['--', 'true']);
    const strict = runAs(['--require-noswap', '--', 'true']);
    if (swapOn) {
      expect(plain.stderr).toContain('secrets could reach swap');
      expect(strict.code).toBe(125);
    } else {
      expect(plain.stderr).not.toContain('swap');
      expect(strict.code).toBe(0);
    }
  });
});
