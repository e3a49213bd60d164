// Capabilities: podman 5's default set, --cap-add/--cap-drop with Docker's names, ambient
// capabilities for a non-root app. Each attack is tried from inside, with harmless payloads.
import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { hush } from './helpers';

const sh = (script: string, ...flags: string[]) => hush(['run', ...flags, '--', '/bin/sh', '-c', script]);
const py = (code: string, ...flags: string[]) => hush(['run', ...flags, '--', 'python3', '-c', code]);

const names = ['CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP', 'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE', 'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP'];

/** The names of the capabilities in a /proc/PID/status hex mask. */
function decode(hex: string): string[] {
  const mask = BigInt(`0x${hex}`);
  return names.filter((_, i) => (mask >> BigInt(i)) & 1n);
}

async function capabilities(...flags: string[]): Promise<Record<string, string[]>> {
  const r = await sh('grep ^Cap /proc/self/status', ...flags);
  expect(r.code).toBe(0);
  return Object.fromEntries(r.stdout.trim().split('\n').map((line) => {
    const [key, value] = line.split(':\t');
    return [key, decode(value)];
  }));
}

/** A loopback port below 1024 that nothing listens on. */
async function freePrivilegedPort(): Promise<number> {
  for (let port = 1000; port > 600; port--) {
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port below 1024');
}

const bindPort = (port: number) => `import socket\ns = socket.socket()\ntry:\n    s.bind(("127.0.0.1", ${port})); print("bound")\nexcept OSError as e:\n    print("errno", e.errno)`;

describe('capabilities', () => {
  it("gives a root app podman 5's default set: no NET_RAW, MKNOD or AUDIT_WRITE", async () => {
    const caps = await capabilities();
    const expected = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP', 'NET_BIND_SERVICE', 'SYS_CHROOT', 'SETFCAP'];
    expect(caps.CapEff).toEqual(expected);
    expect(caps.CapBnd).toEqual(expected);
    expect(caps.CapAmb).toEqual([]);
  });

  it('refuses AF_PACKET (sniffing the host network) and mknod to a default root app', async () => {
    const r = await py('import socket, os\ntry:\n    socket.socket(socket.AF_PACKET, socket.SOCK_RAW)\n    print("packet ok")\nexcept OSError as e:\n    print("packet", e.errno)\ntry:\n    os.mknod("/tmp/null", 0o20666, os.makedev(1, 3))\n    print("mknod ok")\nexcept OSError as e:\n    print("mknod", e.errno)');
    expect(r.stdout).toBe('packet 1\nmknod 1\n');
  });

  it('adds NET_RAW with --cap-add cap_net_raw (any case, with or without CAP_)', async () => {
    const r = await py('import socket\nsocket.socket(socket.AF_PACKET, socket.SOCK_RAW).close()\nprint("packet ok")', '--cap-add', 'cap_net_raw');
    expect(r.stdout).toBe('packet ok\n');
    expect((await capabilities('--cap-add', 'Net_Raw')).CapEff).toContain('NET_RAW');
  });

  it('drops one capability, or ALL', async () => {
    expect((await capabilities('--cap-drop', 'CHOWN')).CapEff).not.toContain('CHOWN');
    const none = await capabilities('--cap-drop', 'ALL');
    expect(none.CapEff).toEqual([]);
    expect(none.CapBnd).toEqual([]);
    const r = await sh('touch /tmp/f && chown 1:1 /tmp/f; echo $?', '--cap-drop', 'ALL');
    expect(r.stdout.trim()).toBe('1');
    expect((await capabilities('--cap-drop', 'ALL', '--cap-add', 'KILL')).CapEff).toEqual(['KILL']);
  });

  it('gives a non-root app no capabilities, and an added one as ambient', async () => {
    const plain = await capabilities('--user', '1000');
    expect(plain.CapEff).toEqual([]);
    const added = await capabilities('--user', '1000', '--cap-add', 'NET_BIND_SERVICE');
    expect(added.CapEff).toEqual(['NET_BIND_SERVICE']);
    expect(added.CapAmb).toEqual(['NET_BIND_SERVICE']);
  });

  it('lets --user 1000 --cap-add NET_BIND_SERVICE bind a port below 1024 on the host network', async () => {
    const port = await freePrivilegedPort();
    expect((await py(bindPort(port), '--user', '1000')).stdout).toBe('errno 13\n');
    expect((await py(bindPort(port), '--user', '1000', '--cap-add', 'NET_BIND_SERVICE')).stdout).toBe('bound\n');
    expect((await py(bindPort(port))).stdout).toBe('bound\n');
  });

  it.each([['--cap-add', 'NET_FOO'], ['--cap-drop', 'CAP_']])('refuses %s %s with 125 and one line', async (flag, name) => {
    const r = await hush(['run', flag, name, '--', 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toBe(`hush: run: ${flag}: unknown capability '${name}' (Docker's names, like NET_RAW or CAP_NET_RAW)\n`);
  });
});
