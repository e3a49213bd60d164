// Landlock scopes: on the host network, an app cannot connect to the host's abstract unix
// sockets, nor signal processes outside its own Landlock domain, while its own processes
// still talk to each other.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { native } from '../../native';
import { hush } from './helpers';

const abi = native().landlockAbi();
const name = `hush-probe-${process.pid}`;
const connect = `import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect("\\0" + sys.argv[1])
    print("connected", s.recv(16).decode())
except OSError as e:
    print("errno", e.errno)`;

describe.skipIf(abi < 6)(`Landlock scopes (needs Landlock ABI 6, this kernel has ${abi})`, () => {
  let server: ChildProcess;
  beforeAll(async () => {
    // A host service on an abstract socket, in the host's network namespace.
    server = spawn('python3', ['-c', `import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind("\\0${name}"); s.listen(); print("listening", flush=True)
while True:
    c, _ = s.accept(); c.sendall(b"host-service"); c.close()`]);
    await new Promise<void>((resolve) => server.stdout!.once('data', () => resolve()));
  });
  afterAll(() => server?.kill());

  it('lets a host process reach the host abstract socket (the target is real)', async () => {
    const { execFileSync } = await import('node:child_process');
    expect(execFileSync('python3', ['-c', connect, name], { encoding: 'utf8' })).toBe('connected host-service\n');
  });

  it('refuses the app a connection to it (EPERM), as root, with the filter off too', async () => {
    for (const flags of [[], ['--seccomp', 'unconfined'], ['--user', '1000']]) {
      const r = await hush(['run', ...flags, '--', 'python3', '-c', connect, name]);
      expect(r.stdout).toBe('errno 1\n');
    }
  });

  it('still lets the app use abstract sockets of its own', async () => {
    const own = `import socket, os
srv = socket.socket(socket.AF_UNIX); srv.bind("\\0own"); srv.listen()
if os.fork() == 0:
    c = socket.socket(socket.AF_UNIX); c.connect("\\0own"); c.sendall(b"mine"); os._exit(0)
conn, _ = srv.accept(); print(conn.recv(8).decode())`;
    expect((await hush(['run', '--', 'python3', '-c', own])).stdout).toBe('mine\n');
  });

  it('refuses signals to processes outside the app (PID 1), but not between its own', async () => {
    const r = await hush(['run', '--', '/bin/sh', '-c', 'kill -0 1 2>/dev/null; echo init=$?; sleep 5 & kill $!; echo own=$?']);
    expect(r.stdout).toBe('init=1\nown=0\n');
  });
});
