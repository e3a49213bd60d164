// `hush run` in real namespaces: PID 1, reaping, signals, exit statuses, filesystem, network,
// identity, setup failures, and what is left behind after kill -9.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import { expect, it } from 'vitest';
import { describeContainers, descendants, fixtureCommand, hush, makeRootfs, processExists, startHush } from './helpers';

const sh = (script: string, ...flags: string[]) => hush(['run', ...flags, '--', '/bin/sh', '-c', script]);

describeContainers('PID 1', () => {
  it('runs the app as PID 2 under our init', async () => {
    const r = await sh('echo $$; cat /proc/1/comm');
    expect(r.stdout.split('\n').slice(0, 2)).toEqual(['2', 'hush-init']);
    expect(r.code).toBe(0);
  });

  it('runs the app itself as PID 1 with --no-init', async () => {
    const r = await sh('echo $$', '--no-init');
    expect(r.stdout.trim()).toBe('1');
  });

  it('reaps an orphaned grandchild: no zombie is left in /proc', async () => {
    // The subshell exits at once; its `sleep` is orphaned to PID 1 and exits 200 ms later.
    // The app then lists process states without ever waiting for it itself.
    const r = await sh('(sleep 0.2 &); sleep 0.8; for s in /proc/[0-9]*/stat; do cut -d" " -f3 "$s"; done');
    expect(r.code).toBe(0);
    const states = r.stdout.trim().split('\n');
    expect(states.length).toBeGreaterThan(1);
    expect(states).not.toContain('Z');
  });

  const forwarded = ['SIGINT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGQUIT', 'SIGWINCH'] as const;
  for (const mode of [[], ['--no-init']] as const) {
    it(`forwards each signal to the app${mode.length ? ' (--no-init, app handles them)' : ''}`, async () => {
      const run = startHush(['run', ...mode, '--', ...fixtureCommand('signal-app.sh')]);
      await run.waitForOutput(/ready/);
      for (const signal of forwarded) {
        run.process.kill(signal);
        await run.waitForOutput(new RegExp(`got ${signal.slice(3)}\\n`));
      }
      run.process.kill('SIGTERM');
      const result = await run.done;
      expect(result.stdout).toBe(['ready', ...forwarded.map((s) => `got ${s.slice(3)}`), 'got TERM', ''].join('\n'));
      expect(result.code).toBe(0);
    });
  }
});

describeContainers('exit status', () => {
  it.each([
    ['exit 0', 0],
    ['exit 3', 3],
    ['kill -TERM $$', 128 + 15],
    ['kill -KILL $$', 128 + 9],
  ])('`%s` gives %i', async (script, expected) => {
    expect((await sh(script)).code).toBe(expected);
  });

  it('gives 128+15 when the app dies of a forwarded SIGTERM', async () => {
    const run = startHush(['run', '--', '/bin/sh', '-c', 'echo ready; exec sleep 30']);
    await run.waitForOutput(/ready/);
    run.process.kill('SIGTERM');
    expect((await run.done).code).toBe(143);
  });
});

