// hush run as an ordinary user (docs/rootless.md), for two users made here: one with a
// /etc/subuid and /etc/subgid range (the full range is mapped through newuidmap) and one
// without (one uid is mapped, and hush says so). Each runs a copy of the built tree from a
// 0755 directory under /var/tmp (the clone may sit where other users cannot enter), with a home
// of its own there that holds its encrypted store.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repo } from './helpers';
import { copyBuiltTree, useradd } from './rootless-helpers';

const haveTools = ['useradd', 'userdel', 'usermod', 'setpriv', 'newuidmap', 'newgidmap', 'script', 'pgrep'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0);
const isRoot = process.geteuid?.() === 0;
const usernsOk = spawnSync('unshare', ['-U', '-r', 'true']).status === 0;
const missing = !isRoot ? 'needs root to create the users' : !haveTools ? 'needs useradd, usermod, setpriv, newuidmap, newgidmap, script, pgrep' : !usernsOk ? 'needs user namespaces' : undefined;

const syscallProbe = fs.readFileSync(path.join(repo, 'test', 'fixtures', 'syscall-probe.py'), 'utf8');
const refusedSyscalls = ['keyctl', 'unshare', 'clone-newuser', 'setns', 'mount', 'pivot_root', 'bpf', 'init_module'];
const swapOn = fs.readFileSync('/proc/swaps', 'utf8').trim().split('\n').length > 1;

let tree = '';

interface RootlessUser {
  name: string;
  /** The /etc/subuid and /etc/subgid range given to it, or none. */
  range: { start: number; count: number } | undefined;
  uid: number;
  home: string;
}

function makeUser(name: string, range: RootlessUser['range']): RootlessUser {
  spawnSync('userdel', [name]);
  // No range from useradd itself: the one given here (or none) is the user's only one.
  useradd(['--no-create-home', '--shell', '/bin/sh', '-K', 'SUB_UID_COUNT=0', '-K', 'SUB_GID_COUNT=0', name]);
  if (range) {
    const span = `${range.start}-${range.start + range.count - 1}`;
    execFileSync('usermod', ['--add-subuids', span, '--add-subgids', span, name]);
  }
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const home = path.join(tree, `home-${name}`);
  fs.mkdirSync(home, { mode: 0o700 });
  fs.chownSync(home, uid, uid);
  return { name, range, uid, home };
}

function asUser(user: RootlessUser, args: string[], env: Record<string, string> = {}): string[] {
  const vars = Object.entries({ HOME: user.home, PATH: '/usr/bin:/bin', ...env }).map(([k, v]) => `${k}=${v}`);
  return ['setpriv', `--reuid=${user.uid}`, `--regid=${user.uid}`, '--clear-groups', 'env', '-i', ...vars, path.join(tree, 'bin', 'hush'), ...args];
}

