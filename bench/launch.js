#!/usr/bin/env node
'use strict';
// bench/launch: wall time to run /bin/true through hush and through other launchers, side by
// side and interleaved, plus hush's own timing split (HUSH_TIMING=1) and a breakdown of where
// hush's start-up time goes (module by module). See bench/README.md, section "launch".
//
//   node bench/launch.js            (as root; `bash bench/launch.sh` also builds hush if needed)
//
// Environment:
//   BENCH_ITERATIONS  measured rounds per launcher (default 30)
//   BENCH_WARMUP      unmeasured rounds first (default 3)
//   BENCH_ROOT        host (default): every launcher gets the host's / read-only, as `hush run`
//                     does by default; minimal: a rootfs with only /bin/true and its libraries
//   BENCH_ONLY        comma-separated launcher keys (the `key` fields in launchers(); node and
//                     hush always run, the ratios need them)
//   BENCH_BREAKDOWN   0 to skip the module-loading breakdown (default: on)
//   BENCH_BREAKDOWN_RUNS  profiled runs per variant in the breakdown (default: min(20, iterations))
//   BENCH_NO_INSTALL  1 to never apt-get install crun/runc/bubblewrap (their rows are skipped)
//
// crun/runc run in a helper process (`--inner` mode) that lives in a private mount namespace
// where /sys/fs/cgroup/unified is unmounted (crun 1.8 refuses the hybrid cgroup layout) and the
// host's / is rbind-mounted at bench/.work/hostroot as their bundle's root. Nothing of that is
// visible to the host; the helper's namespace dies with it.

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');
const readline = require('node:readline');
const { performance } = require('node:perf_hooks');

const REPO = path.resolve(__dirname, '..');
const WORK = path.join(__dirname, '.work');
const HOSTROOT = path.join(WORK, 'hostroot');
const MINIROOT = path.join(WORK, 'rootfs');
const HOOK = path.join(__dirname, 'launch-require-hook.js');
const NODE = process.execPath;
const TRUE = '/bin/true';
// Variables that slow down every Node start; rows marked [clean env] run without them.
const CLEAN_UNSET = ['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS'];

