#!/usr/bin/env node
'use strict';
// bench/launch-bundles: what bench/launch runs crun and runc in. crun/runc run in a helper
// process (`--inner` mode of this file) that lives in a private mount namespace where
// /sys/fs/cgroup/unified is unmounted (crun 1.8 refuses the hybrid cgroup layout) and the
// host's / is rbind-mounted at bench/.work/hostroot as their bundle's root. Nothing of that is
// visible to the host; the helper's namespace dies with it. Also: the tools, the minimal
// rootfs, and the OCI bundles.

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { REPO, timeCommand } = require('./launch-stats');

const WORK = path.join(__dirname, '.work');
const HOSTROOT = path.join(WORK, 'hostroot');
const MINIROOT = path.join(WORK, 'rootfs');
const NODE = process.execPath;
const TRUE = '/bin/true';

function log(msg) {
  process.stderr.write(`bench/launch: ${msg}\n`);
}

function stateDirExists(runtime, id) {
  return fs.existsSync(path.join('/run', runtime, id));
}

// A run leaves no state behind normally (`run` without --detach deletes the container on exit);
// if it did, delete it, outside the timed window.
function deleteContainer(runtime, id) {
  if (stateDirExists(runtime, id)) spawnSync(runtime, ['delete', '-f', id], { stdio: 'ignore' });
}

function innerMain() {
  // Refuse to touch mounts unless we are really in a mount namespace of our own.
  const ours = fs.readlinkSync('/proc/self/ns/mnt');
  if (!process.env.BENCH_HOST_MNTNS || ours === process.env.BENCH_HOST_MNTNS) {
    process.stdout.write(JSON.stringify({ fatal: 'inner helper is not in a private mount namespace' }) + '\n');
    process.exit(1);
  }
  const mounted = (target) =>
    fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === target);
  if (mounted('/sys/fs/cgroup/unified')) {
    const r = spawnSync('umount', ['/sys/fs/cgroup/unified'], { encoding: 'utf8' });
    if (r.status !== 0) {
      process.stdout.write(JSON.stringify({ fatal: `umount /sys/fs/cgroup/unified: ${r.stderr.trim()}` }) + '\n');
      process.exit(1);
    }
  }
  if (process.env.BENCH_ROOT_MODE === 'host') {
    const r = spawnSync('mount', ['--rbind', '/', HOSTROOT], { encoding: 'utf8' });
    if (r.status !== 0) {
      process.stdout.write(JSON.stringify({ fatal: `mount --rbind / ${HOSTROOT}: ${r.stderr.trim()}` }) + '\n');
      process.exit(1);
    }
  }
  process.stdout.write(JSON.stringify({ ready: true }) + '\n');
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    const req = JSON.parse(line);
    const res = timeCommand(req.argv, { cwd: req.cwd });
    if (req.runtime && req.id) deleteContainer(req.runtime, req.id);
    process.stdout.write(JSON.stringify(res) + '\n');
  });
  rl.on('close', () => process.exit(0));
}

