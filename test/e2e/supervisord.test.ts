// deploy/supervisord/hush.conf under Debian's supervisord, for real: the installed `hush`
// (this checkout's bin/hush, first on supervisord's PATH), an app that reports SIGTERM, and
// the three things a supervisor relies on: stop reaches the app as SIGTERM and it exits
// cleanly; kill -9 of hush leaves no process or mount behind; supervisord starts it again.

import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { descendants, processExists, repo, sleep } from './helpers';

const hasSupervisor = spawnSync('supervisord', ['--version']).status === 0;
const isRoot = process.getuid?.() === 0;
const marker = `hush-sv-${process.pid}`;
// One line of sh: supervisord's command= is a single line.
const app = `/bin/sh -c 'trap "echo app: got SIGTERM; exit 0" TERM; echo app: started ${marker} $(cat /run/secrets/db_password | wc -c); while :; do sleep 0.1; done'`;

describe.skipIf(!hasSupervisor || !isRoot)('hush under supervisord (needs supervisor and root)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hush-supervisord-'));
  const log = path.join(dir, 'webapp.log');
  const ctl = (...args: string[]) => spawnSync('supervisorctl', ['-c', path.join(dir, 'supervisord.conf'), ...args], { encoding: 'utf8' });
  let daemon: ChildProcess;

  /** The pid supervisord reports for webapp, once it is RUNNING. */
  async function runningPid(notPid?: number): Promise<number> {
    for (let i = 0; i < 200; i++) {
      const m = /^webapp\s+RUNNING\s+pid (\d+)/m.exec(ctl('status', 'webapp').stdout);
      if (m && Number(m[1]) !== notPid) return Number(m[1]);
      await sleep(50);
    }
    throw new Error(`webapp never RUNNING: ${ctl('status').stdout}\n${fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : ''}`);
  }

  async function logShows(pattern: RegExp, count = 1): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const text = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
      if ((text.match(new RegExp(pattern, 'g')) ?? []).length >= count) return;
      await sleep(50);
    }
    throw new Error(`the log never showed ${pattern} ${count} time(s): ${fs.readFileSync(log, 'utf8')}`);
  }

  /** The app's shells (hush's own command line holds the app's too: not counted). */
  const appProcesses = () =>
    execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('/bin/sh -c') && l.includes(`started ${marker}`));

  beforeAll(async () => {
    const policy = path.join(dir, 'webapp.yaml');
    fs.writeFileSync(policy, fs.readFileSync(path.join(repo, 'policies', 'demo.yaml'), 'utf8').replace('path: demo.hush', `path: ${path.join(repo, 'policies', 'demo.hush')}`));
    const program = fs
      .readFileSync(path.join(repo, 'deploy', 'supervisord', 'hush.conf'), 'utf8')
      .replace('--policy /etc/hush/webapp.yaml --store /etc/hush/webapp.hush', `--policy ${policy}`)
      .replace('-- /opt/webapp/bin/webapp', `-- ${app}`)
      .replace('environment=HUSH_STORE_IDENTITY="/etc/hush/webapp.identity"', `environment=HUSH_STORE_PASSPHRASE="hush-demo",PATH="${path.join(repo, 'bin')}:${path.dirname(process.execPath)}:/usr/bin:/bin"`)
      .replace('stdout_logfile=/var/log/supervisor/webapp.log', `stdout_logfile=${log}`);
    expect(program).toContain(`-- ${app}`);
    fs.writeFileSync(path.join(dir, 'hush.conf'), program);
    fs.writeFileSync(
      path.join(dir, 'supervisord.conf'),
      [
        '[unix_http_server]', `file=${dir}/supervisor.sock`,
        '[supervisord]', 'nodaemon=true', `logfile=${dir}/supervisord.log`, `pidfile=${dir}/supervisord.pid`, `childlogdir=${dir}`,
        '[rpcinterface:supervisor]', 'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
        '[supervisorctl]', `serverurl=unix://${dir}/supervisor.sock`,
        '[include]', `files=${dir}/hush.conf`, '',
      ].join('\n'),
    );
    // supervisord's own PATH holds the installed hush first: that is how command=hush resolves.
    daemon = spawn('supervisord', ['-c', path.join(dir, 'supervisord.conf')], {
      env: { PATH: `${path.join(repo, 'bin')}:${path.dirname(process.execPath)}:/usr/bin:/bin`, LANG: 'C.UTF-8' },
      stdio: 'ignore',
    });
  });

  afterAll(async () => {
    ctl('stop', 'all');
    daemon?.kill('SIGTERM');
    await new Promise((resolve) => (daemon.exitCode !== null ? resolve(null) : daemon.once('exit', resolve)));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts hush, which renders the secrets before the app starts', async () => {
    const pid = await runningPid();
    // node [its flags from bin/hush's first line] /path/bin/hush run ...
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const script = argv.indexOf(path.join(repo, 'bin', 'hush'));
    expect(script).toBeGreaterThan(0);
    expect(argv[script + 1]).toBe('run');
    await logShows(new RegExp(`app: started ${marker} [1-9]`));
  });

  it('kill -9 of hush leaves no process or mount behind, and supervisord starts it again', async () => {
    const pid = await runningPid();
    const container = descendants(pid);
    expect(container.length).toBeGreaterThanOrEqual(2);
    const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && container.some(processExists); i++) await sleep(20);
    expect(container.filter(processExists)).toEqual([]);
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).toBe(mounts);
    const again = await runningPid(pid);
    expect(again).not.toBe(pid);
    await logShows(new RegExp(`app: started ${marker}`), 2);
    expect(appProcesses()).toHaveLength(1);
  });

  it('supervisorctl stop reaches the app as SIGTERM; it exits cleanly and nothing is left', async () => {
    const pid = await runningPid();
    const container = descendants(pid);
    const stop = ctl('stop', 'webapp');
    expect(stop.stdout).toMatch(/webapp: stopped/);
    await logShows(/app: got SIGTERM/);
    expect(fs.readFileSync(path.join(dir, 'supervisord.log'), 'utf8')).toMatch(/stopped: webapp \(exit status 0\)/);
    expect(processExists(pid)).toBe(false);
    expect(container.filter(processExists)).toEqual([]);
    expect(appProcesses()).toEqual([]);
  });
});