const intEnv = (name, dflt) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, not '${raw}'`);
  return n;
};

// ---------------------------------------------------------------- statistics

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function summarize(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return {
    n: s.length,
    min: s[0],
    p10: quantile(s, 0.1),
    p25: quantile(s, 0.25),
    median: quantile(s, 0.5),
    p75: quantile(s, 0.75),
    p90: quantile(s, 0.9),
    max: s[s.length - 1],
  };
}

// ---------------------------------------------------------------- running one command

function timeCommand(argv, opts = {}) {
  let env = opts.env ? { ...process.env, ...opts.env } : process.env;
  if (opts.unset) {
    env = { ...env };
    for (const k of opts.unset) delete env[k];
  }
  const started = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd: opts.cwd ?? REPO,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 20,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return {
    ms,
    status: r.status,
    signal: r.signal,
    error: r.error ? r.error.message : undefined,
    stderr: r.stderr ? r.stderr.toString() : '',
  };
}

function stateDirExists(runtime, id) {
  return fs.existsSync(path.join('/run', runtime, id));
}

// A run leaves no state behind normally (`run` without --detach deletes the container on exit);
// if it did, delete it, outside the timed window.
function deleteContainer(runtime, id) {
  if (stateDirExists(runtime, id)) spawnSync(runtime, ['delete', '-f', id], { stdio: 'ignore' });
}

// ---------------------------------------------------------------- inner mode (crun, runc)

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

// ---------------------------------------------------------------- setup

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

// ---------------------------------------------------------------- the launchers

function launchers(rootMode) {
  const minimal = rootMode === 'minimal';
  const hushArgs = minimal ? ['--rootfs', MINIROOT] : [];
  const bwrapRoot = minimal ? ['--ro-bind', MINIROOT, '/'] : ['--ro-bind', '/', '/'];
  const unshareRoot = minimal ? [`--root=${MINIROOT}`] : [];
  const hushEnv = { HUSH_TIMING: '1' };
  // This environment sets NODE_EXTRA_CA_CERTS, which makes every Node process parse a CA bundle
  // before V8 even starts; a clean environment shows what hush itself adds to Node's boot.
  const clean = CLEAN_UNSET.filter((k) => process.env[k] !== undefined);
  const cleanRows = clean.length
    ? [
        {
          key: 'node-clean',
          name: 'node -e 0 [clean env]',
          argv: [NODE, '-e', '0'],
          unset: clean,
          note: `without ${clean.join(', ')}`,
        },
        {
          key: 'hush-clean',
          name: 'hush run [clean env]',
          argv: [NODE, 'bin/hush', 'run', ...hushArgs, '--', TRUE],
          env: hushEnv,
          unset: clean,
          hush: true,
          note: `without ${clean.join(', ')}`,
        },
      ]
    : [];
  return [
    { key: 'true', name: '/bin/true (direct)', argv: [TRUE], note: 'no isolation: the harness floor (fork+exec+wait)' },
    { key: 'node', name: 'node -e 0', argv: [NODE, '-e', '0'], note: 'baseline: Node boot and exit' },
    {
      key: 'hush',
      name: 'hush run',
      argv: [NODE, 'bin/hush', 'run', ...hushArgs, '--', TRUE],
      env: hushEnv,
      hush: true,
      note: 'mnt+pid+uts+ipc, host net, our init as PID 1, secrets tmpfs',
    },
    {
      key: 'hush-noinit',
      name: 'hush run --no-init',
      argv: [NODE, 'bin/hush', 'run', '--no-init', ...hushArgs, '--', TRUE],
      env: hushEnv,
      hush: true,
      note: 'as above, the app is PID 1',
    },
    {
      key: 'crun',
      name: 'crun run',
      runtime: 'crun',
      inner: true,
      argv: (id, bundle) => ['crun', '--cgroup-manager=disabled', 'run', '--bundle', bundle, id],
      note: '--cgroup-manager=disabled; spec defaults otherwise, no netns',
    },
    {
      key: 'crun-cgroupfs',
      name: 'crun run (cgroupfs)',
      runtime: 'crun',
      inner: true,
      argv: (id, bundle) => ['crun', '--cgroup-manager=cgroupfs', 'run', '--bundle', bundle, id],
      note: 'with a cgroup v1 per container',
    },
    {
      key: 'runc',
      name: 'runc run',
      runtime: 'runc',
      inner: true,
      argv: (id, bundle) => ['runc', 'run', '--bundle', bundle, id],
      note: 'cgroupfs (v1; runc cannot disable cgroups), no netns',
    },
    {
      key: 'bwrap',
      name: 'bwrap --unshare-all',
      argv: ['bwrap', '--unshare-all', ...bwrapRoot, '--proc', '/proc', '--dev', '/dev', '--', TRUE],
      note: '--unshare-all includes a NEW NETWORK namespace (and user, cgroup)',
    },
    {
      key: 'bwrap-sharenet',
      name: 'bwrap --unshare-all --share-net',
      argv: ['bwrap', '--unshare-all', '--share-net', ...bwrapRoot, '--proc', '/proc', '--dev', '/dev', '--', TRUE],
      note: 'same, host network like hush',
    },
    {
      key: 'unshare',
      name: 'unshare -mpiu --fork',
      argv: ['unshare', '-mpiu', '--fork', ...unshareRoot, TRUE],
      note: 'namespaces only: no new root, no /proc, no /dev',
    },
    ...cleanRows,
  ];
}

// ---------------------------------------------------------------- output helpers

function log(msg) {
  process.stderr.write(`bench/launch: ${msg}\n`);
}

function table(header, rows, align) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const fmt = (cells) =>
    '| ' +
    cells.map((c, i) => (align[i] === 'l' ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' | ') +
    ' |';
  const sep = '|' + widths.map((w, i) => (align[i] === 'l' ? ':' + '-'.repeat(w + 1) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [fmt(header), sep, ...rows.map(fmt)].join('\n');
}

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');

function parseTiming(stderr) {
  const m = stderr.match(/hush: timing: startup_ms=([\d.]+) setup_ms=([\d.]+) clone_to_exec_ms=([\d.]+)/);
  return m ? { startup: Number(m[1]), setup: Number(m[2]), clone: Number(m[3]) } : undefined;
}

// ---------------------------------------------------------------- breakdown of hush's start-up

function median(xs) {
  return summarize(xs).median;
}

function breakdown(rootMode, runs) {
  const hushArgs = rootMode === 'minimal' ? ['--rootfs', MINIROOT] : [];
  const out = path.join(WORK, 'require-profile.json');
  const clean = CLEAN_UNSET.filter((k) => process.env[k] !== undefined);
  const profiled = (argv, mode, unset) => {
    fs.rmSync(out, { force: true });
    const spawnedAt = performance.timeOrigin + performance.now();
    const r = timeCommand(argv, { env: { HUSH_TIMING: '1', BENCH_HOOK_OUT: out, BENCH_HOOK_MODE: mode }, unset });
    const endedAt = performance.timeOrigin + performance.now();
    if (r.status !== 0 || !fs.existsSync(out)) throw new Error(`profiled run failed: ${r.stderr.trim()}`);
    const p = JSON.parse(fs.readFileSync(out, 'utf8'));
    p.wall = r.ms;
    // Epoch-based, so good to a fraction of a millisecond only.
    p.beforeOrigin = p.timeOrigin - spawnedAt;
    p.afterExit = endedAt - (p.timeOrigin + p.exitAt);
    p.timing = parseTiming(r.stderr);
    return p;
  };
  const nodeArgv = [NODE, '-r', HOOK, '-e', '0'];
  const hushArgv = [NODE, '-r', HOOK, 'bin/hush', 'run', ...hushArgs, '--', TRUE];
  const base = [];
  const light = [];
  const baseClean = [];
  const lightClean = [];
  const full = [];
  for (let i = 0; i < runs; i++) {
    base.push(profiled(nodeArgv, 'light'));
    light.push(profiled(hushArgv, 'light'));
    if (clean.length) {
      baseClean.push(profiled(nodeArgv, 'light', clean));
      lightClean.push(profiled(hushArgv, 'light', clean));
    }
    full.push(profiled(hushArgv, 'full', clean));
  }

  const med = (samples, get) => median(samples.map(get).filter(Number.isFinite));
  const lines = [];

  // Marginal wall cost of the pieces of a `hush run`, each in fresh Node processes (no hook),
  // interleaved, in the clean environment. The pieces overlap (run.js's tree includes
  // node:crypto), so they do not add up.
  const pieces = [
    ['node -e 0', [NODE, '-e', '0']],
    ['node -e: touch process.stdin, stdout, stderr', [NODE, '-e', 'process.stdin; process.stdout; process.stderr']],
    ["node -e: require('node:crypto')", [NODE, '-e', "require('node:crypto')"]],
    ["node -e: require('node:child_process')", [NODE, '-e', "require('node:child_process')"]],
    ["node -e: require('./dist/launcher/commands/run') (its whole tree)", [NODE, '-e', "require('./dist/launcher/commands/run')"]],
    ['node -e: load the native addon', [NODE, '-e', "require('./native/build/Release/hush_native.node')"]],
    ['node bin/hush run --help (cli.js + run.js, no container)', [NODE, 'bin/hush', 'run', '--help']],
    ['node bin/hush run -- /bin/true', [NODE, 'bin/hush', 'run', ...hushArgs, '--', TRUE]],
  ];
  const pieceMs = pieces.map(() => []);
  for (let i = 0; i < runs + 1; i++) {
    pieces.forEach(([, argv], k) => {
      const r = timeCommand(argv, { unset: clean });
      if (i > 0 && r.status === 0) pieceMs[k].push(r.ms);
    });
  }
  const baseMs = median(pieceMs[0]);
  const baseMin = Math.min(...pieceMs[0]);
  lines.push(
    `Marginal wall cost of each piece (fresh processes without the hook, interleaved, ${
      clean.length ? `without ${clean.join(', ')}, ` : ''
    }stdin and stdout /dev/null, stderr a pipe; ms, median of ${runs}; the pieces overlap):`,
  );
  lines.push(
    table(
      ['command', 'median', '− node -e 0', 'min', '− node -e 0 (min)'],
      pieces.map(([name], k) => {
        const min = Math.min(...pieceMs[k]);
        return [
          name,
          f1(median(pieceMs[k])),
          k === 0 ? '' : f1(median(pieceMs[k]) - baseMs),
          f1(min),
          k === 0 ? '' : f1(min - baseMin),
        ];
      }),
      ['l', 'r', 'r', 'r', 'r'],
    ),
  );
  lines.push('');
  lines.push(
    `Phases (ms, median of ${runs}; a preloaded hook reads performance.nodeTiming, hush's HUSH_TIMING line ` +
      `and the 'exit' event; "before time origin" and "after 'exit'" compare clocks across processes, ±0.5 ms):`,
  );
  const startup = (p) => (p.timing ? p.timing.startup : NaN);
  const setup = (p) => (p.timing ? p.timing.setup : NaN);
  const phases = [
    ['spawn → Node\'s time origin (exec, dynamic linking)', (p) => p.beforeOrigin, (p) => p.beforeOrigin],
    ['time origin → V8 started (per-process init)', (p) => p.nodeTiming.v8Start, (p) => p.nodeTiming.v8Start],
    ['V8 started → bootstrap complete', (p) => p.nodeTiming.bootstrapComplete - p.nodeTiming.v8Start, (p) => p.nodeTiming.bootstrapComplete - p.nodeTiming.v8Start],
    ['bootstrap complete → main() of `hush run` (loading hush\'s modules)', () => NaN, (p) => startup(p) - p.nodeTiming.bootstrapComplete],
    ['main() → app exec\'d (setup_ms)', () => NaN, setup],
    ["bootstrap complete (node) / exec'd (hush) → 'exit' event", (p) => p.exitAt - p.nodeTiming.bootstrapComplete, (p) => p.exitAt - startup(p) - setup(p)],
    ["'exit' event → harness sees the exit (teardown)", (p) => p.afterExit, (p) => p.afterExit],
    ['wall', (p) => p.wall, (p) => p.wall],
  ];
  const cells = (nodeSamples, hushSamples, getNode, getHush) => {
    const a = med(nodeSamples, getNode);
    const b = med(hushSamples, getHush);
    return [f2(a), f2(b), Number.isFinite(a) && Number.isFinite(b) ? f2(b - a) : Number.isFinite(b) ? f2(b) : ''];
  };
  const phaseRows = phases.map(([name, getNode, getHush]) => [
    name,
    ...cells(base, light, getNode, getHush),
    ...(clean.length ? cells(baseClean, lightClean, getNode, getHush) : []),
  ]);
  const header = ['phase', 'node -e 0', 'hush run', 'hush − node'];
  if (clean.length) header.push('node -e 0 [clean env]', 'hush run [clean env]', 'hush − node [clean]');
  lines.push(table(header, phaseRows, header.map((_, i) => (i === 0 ? 'l' : 'r'))));
  if (clean.length) lines.push(`[clean env] = without ${clean.join(', ')}.`);
  lines.push('');

  // Module loads: inclusive and self time per module, median over runs.
  const byId = new Map();
  for (const p of full) {
    const mainAt = startup(p);
    for (const m of p.modules) {
      if (!byId.has(m.id)) byId.set(m.id, { id: m.id, first: m.order, depth: m.depth, incl: [], self: [], late: 0 });
      const e = byId.get(m.id);
      e.incl.push(m.incl);
      e.self.push(m.self);
      if (m.at >= mainAt) e.late++;
    }
  }
  const mods = [...byId.values()].sort((a, b) => a.first - b.first);
  lines.push(
    `Module loads in \`hush run\` (first load of each, in load order, ≥ 0.05 ms; ms, median of ${runs}, with the ` +
      `full hook, which slows each load a little). cli.js runs main() synchronously up to its first await, so its ` +
      `self time includes the whole container setup; loads marked "in setup" happen after main() started:`,
  );
  const modRows = mods
    .filter((m) => median(m.incl) >= 0.05)
    .map((m) => [
      '  '.repeat(m.depth) + m.id + (m.late * 2 > m.incl.length ? '  (in setup)' : ''),
      f2(median(m.incl)),
      f2(median(m.self)),
    ]);
  lines.push(table(['module (indented under the module that required it)', 'inclusive', 'self'], modRows, ['l', 'r', 'r']));
  lines.push('');
  // A timeline of the start-up, from the full-hook runs.
  const at = (p, suffix) => {
    const m = p.modules.find((x) => x.id.endsWith(suffix));
    return m ? m.at : NaN;
  };
  const runJs = (p) => p.modules.find((x) => x.id.endsWith('launcher/commands/run.js'));
  const steps = [
    ['bootstrap complete → bin/hush starts loading (Node resolves the main module)', (p) => at(p, 'bin/hush') - p.nodeTiming.bootstrapComplete],
    ['bin/hush starts → cli.js starts (bin/hush read + compiled)', (p) => at(p, 'launcher/cli.js') - at(p, 'bin/hush')],
    ['cli.js starts → run.js starts (cli.js read + compiled + top level)', (p) => at(p, 'launcher/commands/run.js') - at(p, 'launcher/cli.js')],
    ['  of which first use of process.stdin/stdout/stderr (cli.js builds its io)', (p) => {
      const cliAt = at(p, 'launcher/cli.js');
      const runAt = at(p, 'launcher/commands/run.js');
      return Object.values(p.stdio || {}).filter((x) => x.at >= cliAt && x.at < runAt).reduce((a, x) => a + x.ms, 0);
    }],
    ['run.js and everything it requires', (p) => runJs(p).incl],
    ['  of which node:crypto (for randomBytes)', (p) => (p.modules.find((x) => x.id === 'node:crypto') || { incl: 0 }).incl],
    ['run.js loaded → main() starts', (p) => startup(p) - (runJs(p).at + runJs(p).incl)],
    ['= bootstrap complete → main()', (p) => startup(p) - p.nodeTiming.bootstrapComplete],
  ];
  lines.push('Start-up timeline of `hush run` after Node\'s bootstrap (ms, median, full hook):');
  lines.push(table(['step', 'ms'], steps.map(([n, get]) => [n, f2(med(full, get))]), ['l', 'r']));
  lines.push('');
  lines.push(`Native addon dlopen (inside setup_ms): ${f2(med(full, (p) => p.dlopen))} ms.`);
  const stdioNames = ['stdin', 'stdout', 'stderr'];
  lines.push(
    'First use of each stdio stream (harness: stdin /dev/null, stdout /dev/null, stderr a pipe): ' +
      stdioNames.map((n) => `${n} ${f2(med(full, (p) => (p.stdio && p.stdio[n] ? p.stdio[n].ms : NaN)))} ms`).join(', ') +
      '.',
  );
  return lines.join('\n');
}

