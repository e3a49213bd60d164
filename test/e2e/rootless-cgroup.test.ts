// Rootless limits (docs/rootless.md, docs/limits.md): hush run as an ordinary user makes the
// container's cgroup in a delegated cgroup v2 subtree, and refuses a limit elsewhere with the
// reason. Root plays systemd's part (Delegate=yes): in a mount namespace it makes a cgroup,
// chowns it (the directory, cgroup.procs, cgroup.subtree_control, cgroup.threads) to a user
// made here, moves the shell into it, and execs hush as that user through setpriv. On this
// kernel every controller is bound to v1, so the delegated cgroup has none: the placement and
// removal are tested for real, and a limit is refused naming its controller.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgroupLayout } from '../../launcher/cgroups/layout';
import { sleep } from './helpers';
import { procsIn } from './limits-helpers';
import { makeRootlessUser, rootlessMissing, type RootlessUser } from './rootless-user';

const mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf8');
/** The root of the unified hierarchy as the host mounts it (a cgroup2 mount of "/"). */
const v2Root = cgroupLayout(mountinfo, '0::/\n').unified?.ownDir;
const hybrid = cgroupLayout(mountinfo, fs.readFileSync('/proc/self/cgroup', 'utf8')).v1.length > 0;
const ownPath = /^0::(.*)$/m.exec(fs.readFileSync('/proc/self/cgroup', 'utf8'))?.[1];
const missing = rootlessMissing ?? (v2Root ? undefined : 'needs a cgroup2 hierarchy mounted at its root');

/** v2-only: /sys/fs/cgroup is a fresh cgroup2 mount; host: left as it is; none: no cgroup mounted at all. */
type Mounts = 'v2-only' | 'host' | 'none';

const script = `set -e
case "$MOUNTS" in
  v2-only) umount -R /sys/fs/cgroup; mount -t cgroup2 cgroup2 /sys/fs/cgroup ;;
  none) umount -R /sys/fs/cgroup ;;
esac
if [ -n "$CG" ]; then
  mkdir "$CG"
  if [ "$THREADED" = yes ]; then mkdir "$CG/t"; echo threaded > "$CG/t/cgroup.type"; fi
  if [ "$DELEGATE" = yes ]; then chown "$TEST_UID" "$CG" "$CG/cgroup.procs" "$CG/cgroup.subtree_control" "$CG/cgroup.threads"; fi
  echo $$ > "$CG/cgroup.procs"
fi
exec "$@"`;

let user: RootlessUser;
let serial = 0;

/**
 * `hush run ARGS` as the user, in its own cgroup CG (delegated or not) under the unified
 * hierarchy. Returns the host path of CG; unshare, sh, setpriv and env exec in turn, so the
 * child's pid is hush's.
 */
