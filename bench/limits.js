#!/usr/bin/env node
'use strict';
// bench/limits: what a container's cgroup costs. Wall time of `/bin/true` through hush with no
// cgroup hierarchy in sight, with the default cgroup (pids 2048, one cgroup per hierarchy), and
// with --memory/--cpus/--pids-limit, against crun without cgroups and crun with cgroupfs (the
// anchor), all in the same interleaved rounds; then the cgroup setup + removal alone, in process.
// See bench/README.md, section "limits". Run as root after `npm run build`.
//
//   BENCH_ITERATIONS  measured rounds (default 20)    BENCH_WARMUP  unmeasured rounds (default 2)
//
// Rows that need another view of /sys/fs/cgroup run in helpers (`--inner MODE`), each in a
// private mount namespace: `none` puts tmpfs mounts in place of every cgroup hierarchy (hush
// then makes no cgroup; the mount count stays),
// `v1` unmounts only /sys/fs/cgroup/unified (crun 1.8 refuses the hybrid layout).

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { performance } = require('node:perf_hooks');

const REPO = path.resolve(__dirname, '..');
const WORK = path.join(__dirname, '.work', 'limits');
const HOSTROOT = path.join(WORK, 'hostroot');
const NODE = process.execPath;
const TRUE = '/bin/true';
const intEnv = (name, dflt) => (process.env[name] ? Number(process.env[name]) : dflt);

function timeCommand(argv) {
  const start = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  return { ms: performance.now() - start, status: r.status, stderr: (r.stderr || '').trim() };
}

function inner(mode) {
  if (fs.readlinkSync('/proc/self/ns/mnt') === process.env.BENCH_HOST_MNTNS) throw new Error('inner helper is not in a mount namespace of its own');
  const target = mode === 'none' ? '/sys/fs/cgroup' : '/sys/fs/cgroup/unified';
  const cgroupMounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((m) => m?.startsWith('/sys/fs/cgroup/'));
  const r = spawnSync('umount', mode === 'none' ? ['-R', target] : [target], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`umount ${target}: ${r.stderr.trim()}`);
  // As many mounts as before, none of them a cgroup: the container's root (a recursive bind of
  // the host's /) costs the same, so the row differs from the default in the cgroup alone.
  if (mode === 'none') {
    for (const mount of [target, ...cgroupMounts]) {
      fs.mkdirSync(mount, { recursive: true });
      if (spawnSync('mount', ['-t', 'tmpfs', 'tmpfs', mount]).status !== 0) throw new Error(`mount tmpfs ${mount} failed`);
    }
  }
  // crun cannot pivot_root into "/" itself: its bundles' root is the host's / bound here.
  if (mode === 'v1' && spawnSync('mount', ['--rbind', '/', HOSTROOT]).status !== 0) throw new Error(`mount --rbind / ${HOSTROOT} failed`);
  process.stdout.write('{"ready":true}\n');
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    process.stdout.write(JSON.stringify(timeCommand(JSON.parse(line))) + '\n');
  });
}