// ---------------------------------------------------------------- main

async function main() {
  if (process.getuid() !== 0) throw new Error('run as root (namespaces, mounts, crun/runc)');
  const iterations = intEnv('BENCH_ITERATIONS', 30);
  const warmup = intEnv('BENCH_WARMUP', 3);
  const rootMode = process.env.BENCH_ROOT || 'host';
  if (rootMode !== 'host' && rootMode !== 'minimal') throw new Error(`BENCH_ROOT must be host or minimal`);
  const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : undefined;

  for (const f of ['dist/launcher/cli.js', 'native/build/Release/hush_native.node']) {
    if (!fs.existsSync(path.join(REPO, f))) {
      throw new Error(`${f} is missing: build hush first (npx tsc -p tsconfig.json && node scripts/build-native.js), or use bench/launch.sh`);
    }
  }
  fs.mkdirSync(WORK, { recursive: true });
  fs.mkdirSync(HOSTROOT, { recursive: true });
  ensureTools();
  if (rootMode === 'minimal') buildMinimalRootfs();
  const bundleRoot = rootMode === 'minimal' ? MINIROOT : HOSTROOT;

  let all = launchers(rootMode);
  if (only) all = all.filter((l) => only.has(l.key) || l.key === 'node' || l.key === 'hush');
  const skipped = [];
  const bundles = {};
  for (const l of all) {
    const bin = l.runtime ?? l.argv[0];
    if (!path.isAbsolute(bin) && !have(bin)) {
      skipped.push(`${l.name}: ${bin} not installed`);
      l.skip = true;
      continue;
    }
    if (l.runtime && !bundles[l.runtime]) {
      try {
        bundles[l.runtime] = makeBundle(l.runtime, bundleRoot);
      } catch (err) {
        skipped.push(`${l.name}: ${err.message}`);
        l.skip = true;
      }
    }
  }
  all = all.filter((l) => !l.skip);

  let inner;
  if (all.some((l) => l.inner)) {
    inner = startInner(rootMode);
    const hello = await inner.ready;
    if (!hello.ready) {
      skipped.push(`crun/runc: ${hello.fatal}`);
      all = all.filter((l) => !l.inner);
      await inner.close();
      inner = undefined;
    }
  }

  let seq = 0;
  const runOnce = async (l) => {
    if (l.inner) {
      const id = `hush-bench-${process.pid}-${++seq}`;
      return inner.run(l.argv(id, bundles[l.runtime]), l.runtime, id);
    }
    return timeCommand(l.argv, { env: l.env, unset: l.unset });
  };

  // Preflight: each launcher must run /bin/true successfully once.
  for (const l of all) {
    const r = await runOnce(l);
    if (r.status !== 0) {
      const why = (r.error || r.stderr || `exit ${r.status ?? r.signal}`).trim().split('\n')[0];
      skipped.push(`${l.name}: preflight failed: ${why}`);
      l.skip = true;
    }
  }
  all = all.filter((l) => !l.skip);

  const results = new Map(all.map((l) => [l.key, { ms: [], timing: [], failures: 0 }]));
  const startedAt = Date.now();
  const loadBefore = os.loadavg();
  log(
    `${all.length} launchers × (${warmup} warm-up + ${iterations} measured), interleaved round-robin, ` +
      `root=${rootMode}, on ${os.cpus().length} CPUs`,
  );
  for (let it = 0; it < warmup + iterations; it++) {
    // Rotate the starting launcher each round so none always runs right after the same one.
    for (let j = 0; j < all.length; j++) {
      const l = all[(it + j) % all.length];
      const r = await runOnce(l);
      if (it < warmup) continue;
      const res = results.get(l.key);
      if (r.status !== 0) {
        res.failures++;
        continue;
      }
      res.ms.push(r.ms);
      if (l.hush) {
        const t = parseTiming(r.stderr);
        if (t) res.timing.push(t);
      }
    }
    if (process.stderr.isTTY) process.stderr.write(`\rround ${it + 1}/${warmup + iterations}`);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  if (inner) await inner.close();
  const elapsed = (Date.now() - startedAt) / 1000;

  // ---- the table
  const stats = new Map(all.map((l) => [l.key, summarize(results.get(l.key).ms)]));
  const nodeMed = stats.get('node')?.median;
  const hushMed = stats.get('hush')?.median;
  const rows = all.map((l) => {
    const s = stats.get(l.key);
    return [
      l.name,
      f1(s.median),
      f1(s.p10),
      f1(s.p90),
      f1(s.min),
      f1(s.max),
      f1(s.p75 - s.p25),
      f2(s.median / (l.unset ? stats.get('node-clean')?.median : nodeMed)),
      f2(s.median / (l.unset ? stats.get('hush-clean')?.median : hushMed)),
      `${s.n}${results.get(l.key).failures ? ` (${results.get(l.key).failures} failed)` : ''}`,
    ];
  });
  const out = [];
  out.push(`## launch: wall time of /bin/true, ms (${iterations} interleaved rounds, ${warmup} warm-up; root=${rootMode}; ${elapsed.toFixed(0)} s)`);
  out.push('');
  out.push(
    table(
      ['launcher', 'median', 'p10', 'p90', 'min', 'max', 'IQR', '× node -e 0', '× hush run', 'n'],
      rows,
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  out.push('');
  out.push('Notes:');
  for (const l of all) out.push(`- ${l.name}: ${l.note}`);
  out.push(
    `- root: ${
      rootMode === 'host'
        ? "every launcher gets the host's / read-only (crun/runc: the host's / rbind-mounted at bench/.work/hostroot in the helper's private mount namespace)"
        : `every launcher gets ${path.relative(REPO, MINIROOT)} (/bin/true and its libraries)`
    }`,
  );
  if (all.some((l) => l.unset)) out.push('- ratios of the [clean env] rows are against the [clean env] node and hush rows.');
  const loadAfter = os.loadavg();
  out.push(
    `- machine: ${os.cpus().length} CPUs, load average (1 min) ${loadBefore[0].toFixed(2)} before, ` +
      `${loadAfter[0].toFixed(2)} after; other work on the machine widens the spread, the interleaving keeps the ratios fair.`,
  );
  out.push('- crun/runc are timed by a helper in a private mount namespace without /sys/fs/cgroup/unified, with the same spawnSync clock.');
  for (const s of skipped) out.push(`- skipped: ${s}`);

  // ---- hush's own split
  out.push('');
  out.push("## hush's own timing (HUSH_TIMING=1, ms; median [p10–p90])");
  out.push('');
  const tRows = [];
  for (const l of all.filter((x) => x.hush)) {
    const t = results.get(l.key).timing;
    if (t.length === 0) continue;
    const part = (get) => {
      const s = summarize(t.map(get));
      return `${f2(s.median)} [${f2(s.p10)}–${f2(s.p90)}]`;
    };
    const wall = stats.get(l.key).median;
    const before = median(t.map((x) => x.startup + x.setup));
    tRows.push([
      l.name,
      part((x) => x.startup),
      part((x) => x.setup),
      part((x) => x.clone),
      part((x) => x.setup - x.clone),
      f2(wall - before),
    ]);
  }
  out.push(
    table(
      ['launcher', 'startup_ms (boot + modules)', 'setup_ms (main → exec)', 'clone_to_exec_ms', 'setup − clone (JS side)', 'rest of wall (exec of node, app, exit)'],
      tRows,
      ['l', 'r', 'r', 'r', 'r', 'r'],
    ),
  );

  // ---- aims
  out.push('');
  out.push('## aims (issue 2)');
  out.push('');
  const setupOf = (key) => {
    const t = results.get(key)?.timing ?? [];
    return t.length ? median(t.map((x) => x.setup)) : NaN;
  };
  const verdict = (ok) => (ok ? 'met' : 'MISSED');
  const ratioOf = (h, n) => (stats.get(h)?.median ?? NaN) / (stats.get(n)?.median ?? NaN);
  for (const [h, n, label] of [
    ['hush', 'node', ''],
    ['hush-clean', 'node-clean', ' [clean env]'],
  ]) {
    if (!results.has(h)) continue;
    const setupMed = setupOf(h);
    const setupMin = Math.min(...(results.get(h)?.timing ?? []).map((x) => x.setup));
    const ratio = ratioOf(h, n);
    const ratioMin = (stats.get(h)?.min ?? NaN) / (stats.get(n)?.min ?? NaN);
    out.push(
      `- container setup inside hush${label} (setup_ms, median) < 5 ms: ${f2(setupMed)} ms → ${verdict(setupMed < 5)}` +
        ` (fastest run: ${f2(setupMin)} ms)`,
    );
    out.push(
      `- hush run${label} ≤ 1.3 × node -e 0${label}: ${f2(ratio)}× → ${verdict(ratio <= 1.3)}` +
        ` (ratio of the fastest runs, less sensitive to other load: ${f2(ratioMin)}×)`,
    );
  }
  process.stdout.write(out.join('\n') + '\n');

  fs.writeFileSync(
    path.join(WORK, 'launch-last.json'),
    JSON.stringify({ rootMode, iterations, warmup, skipped, results: Object.fromEntries(results) }, null, 1) + '\n',
  );

  if (process.env.BENCH_BREAKDOWN !== '0' && results.has('hush')) {
    const runs = intEnv('BENCH_BREAKDOWN_RUNS', Math.max(5, Math.min(20, iterations)));
    log(`breakdown: ${runs} profiled runs of node -e 0 and hush run with ${path.relative(REPO, HOOK)} preloaded`);
    process.stdout.write(`\n## where hush's start-up goes (separate runs with a require-timing hook, which adds its own overhead)\n\n`);
    try {
      process.stdout.write(breakdown(rootMode, runs) + '\n');
    } catch (err) {
      process.stdout.write(`breakdown failed: ${err.message}\n`);
    }
  }
  checkHostUntouched();
}

function checkHostUntouched() {
  const mi = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  if (mi.includes(` ${HOSTROOT} `)) log(`WARNING: ${HOSTROOT} is mounted in the host's namespace`);
}

if (process.argv[2] === '--inner') {
  innerMain();
} else {
  main().catch((err) => {
    log(err.message);
    process.exit(1);
  });
}