function startInner(rootMode) {
  const child = spawn(
    'unshare',
    ['--mount', '--propagation', 'private', '--', NODE, __filename, '--inner'],
    {
      cwd: REPO,
      env: { ...process.env, BENCH_HOST_MNTNS: fs.readlinkSync('/proc/self/ns/mnt'), BENCH_ROOT_MODE: rootMode },
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const rl = readline.createInterface({ input: child.stdout });
  const waiting = [];
  rl.on('line', (line) => {
    const w = waiting.shift();
    if (w) w(JSON.parse(line));
  });
  const next = () => new Promise((resolve) => waiting.push(resolve));
  let exited = false;
  child.on('exit', () => {
    exited = true;
    for (const w of waiting.splice(0)) w({ fatal: 'inner helper exited' });
  });
  return {
    ready: next(),
    run(argv, runtime, id) {
      if (exited) return Promise.resolve({ ms: NaN, status: null, error: 'inner helper exited', stderr: '' });
      const p = next();
      child.stdin.write(JSON.stringify({ argv, runtime, id, cwd: REPO }) + '\n');
      return p;
    },
    close() {
      child.stdin.end();
      return new Promise((resolve) => (exited ? resolve() : child.on('exit', resolve)));
    },
  };
}

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function ensureTools() {
  const wanted = { crun: 'crun', runc: 'runc', bwrap: 'bubblewrap' };
  const missing = Object.keys(wanted).filter((c) => !have(c));
  if (missing.length === 0 || process.env.BENCH_NO_INSTALL === '1') return;
  const pkgs = missing.map((c) => wanted[c]);
  log(`installing ${pkgs.join(' ')} from Debian (apt-get update once, then apt-get install -y)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const upd = spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (upd.status !== 0) log('apt-get update failed; trying the install anyway');
  const inst = spawnSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (inst.status !== 0) log(`apt-get install ${pkgs.join(' ')} failed; their rows are skipped`);
}

// A rootfs with /bin/true, its shared libraries (from ldd) and empty mount points.
function buildMinimalRootfs() {
  fs.rmSync(MINIROOT, { recursive: true, force: true });
  for (const d of ['usr/bin', 'proc', 'sys', 'dev', 'tmp', 'run/secrets', 'etc']) {
    fs.mkdirSync(path.join(MINIROOT, d), { recursive: true });
  }
  fs.symlinkSync('usr/bin', path.join(MINIROOT, 'bin'));
  fs.copyFileSync(fs.realpathSync(TRUE), path.join(MINIROOT, 'usr/bin/true'));
  fs.chmodSync(path.join(MINIROOT, 'usr/bin/true'), 0o755);
  const ldd = spawnSync('ldd', [TRUE], { encoding: 'utf8' });
  if (ldd.status !== 0) throw new Error(`ldd ${TRUE} failed: ${ldd.stderr}`);
  for (const line of ldd.stdout.split('\n')) {
    const m = line.match(/(?:=>\s*)?(\/\S+)\s+\(0x/);
    if (!m) continue;
    const dest = path.join(MINIROOT, m[1]);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(m[1], dest);
    fs.chmodSync(dest, 0o755);
  }
}

// config.json from `<runtime> spec`, adjusted: our args, the shared root read-only, no terminal,
// no network namespace (host network, as `hush run` by default), the host's /sys bound instead
// of a new sysfs (a fresh read-only sysfs cannot be mounted in the host's network namespace).
function makeBundle(runtime, rootPath) {
  const dir = path.join(WORK, `bundle-${runtime}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const r = spawnSync(runtime, ['spec'], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${runtime} spec failed: ${(r.stderr || '').trim()}`);
  const file = path.join(dir, 'config.json');
  const spec = JSON.parse(fs.readFileSync(file, 'utf8'));
  spec.process.terminal = false;
  spec.process.args = [TRUE];
  spec.root = { path: rootPath, readonly: true };
  spec.hostname = 'bench';
  spec.linux.namespaces = spec.linux.namespaces.filter((ns) => ns.type !== 'network');
  spec.mounts = spec.mounts.filter((m) => m.destination !== '/sys' && m.destination !== '/sys/fs/cgroup');
  spec.mounts.push({
    destination: '/sys',
    type: 'bind',
    source: '/sys',
    options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'],
  });
  fs.writeFileSync(file, JSON.stringify(spec, null, 2) + '\n');
  return dir;
}

function checkHostUntouched() {
  const mi = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  if (mi.includes(` ${HOSTROOT} `)) log(`WARNING: ${HOSTROOT} is mounted in the host's namespace`);
}


module.exports = { WORK, HOSTROOT, MINIROOT, NODE, TRUE, log, startInner, have, ensureTools, buildMinimalRootfs, makeBundle, checkHostUntouched };

if (require.main === module && process.argv[2] === '--inner') innerMain();
