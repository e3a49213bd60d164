// The agent end to end: policies rendered into a real container's tmpfs, live edits of a real
// store reaching the running app, restarts, atomic rotation, and refusals.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeContainers, fixtureCommand, hush, repo, startHush } from './helpers';
import { makeStore, writePolicy, type TestStore } from './store-fixture';

let store: TestStore;

beforeAll(async () => {
  store = await makeStore({ 'db/password': 'hunter2', 'api/key': 'k-1', rotating: '0', 'hup/key': 'k-1', 'restart/password': 'hunter2' });
});
afterAll(() => store.cleanup());

const policy = (name: string, body: string) =>
  writePolicy(store.dir, name, `version: 1\nname: ${name.replace(/\.yaml$/, '')}\nsources:\n  dev: { type: file, path: secrets.hush }\n${body}`);

describeContainers('hush run with policies', () => {
  it('renders every secret before the app starts, with the policy modes and the app user as owner', async () => {
    const file = policy('modes.yaml', [
      'secrets:',
      '  - { file: db_password, source: dev, key: db/password }',
      '  - { file: conf/api_key, source: dev, key: api/key, mode: "0440" }',
      'env:',
      '  API_KEY: dev:api/key',
    ].join('\n'));
    const r = await hush(['run', '--user', '1000:1000', '--policy', file, '--', '/bin/sh', '-c',
      'stat -c "%n %a %u:%g" /run/secrets/db_password /run/secrets/conf /run/secrets/conf/api_key; cat /run/secrets/db_password; echo; echo "env=$API_KEY"'], { env: store.env });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toEqual([
      '/run/secrets/db_password 400 1000:1000',
      '/run/secrets/conf 700 1000:1000',
      '/run/secrets/conf/api_key 440 1000:1000',
      'hunter2',
      'env=k-1',
    ]);
  });

  it('exits 125 naming the policy, the secret and the cause when a secret is missing, before any process starts', async () => {
    const file = policy('missing.yaml', 'secrets:\n  - { file: x, source: dev, key: no/such }\n  - { file: y, source: dev, key: maybe, optional: true }');
    const r = await hush(['run', '--policy', file, '--', '/bin/echo', 'started'], { env: store.env });
    expect(r.code).toBe(125);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`hush: ${file}: secrets[0] (x): dev:no/such: no entry 'no/such' in store ${store.path}\n`);
  });

  it('exits 125 on an invalid policy before any process starts', async () => {
    const file = policy('invalid.yaml', 'secrets:\n  - { file: ../escape, source: dev, key: db/password, mode: 777 }');
    const r = await hush(['run', '--policy', file, '--', '/bin/echo', 'started'], { env: store.env });
    expect(r.code).toBe(125);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/secrets\[0\]\.mode: expected an octal string like "0400", got 777/));
    expect(lines.every((l) => l.startsWith(`hush: ${file}: secrets[0]`))).toBe(true);
  });

  it('delivers a store edit to the running app: new file content, then SIGHUP', async () => {
    const file = policy('hup.yaml', 'secrets:\n  - { file: api_key, source: dev, key: hup/key }\non_change:\n  signal: SIGHUP');
    const run = startHush(['run', '--policy', file, '--', ...fixtureCommand('hup-app.sh', '/run/secrets/api_key')], { env: store.env });
    await run.waitForOutput(/start: k-1\n/);
    await store.set('hup/key', 'k-2');
    await run.waitForOutput(/hup: k-2\n/);
    run.process.kill('SIGTERM');
    const result = await run.done;
    expect(result.stdout).toBe('start: k-1\nhup: k-2\n');
    expect(result.code).toBe(0);
  });

  it('restarts the app in the same container when on_change is restart', async () => {
    const file = policy('restart.yaml', 'secrets:\n  - { file: db_password, source: dev, key: restart/password }\non_change:\n  restart: true');
    const run = startHush(['run', '--policy', file, '--', '/bin/sh', '-c',
      'echo "pid $$ sees $(cat /run/secrets/db_password) in $(hostname)"; trap "exit 0" TERM; while :; do sleep 0.02; done'], { env: store.env });
    await run.waitForOutput(/sees hunter2/);
    await store.set('restart/password', 'correct-horse');
    await run.waitForOutput(/sees correct-horse/);
    run.process.kill('SIGTERM');
    const lines = (await run.done).stdout.trim().split('\n');
    const [first, second] = lines.map((l) => /^pid (\d+) sees (\S+) in (\S+)$/.exec(l)!);
    expect(first[2]).toBe('hunter2');
    expect(second[2]).toBe('correct-horse');
    expect(second[3]).toBe(first[3]); // same container (same UTS namespace)
    expect(second[1]).not.toBe(first[1]); // a new app process
  });

  it('serves the agent API on a socket of its own while the app runs, and removes it after', async () => {
    const file = policy('api.yaml', 'secrets:\n  - { file: db_password, source: dev, key: db/password }');
    const runtime = fs.mkdtempSync(path.join(store.dir, 'runtime-'));
    const env = { ...store.env, XDG_RUNTIME_DIR: runtime };
    const socket = path.join(runtime, 'hush', 'run-api-test-1.sock');
    const run = startHush(['run', '--hostname', 'api-test-1', '--policy', file, '--', '/bin/sh', '-c', 'echo started; read line'], { env });
    await run.waitForOutput(/started/);
    for (let i = 0; i < 300 && !fs.existsSync(socket); i++) await new Promise((r) => setTimeout(r, 10));
    const status = await hush(['status', '--socket', socket, '--json'], { env });
    expect(status.code).toBe(0);
    const view = JSON.parse(status.stdout) as { policies: { name: string; files: { file: string }[] }[] };
    expect(view.policies.map((p) => [p.name, p.files.map((f) => f.file)])).toEqual([['api', ['db_password']]]);
    expect(status.stdout).not.toMatch(/hunter2/);
    // The text form ends with what the container uses: init, sh and its read; the default pids limit.
    const text = await hush(['status', '--socket', socket], { env });
    expect(text.stdout).toMatch(/\ncontainer\n  memory     \d+\.\d MiB\n  cpu        \d+\.\d\d s\n  processes  2 of 2048\n  oom kills  0\n$/);
    expect(fs.statSync(socket).mode & 0o777).toBe(0o600);
    run.process.stdin!.end('bye\n');
    expect((await run.done).code).toBe(0);
    expect(fs.existsSync(socket)).toBe(false);
  });

  it('sizes the secrets tmpfs by the policies: 2,000 files fit', async () => {
    const entries = new Map(Array.from({ length: 2000 }, (_, i) => [`many/${i}`, `value-${i}`] as const));
    for (const chunk of [...entries].reduce<[string, string][][]>((acc, e, i) => (i % 500 ? acc[acc.length - 1]!.push(e) : acc.push([e]), acc), [])) {
      const { updateEntries } = await import('../../agent/sources/file-store');
      await updateEntries(store.path, store.credentials, () => new Map(chunk.map(([k, v]) => [k, Buffer.from(v)])));
    }
    const lines = [...entries.keys()].map((k, i) => `  - { file: many/f${i}, source: dev, key: ${k} }`);
    const file = policy('many.yaml', `secrets:\n${lines.join('\n')}`);
    const r = await hush(['run', '--policy', file, '--', '/bin/sh', '-c', 'ls /run/secrets/many | wc -l; cat /run/secrets/many/f1999'], { env: store.env });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('2000\nvalue-1999');
  });

  // The sink's own test replaces a file 1,000 times under a reader (test/integration/sink.test.ts);
  // this one goes the whole way, store save to the app's read, 200 times: each costs a save with
  // fsync, a fetch and a render, about 40 ms alone and several times that beside a busy suite.
  it('replaces a file atomically: a reader looping over it in the container while the store rotates it 200 times never sees an empty or mixed content', async () => {
    const body = 'abcdefgh'.repeat(2048);
    const version = (i: number) => `${i}:${body}:${i}\n`;
    await store.set('rotating', version(0));
    const file = policy('rotate.yaml', 'secrets:\n  - { file: rot, source: dev, key: rotating }\non_change: none');
    const run = startHush(['run', '--policy', file, '--', ...fixtureCommand('rotation-reader.js', '/run/secrets/rot')], { env: store.env });
    await run.waitForOutput(/seen 0\n/);
    for (let i = 1; i <= 200; i++) {
      await store.set('rotating', version(i));
      await run.waitForOutput(new RegExp(`seen ${i}\\n|bad`));
      if (/bad/.test(run.output())) break;
    }
    run.process.kill('SIGTERM');
    const result = await run.done;
    expect(result.stdout).not.toMatch(/bad/);
    expect(result.stdout.trim().split('\n')).toHaveLength(201);
  }, 120_000);
});

