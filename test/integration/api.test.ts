import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fs, statSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { buildApp, type ApiDeps } from '../../agent/api/app';
import { apiToken, defaultSocketPath, listenApi, parseListenAddress, type Listening } from '../../agent/api/listen';
import { escapeLabelValue } from '../../agent/api/prometheus';
import { createLogger, type Logger } from '../../agent/log';
import type { RunnerStatus } from '../../agent/runner';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');

const t0 = Date.parse('2030-01-01T00:00:00.000Z');
const now = t0 + 600_000; // ten minutes after start

// A key whose name holds every character the exposition format must escape.
const oddKey = 'db/"creds"\\prod\nline2';

function fakeStatus(): RunnerStatus {
  return {
    policies: [
      {
        name: 'web',
        file: '/etc/hush/web.yaml',
        files: [
          { file: 'app.env', renderedAt: now - 42_000 },
          { file: 'tls.pem', error: 'missing secret vault:pki/issue' },
        ],
        lastAction: { action: 'signal:HUP', at: now - 30_000 },
      },
    ],
    keys: [
      { source: 'vault', key: 'kv/data/web', fetchedAt: now - 90_000, nextAt: now + 3_600_000, attempts: 0, version: '7' },
      { source: 'vault', key: oddKey, nextAt: now + 4_000, attempts: 3, error: 'permission denied' },
    ],
    counters: { fetches: 12, fetch_failures: 3, renders: 5, files_written: 4, files_removed: 1, actions: 2 },
  };
}

interface Fake {
  deps: ApiDeps;
  rotations: number;
  readyNow: boolean;
}

function fake(overrides: Partial<ApiDeps> = {}): Fake {
  const state: Fake = {
    rotations: 0,
    readyNow: true,
    deps: undefined as unknown as ApiDeps,
  };
  state.deps = {
    status: fakeStatus,
    ready: () => state.readyNow,
    rotate: () => {
      state.rotations++;
    },
    startedAt: t0,
    version: '0.1.0-test',
    now: () => now,
    ...overrides,
  };
  return state;
}

function quietLogger(lines: string[] = []): Logger {
  return createLogger({ level: 'debug', format: 'text', write: (line) => lines.push(line) });
}

describe('routes', () => {
  it('GET /v1/health is 200 when ready and 503 before', async () => {
    const f = fake();
    const app = buildApp(f.deps);
    f.readyNow = false;
    const before = await app.inject({ method: 'GET', url: '/v1/health' });
    expect(before.statusCode).toBe(503);
    expect(before.json()).toEqual({ status: 'starting', ready: false });
    f.readyNow = true;
    const after = await app.inject({ method: 'GET', url: '/v1/health' });
    expect(after.statusCode).toBe(200);
    expect(after.json()).toEqual({ status: 'ok', ready: true });
    await app.close();
  });

  it('GET /v1/status gives ISO times and ages in seconds', async () => {
    const app = buildApp(fake().deps);
    const res = await app.inject({ method: 'GET', url: '/v1/status' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({
      version: '0.1.0-test',
      ready: true,
      startedAt: '2030-01-01T00:00:00.000Z',
      uptimeSeconds: 600,
      policies: [
        {
          name: 'web',
          file: '/etc/hush/web.yaml',
          files: [
            { file: 'app.env', renderedAt: '2030-01-01T00:09:18.000Z', ageSeconds: 42, error: null },
            { file: 'tls.pem', renderedAt: null, ageSeconds: null, error: 'missing secret vault:pki/issue' },
          ],
          lastAction: { action: 'signal:HUP', at: '2030-01-01T00:09:30.000Z', ageSeconds: 30 },
        },
      ],
      keys: [
        {
          source: 'vault', key: 'kv/data/web', fetchedAt: '2030-01-01T00:08:30.000Z', ageSeconds: 90,
          nextAt: '2030-01-01T01:10:00.000Z', nextInSeconds: 3600, attempts: 0, error: null, version: '7',
        },
        {
          source: 'vault', key: oddKey, fetchedAt: null, ageSeconds: null,
          nextAt: '2030-01-01T00:10:04.000Z', nextInSeconds: 4, attempts: 3, error: 'permission denied', version: null,
        },
      ],
      counters: { fetches: 12, fetch_failures: 3, renders: 5, files_written: 4, files_removed: 1, actions: 2 },
    });
    await app.close();
  });

  it('POST /v1/rotate calls rotate() once and answers 202', async () => {
    const f = fake();
    const app = buildApp(f.deps);
    const res = await app.inject({ method: 'POST', url: '/v1/rotate' });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ rotating: true });
    expect(f.rotations).toBe(1);
    const wrongMethod = await app.inject({ method: 'GET', url: '/v1/rotate' });
    expect(wrongMethod.statusCode).toBe(404);
    expect(f.rotations).toBe(1);
    await app.close();
  });

  it('unknown routes answer 404 without echoing the URL', async () => {
    const app = buildApp(fake().deps);
    const res = await app.inject({ method: 'GET', url: '/v1/nothing-here-marker' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'not found' });
    expect(res.body).not.toContain('marker');
    await app.close();
  });
});