describeContainers('filesystem', () => {
  it('mounts the host root read-only', async () => {
    const r = await sh('touch /hush-should-not-exist 2>&1; echo rc=$?');
    expect(r.stdout).toMatch(/Read-only file system/);
    expect(r.stdout).toMatch(/rc=1/);
    expect(fs.existsSync('/hush-should-not-exist')).toBe(false);
  });

  it('gives a fresh /proc, a minimal /dev and writable /tmp', async () => {
    const r = await sh('ls /dev | tr "\\n" " "; echo; echo x > /tmp/f && cat /tmp/f; cat /proc/1/comm');
    const [devices, tmp, comm] = r.stdout.split('\n');
    expect(devices.trim().split(' ').sort()).toEqual(
      ['fd', 'full', 'null', 'ptmx', 'pts', 'random', 'shm', 'stderr', 'stdin', 'stdout', 'tty', 'urandom', 'zero'].sort(),
    );
    expect(tmp).toBe('x');
    expect(comm).toBe('hush-init');
  });

  it('mounts the secrets tmpfs read-only, nosuid, nodev, noexec, noswap, 0700', async () => {
    const r = await sh('grep " /run/secrets " /proc/self/mountinfo; stat -c "%a %u:%g" /run/secrets');
    const [mountLine, modes] = r.stdout.trim().split('\n');
    const [beforeDash, afterDash] = mountLine.split(' - ');
    const mountOptions = beforeDash.split(' ')[5].split(',');
    expect(mountOptions).toEqual(expect.arrayContaining(['ro', 'nosuid', 'nodev', 'noexec']));
    const [fstype, , superOptions] = afterDash.split(' ');
    expect(fstype).toBe('tmpfs');
    expect(superOptions.split(',')).toEqual(expect.arrayContaining(['mode=700', 'noswap']));
    expect(modes).toBe('700 0:0');
  });

  it('puts the secrets tmpfs at --secrets-dir', async () => {
    const r = await hush(['run', '--secrets-dir', '/run/app/creds', '--secret', 'k=v', '--', '/bin/cat', '/run/app/creds/k']);
    expect(r.stdout).toBe('v');
  });

  it('with --user 1000:1000 the app owns the secrets and cannot write them', async () => {
    const r = await hush([
      'run', '--user', '1000:1000', '--secret', 'db/password=s3cret-value', '--', '/bin/sh', '-c',
      'id -u; id -g; stat -c "%a %u:%g" /run/secrets /run/secrets/db /run/secrets/db/password; cat /run/secrets/db/password; echo; ' +
        'if (echo x > /run/secrets/db/password) 2>/dev/null; then echo write=ok; else echo write=refused; fi; ' +
        'if touch /run/secrets/new 2>/dev/null; then echo create=ok; else echo create=refused; fi; cat /run/secrets/db/password',
    ]);
    expect(r.stdout.trim().split('\n')).toEqual([
      '1000', '1000', '700 1000:1000', '700 1000:1000', '400 1000:1000', 's3cret-value', 'write=refused', 'create=refused', 's3cret-value',
    ]);
  });

  it('runs in a --rootfs directory', async () => {
    const rootfs = makeRootfs(['/bin/sh', '/bin/cat', '/bin/ls']);
    try {
      const r = await hush(['run', '--rootfs', rootfs, '--', '/bin/sh', '-c', 'ls /; cat /etc/hostname 2>&1 || true']);
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n')).toEqual(expect.arrayContaining(['bin', 'proc', 'dev', 'tmp', 'run']));
      expect(r.stdout).not.toMatch(/\bwork\b/);
    } finally {
      fs.rmSync(rootfs, { recursive: true, force: true });
    }
  });
});

describeContainers('network and identity', () => {
  it('--net none has only loopback, and it is up', async () => {
    const r = await sh('ls /sys/class/net; cat /sys/class/net/lo/flags; tail -n +3 /proc/net/dev | cut -d: -f1', '--net', 'none');
    const [iface, flags, ...devices] = r.stdout.trim().split('\n');
    expect(iface).toBe('lo');
    expect(Number(flags) & 1).toBe(1);
    expect(devices.map((d) => d.trim())).toEqual(['lo']);
  });

  it('--net host sees the host interfaces', async () => {
    const r = await sh('tail -n +3 /proc/net/dev | cut -d: -f1');
    const inside = r.stdout.trim().split('\n').map((d) => d.trim()).sort();
    const host = fs.readFileSync('/proc/net/dev', 'utf8').trim().split('\n').slice(2).map((l) => l.split(':')[0].trim()).sort();
    expect(inside).toEqual(host);
  });

  it('an app binds a host port that the host reaches on 127.0.0.1', async () => {
    const server = `require('net').createServer((s) => s.end('hello from the container')).listen(0, '127.0.0.1', function () { console.log('port=' + this.address().port) })`;
    const run = startHush(['run', '--', process.execPath, '-e', server]);
    await run.waitForOutput(/port=\d+/);
    const port = Number(/port=(\d+)/.exec(run.output())![1]);
    const reply = await new Promise<string>((resolve, reject) => {
      let data = '';
      net.connect(port, '127.0.0.1').on('data', (d) => (data += d)).on('end', () => resolve(data)).on('error', reject);
    });
    expect(reply).toBe('hello from the container');
    run.process.kill('SIGTERM');
    expect((await run.done).code).toBe(143);
  });

  it('resolves names through the host resolver (node and getent)', async () => {
    const lookup = `require('dns').lookup('localhost', (err, address) => console.log(err ? err.code : 'node ' + address))`;
    const r = await hush(['run', '--', process.execPath, '-e', lookup]);
    expect(r.stdout.trim()).toMatch(/^node (127\.0\.0\.1|::1)$/);
    expect((await sh('getent hosts localhost | cut -d" " -f1')).stdout.trim()).toMatch(/^(127\.0\.0\.1|::1)/);
  });

  it('sets --hostname, and the container id by default', async () => {
    expect((await sh('hostname', '--hostname', 'web-1')).stdout.trim()).toBe('web-1');
    const id = (await sh('hostname')).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    expect(id).not.toBe(os.hostname());
  });

  it('passes only PATH, TERM and LANG from the host, plus --env', async () => {
    const r = await hush(['run', '--env', 'A=1', '--env', 'HOME', '--', '/usr/bin/env'], {
      env: { PATH: '/usr/bin:/bin', TERM: 'xterm', LANG: 'C.UTF-8', HOME: '/root', SECRET_ON_HOST: 'x' },
    });
    expect(r.stdout.trim().split('\n').sort()).toEqual(['A=1', 'HOME=/root', 'LANG=C.UTF-8', 'PATH=/usr/bin:/bin', 'TERM=xterm']);
  });

  it('runs the app in --workdir', async () => {
    expect((await sh('pwd', '--workdir', '/usr/share')).stdout.trim()).toBe('/usr/share');
  });
});