describe('hush agent', () => {
  const tmpfsDir = () => fs.mkdtempSync('/dev/shm/hush-agent-');

  it('refuses a directory on a disk-backed filesystem', async () => {
    const file = policy('sidecar.yaml', 'secrets:\n  - { file: db_password, source: dev, key: db/password }');
    const r = await hush(['agent', '--once', '--policy', file, '--out', store.dir], { env: store.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^hush: agent: ${store.dir} is on filesystem 0x[0-9a-f]+, not tmpfs or ramfs: secrets would reach a disk \\(use --allow-disk to override\\)\\n$`));
  });

  it('--once renders into a tmpfs directory and exits 0', async () => {
    const out = tmpfsDir();
    try {
      const file = policy('sidecar.yaml', 'secrets:\n  - { file: db_password, source: dev, key: db/password }');
      const r = await hush(['agent', '--once', '--policy', file, '--out', out], { env: store.env });
      expect(r.code).toBe(0);
      expect(fs.readFileSync(path.join(out, 'db_password'), 'utf8')).toBe('hunter2');
      expect(fs.statSync(path.join(out, 'db_password')).mode & 0o777).toBe(0o400);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('--once exits 1 naming what failed', async () => {
    const out = tmpfsDir();
    try {
      const file = policy('sidecar-missing.yaml', 'secrets:\n  - { file: x, source: dev, key: nope }');
      const r = await hush(['agent', '--once', '--policy', file, '--out', out], { env: store.env });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`hush: agent: ${file}: secrets[0] (x): dev:nope: no entry 'nope' in store ${store.path}\n`);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('refuses to write through a symlink planted in the output directory', async () => {
    const out = tmpfsDir();
    const target = fs.mkdtempSync('/dev/shm/hush-target-');
    try {
      fs.symlinkSync(target, path.join(out, 'conf'));
      const file = policy('symlink.yaml', 'secrets:\n  - { file: conf/db_password, source: dev, key: db/password }');
      const r = await hush(['agent', '--once', '--policy', file, '--out', out], { env: store.env });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/conf/);
      expect(r.stderr).not.toMatch(/hunter2/);
      expect(fs.readdirSync(target)).toEqual([]);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
      fs.rmSync(target, { recursive: true, force: true });
    }
  });

  it('keeps rendering until SIGTERM, reloads a changed policy, keeps the old one when the new one is invalid, then exits 0', async () => {
    const out = tmpfsDir();
    const socket = path.join(store.dir, 'agent.sock');
    try {
      const file = policy('reload.yaml', 'secrets:\n  - { file: a, source: dev, key: db/password }');
      const run = startHush(['agent', '--policy', file, '--out', out, '--listen', `unix:${socket}`], { env: { ...store.env, HUSH_LOG_LEVEL: 'info' } });
      const waitFor = async (check: () => boolean) => {
        for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
        expect(check()).toBe(true);
      };
      await waitFor(() => fs.existsSync(path.join(out, 'a')));
      policy('reload.yaml', 'secrets:\n  - { file: b, source: dev, key: api/key }');
      await waitFor(() => fs.existsSync(path.join(out, 'b')) && !fs.existsSync(path.join(out, 'a')));
      policy('reload.yaml', 'secrets:\n  - { file: c, source: dev, key: api/key, mode: nope }');
      await waitFor(() => /the changed policy is invalid; the previous one stays in force/.test(run.errors()));
      expect(run.errors()).toMatch(/secrets\[0\]\.mode: expected an octal string/);
      expect(fs.readdirSync(out)).toEqual(['b']);
      run.process.kill('SIGTERM');
      expect((await run.done).code).toBe(0);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

describeContainers('hush demo', () => {
  it('runs the bundled demo with the bundled store', async () => {
    const r = await hush(['demo'], { cwd: repo });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\/run\/secrets is tmpfs mounted ro,nosuid,nodev,noexec/);
    expect(r.stdout).toMatch(/db_password \(mode 400/);
  });
});
