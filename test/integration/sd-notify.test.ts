// systemd's notify protocol against a real datagram socket: the module on its own, then
// `hush agent` and `hush run` as systemd would start them (NOTIFY_SOCKET in the environment).

import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { native } from '../../native';
import { createNotifier } from '../../agent/sd-notify';
import { startReceiver, type NotifyReceiver } from './sd-notify-receiver';

const repo = path.resolve(__dirname, '..', '..');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'hush-notify-'));
const receivers: NotifyReceiver[] = [];
const isRoot = process.getuid?.() === 0;
let serial = 0;

async function receiver(abstract = false): Promise<NotifyReceiver> {
  const r = await startReceiver(abstract ? `@hush-test-${process.pid}-${++serial}` : path.join(scratch, `notify-${++serial}.sock`));
  receivers.push(r);
  return r;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
afterEach(() => receivers.splice(0).forEach((r) => r.close()));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('sd-notify module', () => {
  for (const abstract of [false, true]) {
    it(`sends READY, RELOADING, STATUS and STOPPING to a ${abstract ? 'abstract @name' : 'socket path'}, from this pid`, async () => {
      const r = await receiver(abstract);
      const notify = createNotifier({ env: { NOTIFY_SOCKET: r.address }, warn: (m) => expect.fail(m) });
      notify.ready('ready: 3 files rendered');
      notify.reloading('reloading\npolicies');
      notify.status('working');
      notify.stopping('stopping');
      await r.next(/^STOPPING=1/);
      expect(r.messages.map((m) => m.text)).toEqual([
        'READY=1\nSTATUS=ready: 3 files rendered\n',
        expect.stringMatching(/^RELOADING=1\nMONOTONIC_USEC=\d+\nSTATUS=reloading policies\n$/),
        'STATUS=working\n',
        'STOPPING=1\nSTATUS=stopping\n',
      ]);
      expect(new Set(r.messages.map((m) => m.pid))).toEqual(new Set([process.pid]));
      // MONOTONIC_USEC is CLOCK_MONOTONIC, as systemd compares it: close to /proc/uptime.
      const usec = Number(/MONOTONIC_USEC=(\d+)/.exec(r.messages[1]!.text)![1]);
      const uptimeUsec = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1e6;
      expect(Math.abs(usec - uptimeUsec)).toBeLessThan(5e6);
    });
  }

  it('pings WATCHDOG=1 every WATCHDOG_USEC/2 and stops at STOPPING', async () => {
    const r = await receiver();
    const notify = createNotifier({ env: { NOTIFY_SOCKET: r.address, WATCHDOG_USEC: '100000', WATCHDOG_PID: String(process.pid) }, warn: (m) => expect.fail(m) });
    const started = Date.now();
    await sleep(420);
    notify.stopping('stopping');
    const elapsed = Date.now() - started;
    await r.next(/^STOPPING=1/);
    const pings = r.messages.filter((m) => m.text === 'WATCHDOG=1\n').length;
    // Every 50 ms: never more often, and not much less unless the machine stalls us.
    expect(pings).toBeGreaterThanOrEqual(4);
    expect(pings).toBeLessThanOrEqual(Math.floor(elapsed / 50));
    await sleep(150);
    expect(r.messages.filter((m) => m.text === 'WATCHDOG=1\n').length).toBe(pings);
  });

  it('leaves the watchdog to the process WATCHDOG_PID names', async () => {
    const r = await receiver();
    const notify = createNotifier({ env: { NOTIFY_SOCKET: r.address, WATCHDOG_USEC: '20000', WATCHDOG_PID: '1' }, warn: (m) => expect.fail(m) });
    await sleep(100);
    notify.stopping('done');
    await r.next(/^STOPPING=1/);
    expect(r.messages.map((m) => m.text)).toEqual(['STOPPING=1\nSTATUS=done\n']);
  });

  it('does nothing without NOTIFY_SOCKET, and refuses an address that is not unix with one warning', () => {
    const send = () => expect.fail('sent without NOTIFY_SOCKET');
    createNotifier({ env: {}, warn: (m) => expect.fail(m), send }).ready('x');
    const warnings: string[] = [];
    createNotifier({ env: { NOTIFY_SOCKET: 'vsock:2:1234' }, warn: (m) => warnings.push(m), send }).ready('x');
    expect(warnings).toEqual(['NOTIFY_SOCKET=vsock:2:1234 is not a unix socket path or @name; not notifying systemd']);
  });

  it('warns once when the socket is gone, and carries on', () => {
    const warnings: string[] = [];
    const missing = path.join(scratch, 'nobody-listens.sock');
    const notify = createNotifier({ env: { NOTIFY_SOCKET: missing }, warn: (m) => warnings.push(m) });
    notify.ready('a');
    notify.status('b');
    expect(warnings).toEqual([`cannot notify systemd at ${missing}: sendto ${missing}: ENOENT (further failures are not logged)`]);
  });

  it('the addon checks its arguments and reports errno like Node', () => {
    const { sendDatagram } = native();
    expect(() => (sendDatagram as (...a: unknown[]) => void)('/x')).toThrow(TypeError);
    expect(() => sendDatagram('/x\0y', new Uint8Array(1))).toThrow(/contains NUL/);
    expect(() => sendDatagram('/' + 'a'.repeat(200), new Uint8Array(1))).toThrow(expect.objectContaining({ code: 'ENAMETOOLONG', syscall: 'sendto' }));
  });
});

describe('hush agent and hush run under systemd', () => {
  function policyCopy(): string {
    const text = readFileSync(path.join(repo, 'policies', 'demo.yaml'), 'utf8').replace('path: demo.hush', `path: ${path.join(repo, 'policies', 'demo.hush')}`);
    const file = path.join(scratch, `policy-${++serial}.yaml`);
    writeFileSync(file, text);
    return file;
  }

  it('hush agent: READY=1 after the first render, RELOADING=1/READY=1 around a policy reload, STOPPING=1 at SIGTERM', async () => {
    const r = await receiver();
    const out = mkdtempSync(path.join(scratch, 'out-'));
    const policy = policyCopy();
    const child = spawn(process.execPath, [path.join(repo, 'bin', 'hush'), 'agent', '--policy', policy, '--out', out, '--allow-disk', '--listen', 'none'], {
      env: { PATH: process.env.PATH, HUSH_STORE_PASSPHRASE: 'hush-demo', NOTIFY_SOCKET: r.address },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    try {
      const ready = await r.next(/^READY=1/);
      expect(ready).toEqual({ pid: child.pid, text: 'READY=1\nSTATUS=ready: 4 files rendered\n' });
      expect(readFileSync(path.join(out, 'db_password'), 'utf8').length).toBeGreaterThan(0);

      writeFileSync(policy, readFileSync(policy, 'utf8').replace('every: 1m', 'every: 2m'));
      const reloading = await r.next(/^RELOADING=1/);
      const from = r.messages.indexOf(reloading);
      expect(reloading.text).toMatch(/^RELOADING=1\nMONOTONIC_USEC=\d+\nSTATUS=reloading policies\n$/);
      await r.next(/^READY=1/, from + 1);

      child.kill('SIGTERM');
      expect(await r.next(/^STOPPING=1/)).toEqual({ pid: child.pid, text: 'STOPPING=1\nSTATUS=stopping\n' });
      expect(await exited).toBe(0);
      expect(stderr).not.toMatch(/cannot notify/);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('hush agent: READY=1 waits for a secret that was missing at start', async () => {
    const r = await receiver();
    const out = mkdtempSync(path.join(scratch, 'out-'));
    const store = path.join(scratch, `store-${++serial}.hush`);
    copyFileSync(path.join(repo, 'policies', 'demo.hush'), store);
    const policy = path.join(scratch, `later-${serial}.yaml`);
    writeFileSync(policy, `version: 1\nname: later\nsources:\n  dev: { type: file, path: ${store} }\nsecrets:\n  - file: token\n    source: dev\n    key: demo/later\n`);
    const env = { PATH: process.env.PATH, HUSH_STORE_PASSPHRASE: 'hush-demo', NOTIFY_SOCKET: r.address };
    const child = spawn(process.execPath, [path.join(repo, 'bin', 'hush'), 'agent', '--policy', policy, '--out', out, '--allow-disk', '--listen', 'none'], { env, stdio: 'ignore' });
    try {
      expect((await r.next(/^STATUS=/)).text).toBe('STATUS=waiting for the first render of every secret\n');
      expect(r.messages.some((m) => m.text.startsWith('READY=1'))).toBe(false);
      execFileSync(process.execPath, [path.join(repo, 'bin', 'hush'), 'store', 'set', 'demo/later', '--store', store], { env, input: 'late-value-7f3a' });
      expect((await r.next(/^READY=1/)).text).toBe('READY=1\nSTATUS=ready: 1 files rendered\n');
      expect(readFileSync(path.join(out, 'token'), 'utf8')).toBe('late-value-7f3a');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it.skipIf(!isRoot)('hush run: READY=1 once the app has exec\'d, STOPPING=1 when it ended (needs root)', async () => {
    const r = await receiver(true);
    const child = spawn(process.execPath, [path.join(repo, 'bin', 'hush'), 'run', '--policy', policyCopy(), '--', '/bin/sh', '-c', 'test -z "$NOTIFY_SOCKET" && cat /run/secrets/db_password >/dev/null && sleep 0.3 && exit 3'], {
      env: { PATH: process.env.PATH, HUSH_STORE_PASSPHRASE: 'hush-demo', NOTIFY_SOCKET: r.address },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    expect(await r.next(/^READY=1/)).toEqual({ pid: child.pid, text: 'READY=1\nSTATUS=running /bin/sh\n' });
    expect(await exited).toBe(3);
    expect((await r.next(/^STOPPING=1/)).text).toBe('STOPPING=1\nSTATUS=the app exited with 3; cleaning up\n');
  });
});