describeContainers('failures before the app starts', () => {
  it.each([
    [['--workdir', '/nope', '--', 'true'], 'hush: container setup failed: chdir /nope: ENOENT\n'],
    [['--rootfs', '/nope', '--', 'true'], 'hush: container setup failed: rootfs /nope: ENOENT\n'],
    [['--net', 'bridge', '--', 'true'], "hush: run: --net must be 'host' or 'none', got 'bridge'\n"],
    [['--user', 'bob', '--', 'true'], "hush: run: --user: UID must be a number, got 'bob'\n"],
    [['--bogus', '--', 'true'], 'hush: run: unknown option --bogus\n'],
    [['true'], "hush: run: unexpected argument 'true' (put the command after --)\n"],
    [['--'], 'hush: run: no command given (hush run [options] -- CMD [ARG...])\n'],
  ])('hush run %j exits 125 with one line', async (args, line) => {
    const r = await hush(['run', ...args]);
    expect(r.code).toBe(125);
    expect(r.stderr).toBe(line);
    expect(r.stdout).toBe('');
  });
});

describeContainers('commands that cannot run (as docker and tini: 127 not found, 126 not executable)', () => {
  // A file of the host root that is never executable: the kernel's own (0444) version string.
  const notExecutable = '/proc/version';
  it.each([
    [['--', 'no-such-command'], 127, "hush: cannot run 'no-such-command': not found\n"],
    [['--', '/no/such/path'], 127, "hush: cannot run '/no/such/path': not found\n"],
    [['--no-init', '--', '/no/such/path'], 127, "hush: cannot run '/no/such/path': not found\n"],
    [['--', notExecutable], 126, `hush: cannot run '${notExecutable}': permission denied\n`],
    [['--no-init', '--', notExecutable], 126, `hush: cannot run '${notExecutable}': permission denied\n`],
    [['--', '/usr'], 126, "hush: cannot run '/usr': is a directory\n"],
  ])('hush run %j exits %i with one line naming the path', async (args, status, line) => {
    const r = await hush(['run', ...args]);
    expect(r.stderr).toBe(line);
    expect(r.code).toBe(status);
    expect(r.stdout).toBe('');
  });

  it('exits 126 for a file the kernel cannot execute (ENOEXEC)', async () => {
    const rootfs = makeRootfs(['/bin/sh']);
    try {
      fs.writeFileSync(`${rootfs}/garbage`, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 2, 3, 4, 5, 6, 7, 8]), { mode: 0o755 });
      const r = await hush(['run', '--rootfs', rootfs, '--', '/garbage']);
      expect(r.stderr).toBe("hush: cannot run '/garbage': exec format error\n");
      expect(r.code).toBe(126);
    } finally {
      fs.rmSync(rootfs, { recursive: true, force: true });
    }
  });
});

describeContainers('kill -9 of hush run', () => {
  it('takes the whole container with it and leaves no mount on the host', async () => {
    const mountsBefore = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    const run = startHush(['run', '--secret', 'token=abc123', '--', '/bin/sh', '-c', 'sleep 300 & sleep 300 & echo ready; wait']);
    await run.waitForOutput(/ready/);
    const container = descendants(run.process.pid!);
    expect(container.length).toBeGreaterThanOrEqual(4); // init, sh, two sleeps
    run.process.kill('SIGKILL');
    await run.done;
    // The kernel kills the PID namespace once init dies; give it a moment to finish.
    for (let i = 0; i < 100 && container.some(processExists); i++) await new Promise((r) => setTimeout(r, 20));
    expect(container.filter(processExists)).toEqual([]);
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).toBe(mountsBefore);
  });
});
