// The seccomp filter: what Docker's and podman's default profiles refuse is refused (EPERM),
// syscalls the filter does not know get ENOSYS, ordinary programs still work, and a user's
// profile in Docker's JSON format is obeyed or, when bad, refused with one line.
import * as dgram from 'node:dgram';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hush, hushBin } from './helpers';

const probe = (names: string[], ...flags: string[]) =>
  hush(['run', ...flags, '--', 'python3', '-c', fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'syscall-probe.py'), 'utf8'), ...names]);
const results = (stdout: string) => Object.fromEntries(stdout.trim().split('\n').map((line) => line.split(' ')).map(([k, v]) => [k, Number(v)]));

const refused = ['keyctl', 'add_key', 'request_key', 'bpf', 'perf_event_open', 'userfaultfd', 'unshare', 'clone-newuser', 'setns', 'mount', 'umount2', 'pivot_root', 'kexec_load', 'init_module', 'finit_module', 'open_by_handle_at', 'iopl', 'swapon', 'clock_settime', 'reboot', 'socket-vsock'];
const EPERM = 1;
const ENOSYS = 38;

function tempFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hush-seccomp-'));
  fs.writeFileSync(path.join(dir, name), text);
  return path.join(dir, name);
}

describe('the default seccomp filter', () => {
  it('is installed on the app, with no_new_privs', async () => {
    const r = await hush(['run', '--', '/bin/sh', '-c', 'grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status']);
    expect(r.stdout).toBe('NoNewPrivs:\t1\nSeccomp:\t2\n');
  });

  it('refuses namespaces, keys, bpf, perf, userfaultfd, mounts, kexec, modules and clocks with EPERM', async () => {
    const r = await probe(refused);
    expect(r.code).toBe(0);
    expect(results(r.stdout)).toEqual(Object.fromEntries(refused.map((name) => [name, EPERM])));
  });

  it('is what refuses them: --seccomp unconfined lets the same calls reach the kernel', async () => {
    const r = await probe(['keyctl', 'add_key', 'userfaultfd', 'socket-vsock', 'unshare', 'lsm_get_self_attr'], '--seccomp', 'unconfined');
    const seen = results(r.stdout);
    expect(seen.keyctl).not.toBe(EPERM);
    expect(seen.add_key).not.toBe(EPERM);
    expect(seen.userfaultfd).not.toBe(EPERM);
    expect(seen['socket-vsock']).not.toBe(EPERM);
    expect(seen.unshare).toBe(0); // a user namespace, in the app only
    expect(seen.lsm_get_self_attr).not.toBe(ENOSYS);
    const status = await hush(['run', '--seccomp', 'unconfined', '--', '/bin/sh', '-c', 'grep ^Seccomp: /proc/self/status']);
    expect(status.stdout).toBe('Seccomp:\t0\n');
  });

  it.skipIf(process.arch !== 'x64')('covers the i386 (int 0x80) and x32 ABIs: no way around it (needs x86-64)', async () => {
    const code = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'compat-abi-probe.py'), 'utf8');
    const unconfined = await hush(['run', '--seccomp', 'unconfined', '--', 'python3', '-c', code]);
    // Unfiltered, i386's unshare works; x32 works or, on a kernel built without it, is ENOSYS.
    expect(unconfined.stdout).toMatch(/^x32 (0|-38)\ni386 0\n$/);
    expect((await hush(['run', '--', 'python3', '-c', code])).stdout).toBe('x32 -1\ni386 -1\n');
  });

  it('answers syscalls it does not know, and odd personalities, with ENOSYS', async () => {
    expect(results((await probe(['lsm_get_self_attr', 'personality-other'])).stdout)).toEqual({ lsm_get_self_attr: ENOSYS, 'personality-other': ENOSYS });
  });

  it('gives back what a capability added with --cap-add needs (mount with SYS_ADMIN)', async () => {
    const r = await hush(['run', '--cap-add', 'SYS_ADMIN', '--', '/bin/sh', '-c', 'mkdir /tmp/m && mount -t tmpfs none /tmp/m && echo mounted']);
    expect(r.stdout).toBe('mounted\n');
  });

  it('keeps ordinary programs working: sh, python3, node, threads, /tmp, DNS over loopback', async () => {
    const server = dgram.createSocket('udp4');
    // A one-record DNS server: answers every A query with 192.0.2.7.
    server.on('message', (query, peer) => {
      const header = Buffer.from([query[0], query[1], 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]);
      const question = query.subarray(12);
      const answer = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7]);
      server.send(Buffer.concat([header, question, answer]), peer.port, peer.address);
    });
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    const port = server.address().port;
    try {
      const node = await hush(['run', '--', process.execPath, '-e', `const { Resolver } = require('node:dns').promises; const r = new Resolver(); r.setServers(['127.0.0.1:${port}']); r.resolve4('app.example').then((a) => { require('node:fs').writeFileSync('/tmp/out', a[0]); console.log(require('node:fs').readFileSync('/tmp/out', 'utf8')); new (require('node:worker_threads').Worker)('process.exit(0)', { eval: true }); });`]);
      expect(node.stdout).toBe('192.0.2.7\n');
      expect(node.code).toBe(0);
    } finally {
      server.close();
    }
    const python = await hush(['run', '--', 'python3', '-c', 'import threading, subprocess, tempfile; t = threading.Thread(target=print, args=("thread",)); t.start(); t.join(); print(subprocess.run(["sh", "-c", "echo child"], capture_output=True, text=True).stdout.strip()); tempfile.NamedTemporaryFile(dir="/tmp").write(b"x")']);
    expect(python.stdout).toBe('thread\nchild\n');
    const shell = await hush(['run', '--', '/bin/sh', '-c', 'echo $(echo nested) | cat; (exit 3) || echo subshell']);
    expect(shell.stdout).toBe('nested\nsubshell\n');
  });
});