describe('errors never echo details', () => {
  const marker = 'LEAKY-MARKER-9f3a';

  it('a throwing status() gives 500 with a generic body, logged through the logger', async () => {
    const lines: string[] = [];
    const app = buildApp(fake({ status: () => { throw new Error(`boom ${marker}`); }, logger: quietLogger(lines) }).deps);
    for (const url of ['/v1/status', '/metrics']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: 'internal error' });
      expect(res.body).not.toContain(marker);
    }
    expect(lines.some((l) => l.includes(marker))).toBe(true);
    await app.close();
  });

  it('a throwing rotate() gives 500 with a generic body', async () => {
    const app = buildApp(fake({ rotate: () => { throw new Error(marker); } }).deps);
    const res = await app.inject({ method: 'POST', url: '/v1/rotate' });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain(marker);
    await app.close();
  });

  it('a malformed request body is refused without echoing it', async () => {
    const f = fake();
    const app = buildApp(f.deps);
    const res = await app.inject({
      method: 'POST', url: '/v1/rotate', headers: { 'content-type': 'application/json' }, payload: `{"x": ${marker}`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'bad request' });
    expect(res.body).not.toContain(marker);
    expect(f.rotations).toBe(0);
    await app.close();
  });
});

describe('bearer token', () => {
  const token = 'tok-0123456789abcdef';
  const routes = [
    { method: 'GET' as const, url: '/v1/health' },
    { method: 'GET' as const, url: '/v1/status' },
    { method: 'GET' as const, url: '/metrics' },
    { method: 'POST' as const, url: '/v1/rotate' },
  ];

  it.each(routes)('$method $url needs the token when one is set', async ({ method, url }) => {
    const f = fake({ token });
    const app = buildApp(f.deps);
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${token}x`, `Basic ${token}`, token, 'Bearer ']) {
      const res = await app.inject({ method, url, headers: authorization === undefined ? {} : { authorization } });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.json()).toEqual({ error: 'unauthorized' });
    }
    expect(f.rotations).toBe(0);
    const ok = await app.inject({ method, url, headers: { authorization: `Bearer ${token}` } });
    expect(ok.statusCode).toBe(url === '/v1/rotate' ? 202 : 200);
    await app.close();
  });

  it.each(routes)('$method $url is open without a token', async ({ method, url }) => {
    const app = buildApp(fake().deps);
    const res = await app.inject({ method, url });
    expect(res.statusCode).toBe(url === '/v1/rotate' ? 202 : 200);
    await app.close();
  });

  it('an empty token is refused', () => {
    expect(() => buildApp(fake({ token: '' }).deps)).toThrow(/must not be empty/);
  });
});

// A strict reader of the text exposition format 0.0.4.
interface Sample { name: string; labels: Record<string, string>; value: number }
function parseExposition(text: string): { types: Map<string, string>; help: Map<string, string>; samples: Sample[] } {
  expect(text.endsWith('\n')).toBe(true);
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  const nameRe = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  for (const line of text.slice(0, -1).split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^# HELP (${nameRe}) (.*)$`).exec(line))) {
      expect(help.has(m[1]!)).toBe(false);
      help.set(m[1]!, m[2]!);
    } else if ((m = new RegExp(`^# TYPE (${nameRe}) (counter|gauge|histogram|summary|untyped)$`).exec(line))) {
      expect(types.has(m[1]!)).toBe(false);
      expect(samples.some((s) => s.name === m![1])).toBe(false); // TYPE comes before its samples
      types.set(m[1]!, m[2]!);
    } else if ((m = new RegExp(`^(${nameRe})(?:\\{(.*)\\})? (\\S+)$`).exec(line))) {
      const labels: Record<string, string> = {};
      let rest = m[2] ?? '';
      while (rest.length > 0) {
        const l = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\\\|\\"|\\n)*)"(,|$)/.exec(rest);
        expect(l, `label syntax in: ${line}`).not.toBeNull();
        labels[l![1]!] = l![2]!.replace(/\\(\\|"|n)/g, (_, c: string) => (c === 'n' ? '\n' : c));
        rest = rest.slice(l![0].length);
      }
      const value = Number(m[3]);
      expect(Number.isNaN(value) && m[3] !== 'NaN', `value in: ${line}`).toBe(false);
      expect(types.has(m[1]!), `TYPE before sample: ${line}`).toBe(true);
      samples.push({ name: m[1]!, labels, value });
    } else {
      throw new Error(`not a valid exposition line: ${JSON.stringify(line)}`);
    }
  }
  return { types, help, samples };
}

describe('GET /metrics', () => {
  it('is valid text exposition 0.0.4 with the expected values', async () => {
    const app = buildApp(fake().deps);
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const { types, help, samples } = parseExposition(res.body);
    for (const name of types.keys()) expect(help.has(name)).toBe(true);
    for (const [name, type] of types) if (type === 'counter') expect(name).toMatch(/_total$/);

    const value = (name: string, labels: Record<string, string> = {}) => {
      const found = samples.filter((s) => s.name === name && JSON.stringify(s.labels) === JSON.stringify(labels));
      expect(found, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
      return found[0]!.value;
    };
    expect(value('hush_up')).toBe(1);
    expect(value('hush_ready')).toBe(1);
    expect(value('hush_build_info', { version: '0.1.0-test' })).toBe(1);
    expect(value('hush_start_time_seconds')).toBe(t0 / 1000);
    expect(types.get('hush_fetches_total')).toBe('counter');
    expect(value('hush_fetches_total')).toBe(12);
    expect(value('hush_fetch_failures_total')).toBe(3);
    expect(value('hush_renders_total')).toBe(5);
    expect(value('hush_files_written_total')).toBe(4);
    expect(value('hush_files_removed_total')).toBe(1);
    expect(value('hush_on_change_actions_total')).toBe(2);

    const web = { source: 'vault', key: 'kv/data/web' };
    const odd = { source: 'vault', key: oddKey };
    expect(types.get('hush_secret_age_seconds')).toBe('gauge');
    expect(value('hush_secret_age_seconds', web)).toBe(90);
    expect(samples.some((s) => s.name === 'hush_secret_age_seconds' && s.labels.key === oddKey)).toBe(false);
    expect(value('hush_secret_fetch_attempts', web)).toBe(0);
    expect(value('hush_secret_fetch_attempts', odd)).toBe(3);
    expect(value('hush_secret_error', web)).toBe(0);
    expect(value('hush_secret_error', odd)).toBe(1);
    expect(value('hush_secret_next_fetch_seconds', web)).toBe(3600);
    expect(value('hush_file_render_age_seconds', { policy: 'web', file: 'app.env' })).toBe(42);
    expect(value('hush_file_error', { policy: 'web', file: 'app.env' })).toBe(0);
    expect(value('hush_file_error', { policy: 'web', file: 'tls.pem' })).toBe(1);
    // Error texts are not metrics.
    expect(res.body).not.toContain('permission denied');
    await app.close();
  });

  it('reports not ready as hush_ready 0', async () => {
    const f = fake();
    f.readyNow = false;
    const app = buildApp(f.deps);
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.body).toMatch(/^hush_ready 0$/m);
    await app.close();
  });

  it('escapes label values', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
  });
});