function runInCgroup(options: { mounts: Mounts; delegate: boolean; debug?: boolean; threadedChild?: boolean }, args: string[]) {
  const name = `hush-test-delegated-${process.pid}-${++serial}`;
  const inside = options.mounts === 'none' ? '' : options.mounts === 'v2-only' ? `/sys/fs/cgroup/${name}` : `${v2Root}/${name}`;
  const command = [...user.hushAsUser(options.debug ? ['HUSH_LOG_LEVEL=debug'] : []), 'run', ...args];
  const child = spawn('unshare', ['-m', '--propagation', 'private', '/bin/sh', '-c', script, 'sh', ...command], {
    cwd: user.tree,
    env: { PATH: process.env.PATH, MOUNTS: options.mounts, CG: inside, DELEGATE: options.delegate ? 'yes' : 'no', THREADED: options.threadedChild ? 'yes' : 'no', TEST_UID: String(user.uid) },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  const hostDir = inside === '' ? undefined : `${v2Root}/${name}`;
  cleanups.push(async () => {
    child.kill('SIGKILL');
    await done;
    if (!hostDir || !fs.existsSync(hostDir)) return;
    // After a failed test a container may take a moment to die (its parent-death signal).
    const children = fs.readdirSync(hostDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `${hostDir}/${e.name}`);
    for (const dir of [...children, hostDir]) {
      for (let i = 0; i < 50 && fs.existsSync(dir); i++) {
        try {
          fs.rmdirSync(dir);
        } catch {
          await sleep(20);
        }
      }
    }
  });
  return { pid: child.pid!, done, output: () => stdout, hostDir };
}

const cleanups: (() => Promise<void>)[] = [];
const containerDirs = (hostDir: string, pid: number) => fs.readdirSync(hostDir).filter((name) => name.startsWith(`hush-${pid}-`));
const waitFor = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await sleep(20);
};

describe.skipIf(missing !== undefined)(`rootless limits through a delegated cgroup v2 subtree${missing ? ` (${missing})` : ''}`, () => {
  beforeAll(() => {
    user = makeRootlessUser('hushcgroup');
  });
  afterAll(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    user?.remove();
  });

  it('makes the container\'s cgroup under the delegated one, starts the app in it, removes it at exit', async () => {
    const run = runInCgroup({ mounts: 'v2-only', delegate: true, debug: true }, [
      '--', 'sh', '-c', 'echo $(cat /sys/fs/cgroup/cgroup.procs); grep "^0::" /proc/self/cgroup; grep " /sys/fs/cgroup " /proc/self/mountinfo | tail -1; echo up; sleep 30',
    ]);
    await waitFor(() => run.output().includes('up\n'));
    const [name] = containerDirs(run.hostDir!, run.pid);
    expect(name).toBeDefined();
    const dir = `${run.hostDir}/${name}`;
    expect(fs.statSync(dir).uid).toBe(user.uid); // made by the user, in the directory delegated to them
    const procs = procsIn(dir);
    expect(procs).toHaveLength(3); // init, sh, sleep
    for (const pid of procs) expect(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8')).toContain(`0::/${run.hostDir!.split('/').pop()}/${name}\n`);
    process.kill(run.pid, 'SIGTERM');
    const r = await run.done;
    expect(r.code).toBe(143);
    const [inside, cgroupLine, mount] = r.stdout.split('\n');
    expect(cgroupLine).toBe('0::/'); // its cgroup namespace is rooted at its own cgroup
    expect(mount).toMatch(/^\S+ \S+ \S+ \/ \/sys\/fs\/cgroup ro,.* - cgroup2 /); // shown read-only
    expect(inside.split(' ').map(Number)).toEqual([1, 2, 3]); // init, sh, cat, as its pid namespace numbers them
    expect(r.stderr).toContain('hush: debug cgroup: no pids controller (cgroup v1 or v2) is available: the default --pids-limit is not applied\n');
    expect(containerDirs(run.hostDir!, run.pid)).toEqual([]);
  });

  it.each([
    [['--memory', '64m'], '--memory 64 MiB', 'memory'],
    [['--cpus', '1'], '--cpus 1', 'cpu'],
    [['--pids-limit', '10'], '--pids-limit 10', 'pids'],
  ])('refuses %j there, naming the controller that is not delegated', async (flags, limit, controller) => {
    const run = runInCgroup({ mounts: 'v2-only', delegate: true }, [...flags, '--', 'echo', 'ran']);
    const r = await run.done;
    expect(r.code).toBe(125);
    expect(r.stdout).toBe('');
    const controllers = fs.readFileSync(`${run.hostDir}/cgroup.controllers`, 'utf8').trim() || 'none';
    expect(controllers).not.toContain(controller); // the premise: this kernel has it on v1 only
    expect(r.stderr).toContain(
      `hush: run: ${limit} cannot be applied rootless: limits need a delegated cgroup v2 subtree, and the ${controller} controller is not delegated to your cgroup /sys/fs/cgroup/${run.hostDir!.split('/').pop()} (its cgroup.controllers: ${controllers})\n`,
    );
    expect(containerDirs(run.hostDir!, run.pid)).toEqual([]);
  });

  it('a cgroup not delegated (still root\'s): a limit is refused with that reason; without one the run has no cgroup, and /sys/fs/cgroup is masked', async () => {
    const refused = runInCgroup({ mounts: 'v2-only', delegate: false }, ['--pids-limit', '10', '--', 'echo', 'ran']);
    const r = await refused.done;
    expect(r.code).toBe(125);
    expect(r.stderr).toContain(
      `hush: run: --pids-limit 10 cannot be applied rootless: limits need a delegated cgroup v2 subtree, and your cgroup /sys/fs/cgroup/${refused.hostDir!.split('/').pop()} is not writable by you (not delegated to you, as systemd's Delegate=yes does)\n`,
    );
    const plain = runInCgroup({ mounts: 'v2-only', delegate: false, debug: true }, ['--', 'sh', '-c', 'ls -A /sys/fs/cgroup | wc -l']);
    const p = await plain.done;
    expect(p.code).toBe(0);
    expect(p.stdout).toBe('0\n');
    expect(p.stderr).toMatch(/hush: debug cgroup: rootless: your cgroup \S+ is not writable by you .*: the container gets no cgroup, and the default --pids-limit is not applied\n/);
    expect(containerDirs(plain.hostDir!, plain.pid)).toEqual([]);
  });

  it('in a threaded domain (its new children are "domain invalid", no process can join them) the run goes on without a cgroup, and says why', async () => {
    // A threaded child makes the delegated cgroup a threaded domain; clone3 into a new domain
    // child would fail with EOPNOTSUPP.
    const run = runInCgroup({ mounts: 'v2-only', delegate: true, debug: true, threadedChild: true }, ['--', 'sh', '-c', 'ls -A /sys/fs/cgroup | wc -l']);
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('0\n'); // no cgroup joined: /sys/fs/cgroup masked
    const name = run.hostDir!.split('/').pop();
    expect(r.stderr).toMatch(new RegExp(`hush: debug cgroup: cannot use /sys/fs/cgroup/${name}/hush-${run.pid}-[0-9a-f]+ \\(EOPNOTSUPP: it is "domain invalid", since /sys/fs/cgroup/${name} is a threaded domain\\): skipped\n`));
    expect(containerDirs(run.hostDir!, run.pid)).toEqual([]);
  });

  it('no cgroup mounted at all: a limit is refused with that reason', async () => {
    const run = runInCgroup({ mounts: 'none', delegate: false }, ['--cpus', '1', '--', 'echo', 'ran']);
    const r = await run.done;
    expect(r.code).toBe(125);
    expect(r.stderr).toContain(
      `hush: run: --cpus 1 cannot be applied rootless: limits need a delegated cgroup v2 subtree, and no cgroup2 filesystem is mounted where your cgroup (0::${ownPath}) is\n`,
    );
  });

  it.skipIf(!hybrid).each([[[]], [['--net', 'none']]])('on the hybrid as it is: the delegated cgroup in the unified hierarchy, shown as /sys/fs/cgroup/unified on a read-only tmpfs (flags %j)', async (flags) => {
    const run = runInCgroup({ mounts: 'host', delegate: true }, [...flags, '--', 'sh', '-c', 'echo $(cat /sys/fs/cgroup/unified/cgroup.procs); ls /sys/fs/cgroup; touch /sys/fs/cgroup/x']);
    const r = await run.done;
    expect(r.stdout).toBe('1 2 3\nunified\n');
    expect(r.stderr).toContain('Read-only file system');
    expect(r.code).toBe(1); // touch's failure
    expect(containerDirs(run.hostDir!, run.pid)).toEqual([]);
  });
});