function startInner(mode) {
  const child = spawn('unshare', ['--mount', '--propagation', 'private', '--', NODE, __filename, '--inner', mode], {
    env: { ...process.env, BENCH_HOST_MNTNS: fs.readlinkSync('/proc/self/ns/mnt') },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting = [];
  readline.createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.(JSON.parse(line)));
  const next = () => new Promise((resolve) => waiting.push(resolve));
  return {
    ready: next(),
    run: (argv) => (child.stdin.write(JSON.stringify(argv) + '\n'), next()),
    close: () => child.stdin.end(),
  };
}

function crunBundle(cgroups) {
  const dir = path.join(WORK, `bundle-${cgroups}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  if (spawnSync('crun', ['spec'], { cwd: dir }).status !== 0) throw new Error('crun spec failed');
  const spec = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  spec.process.terminal = false;
  spec.process.args = [TRUE];
  spec.root = { path: HOSTROOT, readonly: true };
  spec.linux.namespaces = spec.linux.namespaces.filter((ns) => ns.type !== 'network');
  spec.mounts = spec.mounts.filter((m) => !m.destination.startsWith('/sys'));
  spec.mounts.push({ destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'ro'] });
  if (cgroups === 'limits') spec.linux.resources = { memory: { limit: 256 * 2 ** 20 }, cpu: { quota: 100000, period: 100000 }, pids: { limit: 512 } };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(spec));
  return dir;
}

const hush = (...flags) => [NODE, 'bin/hush', 'run', ...flags, '--', TRUE];

/**
 * A copy of dist/ whose `hush run` loads a stand-in for launcher/cgroups that makes no cgroup:
 * the baseline that also leaves out loading the cgroup code. Undefined when run.js no longer
 * loads it the way this expects (the row is then left out, and said so).
 */
function distWithoutCgroups() {
  const dir = path.join(WORK, 'without-cgroups');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(path.join(REPO, 'dist'), path.join(dir, 'dist'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'native'));
  fs.symlinkSync(path.join(REPO, 'native', 'build'), path.join(dir, 'native', 'build'));
  const runJs = path.join(dir, 'dist', 'launcher', 'commands', 'run.js');
  const text = fs.readFileSync(runJs, 'utf8');
  if (!text.includes('require("../cgroups/run-cgroup")')) return undefined;
  fs.writeFileSync(runJs, text.replace('require("../cgroups/run-cgroup")', 'require("./no-cgroup")'));
  fs.writeFileSync(
    path.join(dir, 'dist', 'launcher', 'commands', 'no-cgroup.js'),
    [
      'exports.setUpRunCgroup = () => ({ dirs: [], limits: {}, cgroupFd: -1, cgroupJoinFds: [], started() {}, remove() {} });',
      'exports.cgroupSpawnFields = () => ({ cgroupFd: -1, cgroupJoinFds: [] });',
      'exports.outOfMemoryLine = () => undefined;',
    ].join('\n') + '\n',
  );
  return path.join(dir, 'dist', 'launcher', 'cli.js');
}
const limitFlags = ['--memory', '256m', '--cpus', '1', '--pids-limit', '512'];
let ids = 0;
const crun = (manager, bundle) => () => ['crun', `--cgroup-manager=${manager}`, 'run', '--bundle', bundle, `bench-limits-${process.pid}-${ids++}`];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const dist = (module) => require(path.join(REPO, 'dist', module));

/** A container of /bin/true (our init, the host's /) started and reaped, in this process. */
async function containerOnce(cgroupFields) {
  const { startContainer } = dist('launcher/container.js');
  const { containerSpec, parseRunArgs } = dist('launcher/container-spec.js');
  const { buildConfinement } = dist('launcher/confinement.js');
  const options = parseRunArgs(['--hostname', 'bench', '--', TRUE], { PATH: '/usr/bin:/bin' }, 'bench');
  const confinement = buildConfinement(options.confinement, process.env, () => {});
  const container = await startContainer({ ...containerSpec(options, { secretsFd: -1, confinement }), ...cgroupFields });
  return container.exited;
}

/**
 * The cgroup's cost per run without Node's start-up: a container with its cgroup (made, joined,
 * removed) against one without, interleaved in this process; and loading the cgroup modules.
 */
async function inProcess(flags, rounds) {
  const { createContainerCgroup } = dist('launcher/cgroups/container-cgroup.js');
  const { cgroupSpawnFields } = dist('launcher/cgroups/run-cgroup.js');
  const limits = dist('launcher/cgroups/limits.js').parseLimits(flags);
  const [setup, without, withCgroup] = [[], [], []];
  for (let i = -5; i < rounds; i++) {
    if (i === 0) for (const samples of [setup, without, withCgroup]) samples.length = 0; // warm-up done
    let start = performance.now();
    await containerOnce({});
    without.push(performance.now() - start);
    start = performance.now();
    const cgroup = createContainerCgroup({ limits, id: (0x100000000010 + i).toString(16), debug: () => {} });
    const made = performance.now() - start;
    await containerOnce(cgroupSpawnFields(cgroup));
    cgroup.started();
    const before = performance.now();
    cgroup.remove();
    setup.push(made + performance.now() - before);
    withCgroup.push(performance.now() - start);
  }
  return { setup: median(setup), added: median(withCgroup) - median(without), without: median(without) };
}

function moduleLoadMs(runs) {
  const code = `require(${JSON.stringify(path.join(REPO, 'dist/launcher/cgroups/limits.js'))}); const t = performance.now(); require(${JSON.stringify(path.join(REPO, 'dist/launcher/cgroups/run-cgroup.js'))}); process.stdout.write(String(performance.now() - t))`;
  return median(Array.from({ length: runs }, () => Number(spawnSync(NODE, ['-e', code], { encoding: 'utf8' }).stdout)));
}

async function main() {
  if (process.getuid() !== 0) throw new Error('run as root');
  if (spawnSync('sh', ['-c', 'command -v crun'], { stdio: 'ignore' }).status !== 0) throw new Error('needs crun (apt-get install -y crun)');
  fs.mkdirSync(HOSTROOT, { recursive: true });
  const [noCgroups, v1Only] = [startInner('none'), startInner('v1')];
  for (const helper of [noCgroups, v1Only]) await helper.ready;
  const local = { run: async (argv) => timeCommand(argv) };
  const withoutCode = distWithoutCgroups();
  if (!withoutCode) process.stderr.write('bench/limits: run.js does not load ../cgroups/run-cgroup as expected: the row without the cgroup code is left out\n');
  const rows = [
    ...(withoutCode ? [{ name: 'hush run without the cgroup code (a stand-in module)', where: local, argv: () => [NODE, withoutCode, 'run', '--', TRUE] }] : []),
    { name: 'hush run, no cgroup hierarchy mounted', where: noCgroups, argv: () => hush() },
    { name: 'hush run (default: a cgroup per hierarchy, pids 2048)', where: local, argv: () => hush() },
    { name: 'hush run --memory 256m --cpus 1 --pids-limit 512', where: local, argv: () => hush(...limitFlags) },
    { name: 'crun run, --cgroup-manager=disabled', where: v1Only, argv: crun('disabled', crunBundle('none')) },
    { name: 'crun run, cgroupfs (v1), no limits', where: v1Only, argv: crun('cgroupfs', crunBundle('plain')) },
    { name: 'crun run, cgroupfs (v1), the same limits', where: v1Only, argv: crun('cgroupfs', crunBundle('limits')) },
  ];
  const [warmup, rounds] = [intEnv('BENCH_WARMUP', 2), intEnv('BENCH_ITERATIONS', 20)];
  for (const row of rows) row.samples = [];
  for (let round = 0; round < warmup + rounds; round++) {
    for (const row of rows) {
      const r = await row.where.run(row.argv());
      if (r.status !== 0) throw new Error(`${row.name}: exit ${r.status}: ${r.stderr}`);
      if (round >= warmup) row.samples.push(r.ms);
    }
  }
  noCgroups.close();
  v1Only.close();
  // Each group's first row is its baseline: hush without a cgroup, crun without one.
  const first = withoutCode ? 1 : 0;
  const groups = rows.map((_, i) => (i < first + 3 ? 0 : first + 3));
  const lines = [`launch of ${TRUE}, ${rounds} interleaved rounds`, '', '| launcher | median ms | + ms over its baseline |', '|---|---|---|'];
  rows.forEach((row, i) => {
    const extra = i === groups[i] ? 'baseline' : `${(median(row.samples) - median(rows[groups[i]].samples)).toFixed(2)}`;
    lines.push(`| ${row.name} | ${median(row.samples).toFixed(2)} | ${extra} |`);
  });
  const rounds2 = intEnv('BENCH_INPROCESS', 100);
  for (const [label, flags] of [['default (pids 2048)', {}], ['--memory 256m --cpus 1 --pids-limit 512', { memory: '256m', cpus: '1', pidsLimit: '512' }]]) {
    const r = await inProcess(flags, rounds2);
    lines.push('', `in process, ${label}, median of ${rounds2} interleaved pairs:`);
    lines.push(`- container of ${TRUE} without a cgroup: ${r.without.toFixed(2)} ms; with its cgroup: +${r.added.toFixed(2)} ms`);
    lines.push(`- of which making and removing the cgroup (createContainerCgroup + remove): ${r.setup.toFixed(2)} ms`);
  }
  lines.push('', `loading launcher/cgroups in a fresh node (median of 10): ${moduleLoadMs(10).toFixed(2)} ms`);
  process.stdout.write(lines.join('\n') + '\n');
}

if (process.argv[2] === '--inner') inner(process.argv[3]);
else main().catch((err) => {
  process.stderr.write(`bench/limits: ${err.message}\n`);
  process.exit(1);
});