describe('--seccomp FILE (Docker/OCI profile format)', () => {
  const profile = {
    defaultAction: 'SCMP_ACT_ALLOW',
    archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }],
    syscalls: [
      { names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13, comment: 'no new directories' },
      { names: ['uname'], action: 'SCMP_ACT_ERRNO', includes: { caps: ['CAP_SYS_ADMIN'] } },
      { names: ['getpriority'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] },
    ],
  };

  it('obeys its rules: errnoRet, includes.caps, args', async () => {
    const file = tempFile('profile.json', JSON.stringify(profile));
    const script = 'mkdir /tmp/d 2>/dev/null; echo mkdir=$?; uname >/dev/null; echo uname=$?; python3 -c "import os\nos.getpriority(0, 0)\ntry:\n  os.getpriority(1, 0)\nexcept OSError as e:\n  print(\\"prio1\\", e.errno)"';
    const r = await hush(['run', '--seccomp', file, '--', '/bin/sh', '-c', script]);
    expect(r.stdout).toBe('mkdir=1\nuname=0\nprio1 1\n');
    const admin = await hush(['run', '--seccomp', file, '--cap-add', 'SYS_ADMIN', '--', '/bin/sh', '-c', 'uname >/dev/null 2>&1; echo uname=$?']);
    expect(admin.stdout).toBe('uname=1\n');
  });

  it.each([
    ['not JSON', '{', /: \(file\): not JSON: /],
    ['an unknown action', JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_MAYBE' }] }), /: syscalls\[0\]\.action: expected one of SCMP_ACT_KILL, .*got "SCMP_ACT_MAYBE"$/],
    ['a misspelt field', JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', sycalls: [] }), /: sycalls: unknown field$/],
    ['an argument index out of range', JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO', args: [{ index: 6, value: 0, op: 'SCMP_CMP_EQ' }] }] }), /: syscalls\[0\]\.args\[0\]\.index: expected an integer 0\.\.5, got 6$/],
    ['no defaultAction', JSON.stringify({ syscalls: [] }), /: defaultAction: missing$/],
  ])('refuses a profile with %s: 125, one line naming the file and field', async (_what, text, pattern) => {
    const file = tempFile('bad.json', text);
    const r = await hush(['run', '--seccomp', file, '--', 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stderr.startsWith(`hush: run: --seccomp ${file}: `)).toBe(true);
    expect(r.stderr.trim()).toMatch(pattern);
  });

  it('refuses a missing file', async () => {
    const r = await hush(['run', '--seccomp', '/nonexistent/profile.json', '--', 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toBe('hush: run: --seccomp /nonexistent/profile.json: cannot read it (ENOENT)\n');
  });
});

const canUnshare = (() => {
  try {
    execFileSync('unshare', ['-m', 'true']);
    return true;
  } catch {
    return false;
  }
})();

describe('without libseccomp', () => {
  // libseccomp.so.2 replaced by an empty file in a private mount namespace.
  const withoutLibseccomp = (...args: string[]) => {
    const lib = execFileSync('sh', ['-c', "ldconfig -p | awk '/libseccomp.so.2 /{print $NF; exit}'"], { encoding: 'utf8' }).trim();
    const script = `mount --bind /dev/null "$(readlink -f ${lib})" && exec "$@"`;
    return execFileSync('unshare', ['-m', 'sh', '-c', script, 'sh', process.execPath, hushBin, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  };

  it.skipIf(!canUnshare)('refuses to start (fail closed) unless --seccomp unconfined (needs unshare -m)', async () => {
    let failure: { status: number; stderr: string } | undefined;
    try {
      withoutLibseccomp('run', '--', 'true');
    } catch (err) {
      failure = err as { status: number; stderr: string };
    }
    expect(failure?.status).toBe(125);
    expect(failure?.stderr).toMatch(/^hush: run: seccomp: cannot load libseccomp\.so\.2 \(install libseccomp2\): .*\n$/);
    expect(withoutLibseccomp('run', '--seccomp', 'unconfined', '--', 'echo', 'unconfined')).toBe('unconfined\n');
  });
});

describe('the compiled-filter cache', () => {
  const entries = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);

  it('keeps the compiled program in a private runtime directory and uses it again', async () => {
    const runtime = fs.mkdtempSync(path.join(os.tmpdir(), 'hush-runtime-'));
    const env = { PATH: process.env.PATH, XDG_RUNTIME_DIR: runtime };
    const dir = path.join(runtime, 'hush', 'seccomp');
    expect((await hush(['run', '--', 'true'], { env })).code).toBe(0);
    const [entry] = entries(dir);
    expect(entry).toMatch(/^[0-9a-f]{64}\.bpf$/);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, entry)).mode & 0o777).toBe(0o600);
    const again = await hush(['run', '--', '/bin/sh', '-c', 'unshare -U true 2>/dev/null; echo $?'], { env });
    expect(again.stdout).toBe('1\n');
    expect(entries(dir)).toEqual([entry]);
  });

  it('is not used when someone else could write it: a planted allow-all program is ignored', async () => {
    const runtime = fs.mkdtempSync(path.join(os.tmpdir(), 'hush-runtime-'));
    const env = { PATH: process.env.PATH, XDG_RUNTIME_DIR: runtime };
    const dir = path.join(runtime, 'hush', 'seccomp');
    expect((await hush(['run', '--', 'true'], { env })).code).toBe(0);
    const [entry] = entries(dir);
    // One instruction, `ret SECCOMP_RET_ALLOW`, written where the real program was.
    const allowAll = Buffer.from([0x06, 0, 0, 0, 0x00, 0x00, 0xff, 0x7f]);
    fs.writeFileSync(path.join(dir, entry), allowAll);
    fs.chmodSync(path.join(dir, entry), 0o666);
    const planted = await hush(['run', '--', '/bin/sh', '-c', 'unshare -U true 2>/dev/null; echo $?'], { env });
    expect(planted.stdout).toBe('1\n');
    fs.chmodSync(path.join(dir, entry), 0o600);
    fs.chmodSync(dir, 0o777);
    expect((await hush(['run', '--', '/bin/sh', '-c', 'unshare -U true 2>/dev/null; echo $?'], { env })).stdout).toBe('1\n');
  });
});