describe('listen addresses', () => {
  it('accepts unix paths and loopback hosts', () => {
    expect(parseListenAddress('unix:/run/x.sock')).toEqual({ kind: 'unix', path: '/run/x.sock' });
    expect(parseListenAddress('127.0.0.1:8200')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 8200 });
    expect(parseListenAddress('[::1]:0')).toEqual({ kind: 'tcp', host: '::1', port: 0 });
    expect(parseListenAddress('localhost:9')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 9 });
  });

  it.each(['0.0.0.0:8200', '[::]:8200', '10.0.0.1:8200', 'example.com:80', ':8200', '127.0.0.2:80'])('refuses %s', (address) => {
    expect(() => parseListenAddress(address)).toThrow(/loopback only|expected unix/);
  });

  it.each(['127.0.0.1:65536', '127.0.0.1:-1', '127.0.0.1:http', 'unix:relative.sock'])('rejects %s', (address) => {
    expect(() => parseListenAddress(address)).toThrow(/invalid port|must be absolute/);
  });

  it('listenApi refuses 0.0.0.0 before listening', async () => {
    const app = buildApp(fake({ token: 'x' }).deps);
    await expect(listenApi(app, '0.0.0.0:0', quietLogger())).rejects.toThrow(/loopback only/);
    expect(app.server.listening).toBe(false);
    await app.close();
  });

  it('defaultSocketPath follows XDG_RUNTIME_DIR', () => {
    expect(defaultSocketPath({ XDG_RUNTIME_DIR: '/run/user/1000' })).toBe('/run/user/1000/hush/agent.sock');
    expect(defaultSocketPath({})).toBe('/run/hush/agent.sock');
  });
});

