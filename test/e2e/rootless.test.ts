// hush run as an ordinary user (docs/rootless.md): a user created here runs a copy of the built
// tree from a 0755 directory under /var/tmp (the clone may sit where that user cannot enter).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repo } from './helpers';

// One name per test process: other checkouts may run this file at the same time.
const user = `hushrootless${process.pid}`;
const haveTools = ['useradd', 'userdel', 'setpriv'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0);
const isRoot = process.geteuid?.() === 0;
const usernsOk = spawnSync('unshare', ['-U', '-r', 'true']).status === 0;
const missing = !isRoot ? 'needs root to create the user' : !haveTools ? 'needs useradd, setpriv' : !usernsOk ? 'needs user namespaces' : undefined;

let tree = '';
let uid = 0;

function runAs(args: string[], PATH = '/usr/bin:/bin', env: string[] = []) {
  const result = spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', 'env', `HOME=${tree}`, `PATH=${PATH}`, ...env,
    path.join(tree, 'bin', 'hush'), 'run', ...args], { cwd: tree, encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.skipIf(missing !== undefined)(`rootless hush run${missing ? ` (${missing})` : ''}`, () => {
  beforeAll(() => {
    spawnSync('userdel', [user]);
    execFileSync('useradd', ['--no-create-home', '--shell', '/bin/sh', user]);
    uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    tree = fs.mkdtempSync('/var/tmp/hush-rootless-');
    fs.chmodSync(tree, 0o755);
    for (const part of ['bin', 'dist', 'native', 'node_modules', 'policies', 'package.json']) {
      if (fs.existsSync(path.join(repo, part))) fs.cpSync(path.join(repo, part), path.join(tree, part), { recursive: true });
    }
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

  it('starts the app with the environment and masks known only after the render (the release)', () => {
    const r = runAs(['--env', 'GREETING=hello', '--mask', '/etc/passwd', '--', 'sh', '-c', 'echo $GREETING; wc -c < /etc/passwd; ls -A /root | wc -l']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual(['hello', '0', '0']);
  });

  it('renders a policy\'s secrets into the child\'s tmpfs (the agent writes once the maps are in)', () => {
    const r = runAs(['--policy', path.join(tree, 'policies', 'demo.yaml'), '--', 'sh', '-c', 'cat /run/secrets/db_password; echo; stat -c %u /run/secrets/api_key'],
      undefined, ['HUSH_STORE_PASSPHRASE=hush-demo']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual(['demo-db-password-correct-horse', '0']);
  });

  it('a render that fails stops the waiting child: exit 125, no process of the user left', () => {
    const policy = path.join(tree, 'broken.yaml');
    fs.writeFileSync(policy, 'secrets: [\n', { mode: 0o644 });
    const r = runAs(['--policy', policy, '--', 'true']);
    expect(r.code).toBe(125);
    // Zombies aside (their reaping is the host init's), nothing: 1 is pgrep's "none matched".
    expect(spawnSync('pgrep', ['-u', String(uid), '-r', 'R,S,D,T']).status).toBe(1);
  });

  const hasRange = () => fs.existsSync('/etc/subuid') && fs.readFileSync('/etc/subuid', 'utf8').split('\n').some((l) => l.startsWith(`${user}:`));
  it('a map helper that refuses: its own message, then exit 125 naming it (with a subuid range)', (context) => {
    if (!hasRange() || spawnSync('sh', ['-c', 'command -v newgidmap']).status !== 0) return context.skip();
    const bin = path.join(tree, 'refusing-bin');
    fs.mkdirSync(bin, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'newuidmap'), '#!/bin/sh\necho newuidmap says no >&2\nexit 1\n', { mode: 0o755 });
    fs.symlinkSync(execFileSync('sh', ['-c', 'command -v newgidmap'], { encoding: 'utf8' }).trim(), path.join(bin, 'newgidmap'));
    const r = runAs(['--secret', 'token=s3cret', '--', 'true'], `${bin}:/usr/bin:/bin`);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain('newuidmap says no');
    expect(r.stderr).toContain('newuidmap: EPERM');
  });

  it('--tty gets the container\'s own pty', () => {
    const r = spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', 'env', `HOME=${tree}`, 'PATH=/usr/bin:/bin',
      'script', '-qec', `${path.join(tree, 'bin', 'hush')} run --tty -- sh -c 'tty; exit 4'`, '/dev/null'], { cwd: tree, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(4);
    // script(1) may echo a ^@ around it (as it does for a root run).
    expect(r.stdout).toMatch(/\/dev\/pts\/\d+\r?\r?\n/);
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