function hushAs(user: RootlessUser, args: string[], options: { env?: Record<string, string>; input?: string } = {}) {
  const [command, ...rest] = asUser(user, args, options.env);
  const result = spawnSync(command, rest, { cwd: user.home, encoding: 'utf8', timeout: 30_000, input: options.input });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const runAs = (user: RootlessUser, args: string[], env?: Record<string, string>) => hushAs(user, ['run', ...args], { env });

/** `hush run` in the background; its output so far, and its end. */
function startAs(user: RootlessUser, args: string[], env: Record<string, string>) {
  const [command, ...rest] = asUser(user, ['run', ...args], env);
  const child = spawn(command, rest, { cwd: user.home, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const waitFor = async (pattern: RegExp) => {
    for (let i = 0; i < 1000 && !pattern.test(stdout); i++) await new Promise((r) => setTimeout(r, 20));
    if (!pattern.test(stdout)) throw new Error(`no ${pattern} in ${JSON.stringify(stdout)}; stderr ${JSON.stringify(stderr)}`);
  };
  return { child, done, waitFor, output: () => ({ stdout, stderr }) };
}

const users: RootlessUser[] = [];

describe.skipIf(missing !== undefined)(`rootless hush run${missing ? ` (${missing})` : ''}`, () => {
  beforeAll(() => {
    tree = copyBuiltTree();
    fs.writeFileSync(path.join(tree, 'private'), 'not for you\n', { mode: 0o600 });
    // One name per test process: other checkouts may run this file at the same time.
    users.push(makeUser(`hushrootless${process.pid}`, { start: 300000, count: 65536 }), makeUser(`hushonemap${process.pid}`, undefined));
  });
  afterAll(() => {
    for (const user of users) spawnSync('userdel', [user.name]);
    if (tree) fs.rmSync(tree, { recursive: true, force: true });
  });

  describe.each([
    ['with a /etc/subuid range', 0],
    ['without a /etc/subuid range', 1],
  ])('%s', (_, index) => {
    const user = () => users[index]!;

    it('is root of its own user namespace, mapped as its ranges allow, with a secret in the tmpfs the child made', () => {
      const r = runAs(user(), ['--secret', 'token=s3cret', '--', 'sh', '-c', 'id -u; cat /run/secrets/token; echo; echo $$; cat /proc/self/uid_map; cat /proc/self/gid_map']);
      expect(r.code).toBe(0);
      const [id, secret, pid, ...maps] = r.stdout.trim().split('\n');
      expect(id).toBe('0');
      expect(secret).toBe('s3cret');
      expect(pid).toBe('2'); // hush-init is PID 1
      const rows = maps.map((line) => line.trim().split(/\s+/));
      const { range, uid } = user();
      if (range) {
        const full = [['0', String(uid), '1'], ['1', String(range.start), String(range.count)]];
        expect(rows).toEqual([...full, ...full]);
        expect(r.stderr).toBe('');
      } else {
        expect(rows).toEqual([['0', String(uid), '1'], ['0', String(uid), '1']]);
        expect(r.stderr).toContain(`hush: run: user namespace: one uid mapped (0 is uid ${uid}): no /etc/subuid and /etc/subgid range for ${user().name}`);
      }
    });

    it('init reaps orphans and passes the exit status', () => {
      // The orphan's parent exits at once; init must reap it when it ends, leaving no zombie.
      const r = runAs(user(), ['--', 'sh', '-c', '(sleep 0.1 &); sleep 0.4; for s in /proc/[0-9]*/stat; do cut -d" " -f3 "$s"; done | grep -c Z; exit 7']);
      expect(r.stdout.trim()).toBe('0');
      expect(r.code).toBe(7);
    });

    it("cannot read what the user cannot: /root and another user's 0600 file; root's files show as nobody", () => {
      const file = path.join(tree, 'private');
      const r = runAs(user(), ['--', 'sh', '-c', `cat ${file}; echo status=$?; ls -ln ${file}; ls /root/ 2>&1 | head -1`]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('status=1');
      expect(r.stdout).not.toContain('not for you');
      expect(r.stdout).toMatch(/65534 +65534/);
    });

    it('--net none has only loopback', () => {
      const r = runAs(user(), ['--net', 'none', '--', 'sh', '-c', 'ls /sys/class/net']);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe('lo');
    });

    it('keeps the hardening that applies: seccomp with no_new_privs refuses namespaces and mounts, /proc/sys is read-only, /etc/shadow is masked', () => {
      const shell = runAs(user(), ['--', 'sh', '-c', [
        'grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status',
        // A harmless write: the value just read.
        'v=$(cat /proc/sys/kernel/core_pattern); if (echo "$v" > /proc/sys/kernel/core_pattern) 2>/dev/null; then echo proc_sys=written; else echo proc_sys=refused; fi',
        'echo shadow=$(wc -c < /etc/shadow)',
      ].join('; ')]);
      expect(shell.code).toBe(0);
      expect(shell.stdout.trim().split('\n')).toEqual(['NoNewPrivs:\t1', 'Seccomp:\t2', 'proc_sys=refused', 'shadow=0']);
      const probe = runAs(user(), ['--', 'python3', '-c', syscallProbe, ...refusedSyscalls]);
      expect(probe.code).toBe(0);
      expect(probe.stdout.trim().split('\n')).toEqual(refusedSyscalls.map((name) => `${name} 1`)); // EPERM
    });

    it('refuses --userns host, which needs root; --userns auto is the run it always gets', () => {
      const host = runAs(user(), ['--userns', 'host', '--', 'true']);
      expect(host.code).toBe(125);
      expect(host.stderr).toMatch(/^hush: run: --userns host needs root/);
      expect(runAs(user(), ['--userns', 'auto', '--', 'sh', '-c', 'id -u']).stdout).toBe('0\n');
    });

    it('starts the app with the environment and masks known only after the render (the release)', () => {
      const r = runAs(user(), ['--env', 'GREETING=hello', '--mask', '/etc/passwd', '--', 'sh', '-c', 'echo $GREETING; wc -c < /etc/passwd; ls -A /root | wc -l']);
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n').slice(0, 3)).toEqual(['hello', '0', '0']);
    });

    it("renders a policy's secrets into the child's tmpfs (the agent writes once the maps are in)", () => {
      const r = runAs(user(), ['--policy', path.join(tree, 'policies', 'demo.yaml'), '--', 'sh', '-c', 'cat /run/secrets/db_password; echo; stat -c %u /run/secrets/api_key'],
        { HUSH_STORE_PASSPHRASE: 'hush-demo' });
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n').slice(0, 2)).toEqual(['demo-db-password-correct-horse', '0']);
    });

    it('a render that fails stops the waiting child: exit 125, no process of the user left', () => {
      const policy = path.join(user().home, 'broken.yaml');
      fs.writeFileSync(policy, 'secrets: [\n', { mode: 0o644 });
      const r = runAs(user(), ['--policy', policy, '--', 'true']);
      expect(r.code).toBe(125);
      // Zombies aside (their reaping is the host init's), nothing: 1 is pgrep's "none matched".
      expect(spawnSync('pgrep', ['-u', String(user().uid), '-r', 'R,S,D,T']).status).toBe(1);
    });

    it.runIf(index === 0)('a map helper that refuses: its own message, then exit 125 naming it (only with a subuid range: a one-uid map needs no helper)', () => {
      const bin = path.join(user().home, 'refusing-bin');
      fs.mkdirSync(bin, { mode: 0o755 });
      fs.writeFileSync(path.join(bin, 'newuidmap'), '#!/bin/sh\necho newuidmap says no >&2\nexit 1\n', { mode: 0o755 });
      fs.symlinkSync(execFileSync('sh', ['-c', 'command -v newgidmap'], { encoding: 'utf8' }).trim(), path.join(bin, 'newgidmap'));
      const r = runAs(user(), ['--secret', 'token=s3cret', '--', 'true'], { PATH: `${bin}:/usr/bin:/bin` });
      expect(r.code).toBe(125);
      expect(r.stderr).toContain('newuidmap says no');
      expect(r.stderr).toContain('newuidmap: EPERM');
    });

    it("--tty gets the container's own pty", () => {
      const hush = asUser(user(), ['run', '--tty', '--', 'sh', '-c', "'tty; exit 4'"]).join(' ');
      const r = spawnSync('script', ['-qec', hush, '/dev/null'], { cwd: user().home, encoding: 'utf8', timeout: 30_000 });
      expect(r.status).toBe(4);
      // script(1) may echo a ^@ around it (as it does for a root run).
      expect(r.stdout).toMatch(/\/dev\/pts\/\d+\r?\r?\n/);
    });

    it('refuses limits it cannot apply, with the reason (exit 125)', () => {
      const r = runAs(user(), ['--memory', '64m', '--', 'true']);
      expect(r.code).toBe(125);
      expect(r.stderr).toContain('delegated cgroup v2');
    });

    it(`says nothing about noswap with swap ${swapOn ? 'on: warns, --require-noswap refuses' : 'off; --require-noswap runs'}`, () => {
      const plain = runAs(user(), ['--', 'true']);
      const strict = runAs(user(), ['--require-noswap', '--', 'true']);
      if (swapOn) {
        expect(plain.stderr).toContain('secrets could reach swap');
        expect(strict.code).toBe(125);
      } else {
        expect(plain.stderr).not.toContain('swap');
        expect(strict.code).toBe(0);
      }
    });

    it("renders the user's own encrypted store, and delivers an edit to the running app with SIGHUP", async () => {
      const { home } = user();
      const env = { HUSH_STORE: path.join(home, 'secrets.hush'), HUSH_STORE_IDENTITY: path.join(home, 'identity') };
      const keygen = hushAs(user(), ['store', 'keygen', '--out', env.HUSH_STORE_IDENTITY]);
      expect(keygen.code).toBe(0);
      const recipient = /recipient: (\S+)/.exec(fs.readFileSync(env.HUSH_STORE_IDENTITY, 'utf8'))![1]!;
      expect(hushAs(user(), ['store', 'init', '--recipient', recipient], { env }).code).toBe(0);
      expect(hushAs(user(), ['store', 'set', 'db/password'], { env, input: 'hunter2' }).code).toBe(0);
      fs.writeFileSync(path.join(home, 'app.yaml'), [
        'version: 1',
        'name: app',
        'sources:',
        `  dev: { type: file, path: ${env.HUSH_STORE} }`,
        'secrets:',
        '  - { file: db_password, source: dev, key: db/password }',
        'on_change:',
        '  signal: SIGHUP',
      ].join('\n'));
      const app = 'trap "exit 0" TERM; trap \'echo "hup: $(cat /run/secrets/db_password)"\' HUP; echo "start: $(cat /run/secrets/db_password) $(stat -c %a:%u /run/secrets/db_password)"; while :; do sleep 0.05; done';
      const run = startAs(user(), ['--policy', 'app.yaml', '--', 'sh', '-c', app], env);
      try {
        await run.waitFor(/start: hunter2 400:0\n/);
        expect(hushAs(user(), ['store', 'set', 'db/password'], { env, input: 'correct-horse' }).code).toBe(0);
        await run.waitFor(/hup: correct-horse\n/);
      } finally {
        run.child.kill('SIGTERM');
      }
      expect(await run.done).toBe(0);
      // Nothing else: the API found a runtime directory of the user's own (no XDG_RUNTIME_DIR here).
      expect(run.output().stderr.replace(/^hush: run: user namespace: one uid mapped.*\n/, '')).toBe(
        'hush: info on-change: secrets changed; signalling the app policy=app signal=SIGHUP\n');
    });
  });
});