describe('listenApi on a unix socket', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hush-api-'));
  const open: Listening[] = [];
  afterEach(async () => {
    for (const l of open.splice(0)) await l.close().catch(() => undefined);
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('creates the parent 0700, the socket 0600, serves, and unlinks on close', async () => {
    const socketPath = path.join(dir, 'new', 'agent.sock');
    const listening = await listenApi(buildApp(fake().deps), `unix:${socketPath}`, quietLogger());
    open.push(listening);
    expect(listening.address).toBe(`unix:${socketPath}`);
    expect(statSync(path.dirname(socketPath)).mode & 0o777).toBe(0o700);
    const st = statSync(socketPath);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
    const res = await fetchOverSocket(socketPath, '/v1/health');
    expect(res).toEqual({ status: 200, body: '{"status":"ok","ready":true}' });
    await listening.close();
    expect(existsSync(socketPath)).toBe(false);
  });

  it('removes a stale socket and listens', async () => {
    const socketPath = path.join(dir, 'stale.sock');
    await makeStaleSocket(socketPath);
    expect(statSync(socketPath).isSocket()).toBe(true);
    const lines: string[] = [];
    const listening = await listenApi(buildApp(fake().deps), `unix:${socketPath}`, quietLogger(lines));
    open.push(listening);
    expect(lines.some((l) => l.includes('removing stale API socket'))).toBe(true);
    expect((await fetchOverSocket(socketPath, '/v1/health')).status).toBe(200);
  });

  it('refuses a socket another agent answers on, and leaves it alone', async () => {
    const socketPath = path.join(dir, 'live.sock');
    const first = await listenApi(buildApp(fake().deps), `unix:${socketPath}`, quietLogger());
    open.push(first);
    const second = buildApp(fake().deps);
    await expect(listenApi(second, `unix:${socketPath}`, quietLogger())).rejects.toThrow(`another agent is listening on ${socketPath}`);
    await second.close();
    expect((await fetchOverSocket(socketPath, '/v1/health')).status).toBe(200);
  });

  it('refuses to replace a file that is not a socket', async () => {
    const socketPath = path.join(dir, 'plain-file');
    await fs.writeFile(socketPath, 'keep me');
    const app = buildApp(fake().deps);
    await expect(listenApi(app, `unix:${socketPath}`, quietLogger())).rejects.toThrow(/is not a socket/);
    expect(await fs.readFile(socketPath, 'utf8')).toBe('keep me');
    await app.close();
  });
});

describe('listenApi on loopback TCP', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hush-api-tcp-'));
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('refuses an app built without a token', async () => {
    const app = buildApp(fake().deps);
    await expect(listenApi(app, '127.0.0.1:0', quietLogger())).rejects.toThrow(/needs a bearer token/);
    expect(app.server.listening).toBe(false);
    await app.close();
  });

  it('generates a token into a 0600 file and requires it', async () => {
    const tokenFile = path.join(dir, 'sub', 'agent.token');
    const token = await apiToken('127.0.0.1:0', { tokenFile }, quietLogger());
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(tokenFile)).mode & 0o777).toBe(0o700);
    expect(await fs.readFile(tokenFile, 'utf8')).toBe(`${token}\n`);

    const listening = await listenApi(buildApp(fake({ token }).deps), '127.0.0.1:0', quietLogger());
    try {
      expect(listening.address).toMatch(/^127\.0\.0\.1:\d+$/);
      const url = `http://${listening.address}/v1/status`;
      expect((await fetch(url)).status).toBe(401);
      const ok = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
    } finally {
      await listening.close();
    }
  });

  it('keeps a given token and writes no file', async () => {
    const tokenFile = path.join(dir, 'unused.token');
    expect(await apiToken('127.0.0.1:0', { token: 'given', tokenFile }, quietLogger())).toBe('given');
    expect(existsSync(tokenFile)).toBe(false);
    expect(await apiToken('unix:/x/y.sock', { tokenFile }, quietLogger())).toBeUndefined();
    expect(existsSync(tokenFile)).toBe(false);
  });
});

