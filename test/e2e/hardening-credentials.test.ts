// The app never sees what the agent reads: the store, the identity that unlocks it, the policy
// files, and the agent's runtime directory, whatever --unmask says. The files live under /root
// on the host root (not under /tmp, which is the container's own), and the test unmasks /root,
// so that without the agent's own masks the app could read them.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeContainers, hush } from './helpers';
import { makeStore, writePolicy, type TestStore } from './store-fixture';

let store: TestStore;
beforeAll(async () => {
  const tmpdir = process.env.TMPDIR;
  process.env.TMPDIR = '/root';
  try {
    store = await makeStore({ 'db/password': 'hunter2' });
  } finally {
    if (tmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmpdir;
  }
});
afterAll(() => store?.cleanup());

// Prints each file's size and its first bytes, or why it could not be read.
const probe = `for f in "$@"; do printf '%s ' "$f"; if [ -r "$f" ]; then wc -c < "$f"; else echo unreadable; fi; done`;

describeContainers("the agent's own files are hidden from the app", () => {
  it('shows the store, the identity and the policy as empty files, even under an unmasked /root', async () => {
    const policyFile = writePolicy(store.dir, 'creds.yaml',
      'version: 1\nname: creds\nsources:\n  dev: { type: file, path: secrets.hush }\nsecrets:\n  - { file: db_password, source: dev, key: db/password }\n');
    const link = path.join(store.dir, 'identity-link');
    fs.symlinkSync(store.identityFile, link);
    const files = [store.path, store.identityFile, policyFile];
    const neighbour = path.join(store.dir, 'neighbour');
    fs.writeFileSync(neighbour, 'visible\n');
    for (const file of files) expect(fs.statSync(file).size).toBeGreaterThan(0);
    const r = await hush(
      ['run', '--policy', policyFile, '--unmask', '/root', '--', '/bin/sh', '-c', `${probe}; cat /run/secrets/db_password`, 'probe', ...files, neighbour],
      { env: { ...store.env, HUSH_STORE_IDENTITY: link } },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const file of files) expect(r.stdout).toContain(`${file} 0\n`);
    // /root itself is shown, as asked: a file the agent does not read is there.
    expect(r.stdout).toContain(`${neighbour} 8\n`);
    expect(r.stdout).not.toMatch(/AGE-SECRET|identity:/);
    expect(r.stdout.endsWith('hunter2')).toBe(true);
  });

  it('hides the agent runtime directory (its API socket and token file)', async () => {
    const runtime = fs.mkdtempSync('/var/tmp/hush-xdg-');
    try {
      const policyFile = writePolicy(store.dir, 'sock.yaml',
        'version: 1\nname: sock\nsources:\n  dev: { type: file, path: secrets.hush }\nsecrets:\n  - { file: db_password, source: dev, key: db/password }\n');
      fs.mkdirSync(path.join(runtime, 'hush'), { mode: 0o700 });
      fs.writeFileSync(path.join(runtime, 'hush', 'agent.token'), 'not-for-the-app\n');
      const r = await hush(['run', '--policy', policyFile, '--', '/bin/sh', '-c', 'ls -A "$1" | wc -l', 'probe', path.join(runtime, 'hush')], {
        env: { ...store.env, XDG_RUNTIME_DIR: runtime },
      });
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe('0');
    } finally {
      fs.rmSync(runtime, { recursive: true, force: true });
    }
  });
});

// Item 12 of the hardening: what a run leaves in its runtime directory.
describeContainers('what a run leaves behind', () => {
  const policyBody = 'version: 1\nname: left\nsources:\n  dev: { type: file, path: secrets.hush }\nsecrets:\n  - { file: db_password, source: dev, key: db/password }\n';

  it('removes run sockets nothing answers on, keeps one that answers, and removes its own', async () => {
    const runtime = fs.mkdtempSync('/var/tmp/hush-xdg-');
    const dir = path.join(runtime, 'hush');
    fs.mkdirSync(dir, { mode: 0o700 });
    // A socket file whose listener is gone (what a killed hush run leaves), and a live one.
    const stale = path.join(dir, 'run-0123456789ab.sock');
    const live = path.join(dir, 'run-ba9876543210.sock');
    execFileSync('python3', ['-c', 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])', stale]);
    const server = net.createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(live, resolve));
    try {
      const policyFile = writePolicy(store.dir, 'left.yaml', policyBody);
      const r = await hush(['run', '--policy', policyFile, '--', '/bin/sh', '-c', 'sleep 1; echo ok'], {
        env: { ...store.env, XDG_RUNTIME_DIR: runtime },
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(fs.existsSync(stale)).toBe(false);
      expect(fs.existsSync(live)).toBe(true);
      expect(fs.readdirSync(dir).filter((name) => name.startsWith('run-'))).toEqual([path.basename(live)]);
    } finally {
      server.close();
      fs.rmSync(runtime, { recursive: true, force: true });
    }
  });

  it('removes the token file of a TCP API at exit', async () => {
    const runtime = fs.mkdtempSync('/var/tmp/hush-xdg-');
    try {
      const policyFile = writePolicy(store.dir, 'tcp.yaml', policyBody);
      const token = path.join(runtime, 'hush', 'agent.token');
      const r = await hush(['run', '--policy', policyFile, '--listen', '127.0.0.1:0', '--', '/bin/sh', '-c', 'sleep 0.5'], {
        env: { ...store.env, XDG_RUNTIME_DIR: runtime, HUSH_LOG_LEVEL: 'info' },
      });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`API token written file=${token}`);
      expect(fs.existsSync(token)).toBe(false);
    } finally {
      fs.rmSync(runtime, { recursive: true, force: true });
    }
  });
});