describe('hush status', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hush-status-'));
  const socketPath = path.join(dir, 'agent.sock');
  let listening: Listening;

  beforeAll(async () => {
    // The CLI runs from dist/: build it (other files' type errors do not stop tsc emitting).
    await run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: root }).catch(() => undefined);
    expect(existsSync(path.join(root, 'dist/launcher/commands/status.js'))).toBe(true);
    const f = fake({ now: () => Date.now(), startedAt: Date.now() - 5_000 });
    // Times relative to the real clock, since the child process reads the live agent.
    const real = Date.now();
    f.deps.status = () => ({
      ...fakeStatus(),
      policies: [{ ...fakeStatus().policies[0]!, files: [{ file: 'app.env', renderedAt: real - 42_000 }, { file: 'tls.pem', error: 'missing secret vault:pki/issue' }] }],
      keys: [
        { source: 'vault', key: 'kv/data/web', fetchedAt: real - 3 * 3_600_000, nextAt: real + 7_200_000, attempts: 0 },
        { source: 'vault', key: 'db/creds', nextAt: 0, attempts: 3, error: 'permission denied' },
      ],
    });
    listening = await listenApi(buildApp(f.deps), `unix:${socketPath}`, quietLogger());
  });
  afterAll(async () => {
    await listening?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const hush = (...args: string[]) =>
    run(process.execPath, [path.join(root, 'bin/hush'), 'status', ...args], { cwd: root }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  it('prints a table of policies, files and keys', async () => {
    const r = await hush('--socket', socketPath);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^agent 0\.1\.0-test, up \d+s, ready$/m);
    expect(r.stdout).toMatch(/^  web \(\/etc\/hush\/web\.yaml\), last action signal:HUP \S+ ago$/m);
    expect(r.stdout).toMatch(/^ {4}app\.env +4\ds ago +-$/m);
    expect(r.stdout).toMatch(/^ {4}tls\.pem +never +missing secret vault:pki\/issue$/m);
    expect(r.stdout).toMatch(/^ {2}SOURCE +KEY +AGE +NEXT +ATTEMPTS +ERROR$/m);
    expect(r.stdout).toMatch(/^ {2}vault +kv\/data\/web +(3h|179m|180m) +in (2h|119m|120m) +0 +-$/m);
    expect(r.stdout).toMatch(/^ {2}vault +db\/creds +never +now +3 +permission denied$/m);
  });

  it('prints the agent answer with --json', async () => {
    const r = await hush('--json', `--socket=unix:${socketPath}`);
    expect(r.code).toBe(0);
    const view = JSON.parse(r.stdout);
    expect(view.version).toBe('0.1.0-test');
    expect(view.keys.map((k: { key: string }) => k.key)).toEqual(['kv/data/web', 'db/creds']);
    expect(view.keys[1].error).toBe('permission denied');
    expect(view.policies[0].files[0].file).toBe('app.env');
  });

  it('exits 1 with one line when no socket exists (ENOENT)', async () => {
    const missing = path.join(dir, 'missing.sock');
    const r = await hush('--socket', missing);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`hush: status: cannot reach an agent at ${missing} (ENOENT)\n`);
  });

  it('exits 1 with one line when nothing listens on the socket (ECONNREFUSED)', async () => {
    const stale = path.join(dir, 'stale.sock');
    await makeStaleSocket(stale);
    const r = await hush('--socket', stale);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`hush: status: cannot reach an agent at ${stale} (ECONNREFUSED)\n`);
  });

  it('rejects unknown arguments with the usage status, 2', async () => {
    const r = await hush('--bogus');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('hush: status: unknown option --bogus\n');
  });
});

/** Leaves a socket file nothing listens on (a listener closed without unlinking). */
async function makeStaleSocket(socketPath: string): Promise<void> {
  // Node unlinks a unix socket when its server closes; a hard link keeps the inode
  // under the new name, which is exactly what a crashed agent leaves behind.
  const tmp = `${socketPath}.tmp`;
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(tmp, resolve));
  await fs.link(tmp, socketPath);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await fs.rm(tmp, { force: true });
}

function fetchOverSocket(socketPath: string, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const http = require('node:http') as typeof import('node:http');
    http
      .get({ socketPath, path: urlPath }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}
