#!/usr/bin/env node
'use strict';
// bench/launch-rootless: what a rootless `hush run` costs against the root default run, in the
// same interleaved rounds (bench/README.md, "launch: rootless"). Run as root after `npm run build`:
// it creates two users (one without a /etc/subuid range: a one-uid map; one with a range:
// newuidmap/newgidmap map it all) and removes them at the end, or skips with the reason.
//
//   BENCH_ITERATIONS  measured rounds of `hush run -- /bin/true` (default 20)
//   BENCH_WARMUP      unmeasured rounds (default 2)
//   BENCH_INPROCESS   containers per row in the in-process part (default 60)
//   BENCH_BALLAST_MB  the in-process helpers first fill this many MiB (default 0): how the start
//                     grows with the size of the Node process
//   BENCH_COMPARE     another built tree (a checkout with dist/ and native/build): its rootless
//                     rows join the same rounds, marked "(compared tree)" (before/after a change)
//
// 1. Wall time of `hush run -- /bin/true`, every row through `setpriv` (the root row too, so that
//    setpriv's cost is in every row), with HUSH_TIMING=1's split.
// 2. In process (`--inner ROW N`, run as each user): the launcher's container start without
//    Node's boot, split into its parts: the spawn (rootless: up to the child's tmpfs), the
//    parent's own work while the child waits (the same JS work in every row, as the agent's
//    would be: a copy-on-write child makes it dearer), the wait for the id maps (newuidmap and
//    newgidmap run meanwhile), and the release up to the app's exec.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { REPO, intEnv, summarize } = require('./launch-stats');

const TRUE = '/bin/true';
const USERS = { one: 'hushbench-one', full: 'hushbench-full' };
const median = (xs) => summarize(xs).median;
const f2 = (x) => x.toFixed(2);

// ---- in process, as the row's user ----

/** The same JS work in every row, while a rootless child waits (about a render's worth). */
function parentWork() {
  const started = performance.now();
  const objects = [];
  for (let i = 0; i < 20000; i++) objects.push({ i, name: `secret-${i}`, parts: [i, i + 1] });
  return { ms: performance.now() - started, objects: objects.length };
}

async function inner(row, count, tree) {
  globalThis.benchBallast = Buffer.alloc(intEnv('BENCH_BALLAST_MB', 0) * 2 ** 20, 1); // held until exit
  const dist = (module) => require(path.join(tree, 'dist', module));
  const { startContainer, spawnRootless } = dist('launcher/container.js');
  const { containerSpec, parseRunArgs } = dist('launcher/container-spec.js');
  const { buildConfinement } = dist('launcher/confinement.js');
  const { createSecretsTmpfs } = dist('launcher/secrets-tmpfs.js');
  const env = { PATH: '/usr/bin:/bin' };
  const options = parseRunArgs(['--hostname', 'bench', '--', TRUE], env, 'bench');
  const confinement = buildConfinement(options.confinement, env, () => {});
  const samples = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    let container;
    let spawnMs = 0;
    let work;
    if (row === 'root') {
      const tmpfs = createSecretsTmpfs({ sizeBytes: 16 << 20, uid: 0, gid: 0 });
      spawnMs = performance.now() - t0;
      work = parentWork();
      const t1 = performance.now();
      container = await startContainer(containerSpec(options, { secretsFd: tmpfs.fd, confinement }));
      samples.push({ spawn: spawnMs, work: work.ms, mapped: 0, release: performance.now() - t1 });
      tmpfs.close();
    } else {
      const { rootlessIdMaps, usernsSpec } = dist('launcher/rootless/rootless-run.js');
      const spec = containerSpec(options, { secretsFd: -1, confinement });
      // `options`: a BENCH_COMPARE tree from before it was dropped still needs it.
      const pending = spawnRootless({ ...spec, userns: usernsSpec(rootlessIdMaps(env), options) });
      spawnMs = performance.now() - t0;
      if (pending.secretsFd < 0) await pending.start([], []);
      work = parentWork();
      // As `hush run` does before its first write into the tmpfs (a tree without it: no wait).
      const t1 = performance.now();
      pending.mapped?.();
      const mappedMs = performance.now() - t1;
      const t2 = performance.now();
      container = await pending.start(spec.env, spec.maskPaths);
      samples.push({ spawn: spawnMs, work: work.ms, mapped: mappedMs, release: performance.now() - t2 });
      fs.closeSync(pending.secretsFd);
    }
    const status = await container.exited;
    if (status.code !== 0) throw new Error(`${TRUE} exited ${JSON.stringify(status)}`);
  }
  // Exit at once: a channel watch that fires while Node tears down aborts the process (the
  // addon calls into JS from a libuv callback then), which `hush run` avoids the same way.
  process.stdout.write(JSON.stringify(samples) + '\n', () => process.exit(0));
}

// ---- the harness, as root ----

function sh(argv, options = {}) {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', ...options });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${(r.stderr || r.error?.message || '').trim()}`);
  return r.stdout;
}

const subordinateLines = (file, name) =>
  (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '').split('\n').filter((line) => line.startsWith(`${name}:`));

/** Two users: `one` without a /etc/subuid range, `full` with one (useradd's, or 200000-265535). */
function createUsers() {
  const made = {};
  for (const [row, name] of Object.entries(USERS)) {
    spawnSync('userdel', [name]);
    sh(['useradd', '--no-create-home', '--shell', '/bin/sh', name]);
    made[row] = { name, uid: Number(sh(['id', '-u', name]).trim()), gid: Number(sh(['id', '-g', name]).trim()) };
    for (const [file, flag] of [['/etc/subuid', '--del-subuids'], ['/etc/subgid', '--del-subgids']]) {
      const lines = subordinateLines(file, name);
      if (row === 'one') {
        for (const line of lines) {
          const [, start, count] = line.split(':');
          sh(['usermod', flag, `${start}-${Number(start) + Number(count) - 1}`, name]);
        }
      } else if (lines.length === 0) sh(['usermod', flag.replace('del', 'add'), '200000-265535', name]);
    }
  }
  return made;
}

function removeUsers() {
  for (const name of Object.values(USERS)) spawnSync('userdel', [name]);
}

/** Why the rootless rows cannot run here, or undefined. */
function skipReason() {
  if (process.getuid() !== 0) return 'run as root (it creates the users)';
  for (const tool of ['useradd', 'usermod', 'userdel', 'setpriv', 'newuidmap', 'newgidmap']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `needs ${tool} (Debian: passwd, util-linux, uidmap)`;
  }
  if (spawnSync('unshare', ['-U', '-r', 'true']).status !== 0) return 'user namespaces are not available';
  return undefined;
}

/** The tree the users run: the repository if they can read it, else a 0755 copy under /var/tmp. */
function treeFor(uid) {
  const probe = spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', 'test', '-r', path.join(REPO, 'dist', 'launcher', 'cli.js')]);
  if (probe.status === 0) return { dir: REPO, remove() {} };
  const dir = fs.mkdtempSync('/var/tmp/hush-bench-rootless-');
  fs.chmodSync(dir, 0o755);
  for (const part of ['bench', 'bin', 'dist', 'native', 'node_modules', 'package.json']) fs.cpSync(path.join(REPO, part), path.join(dir, part), { recursive: true });
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function asUser(user, argv, env) {
  const id = user ? user.uid : 0;
  const gid = user ? user.gid : 0;
  return ['setpriv', `--reuid=${id}`, `--regid=${gid}`, '--clear-groups', 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv];
}

function timed(argv, cwd) {
  const started = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const t = /setup_ms=([\d.]+) clone_to_exec_ms=([\d.]+)/.exec(r.stderr || '');
  return { ms, status: r.status, stderr: (r.stderr || '').trim(), setup: t ? Number(t[1]) : NaN, cloneToExec: t ? Number(t[2]) : NaN };
}

async function main() {
  const reason = skipReason();
  if (reason) {
    process.stdout.write(`bench/launch-rootless: skipped: ${reason}\n`);
    return;
  }
  for (const f of ['dist/launcher/cli.js', 'native/build/Release/hush_native.node']) {
    if (!fs.existsSync(path.join(REPO, f))) throw new Error(`${f} is missing: npm run build first`);
  }
  const users = createUsers();
  const tree = treeFor(users.one.uid);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hush-bench-rootless-home-'));
  fs.chmodSync(home, 0o755);
  try {
    const env = { PATH: '/usr/bin:/bin', HOME: home, HUSH_TIMING: '1' };
    // Each user's XDG_RUNTIME_DIR, as a login session has it: there the compiled seccomp filter
    // is cached (seccomp-cache.ts). One row goes without: hush falls back to /dev/shm/hush-UID.
    for (const user of Object.values(users)) {
      user.runtimeDir = path.join(home, `run-${user.uid}`);
      fs.mkdirSync(user.runtimeDir, { mode: 0o700 });
      fs.chownSync(user.runtimeDir, user.uid, user.gid);
    }
    const rows = [
      { key: 'root', name: 'hush run as root (default)', user: undefined, dir: tree.dir },
      { key: 'one', name: 'hush run rootless, one uid mapped', user: users.one, dir: tree.dir },
      { key: 'full', name: 'hush run rootless, subuid range (newuidmap/newgidmap)', user: users.full, dir: tree.dir },
    ];
    const compare = process.env.BENCH_COMPARE ? path.resolve(process.env.BENCH_COMPARE) : undefined;
    if (compare) {
      for (const row of rows.slice(1, 3)) rows.push({ ...row, key: `${row.key}-compared`, name: `${row.name} (compared tree)`, dir: compare });
    }
    rows.push({ key: 'one-noxdg', name: 'hush run rootless, one uid, no XDG_RUNTIME_DIR (/dev/shm/hush-UID)', user: users.one, dir: tree.dir, noRuntimeDir: true });
    const hush = (dir) => [process.execPath, path.join(dir, 'bin', 'hush'), 'run', '--', TRUE];
    const [warmup, rounds] = [intEnv('BENCH_WARMUP', 2), intEnv('BENCH_ITERATIONS', 20)];
    for (const row of rows) row.samples = [];
    for (let round = 0; round < warmup + rounds; round++) {
      for (let j = 0; j < rows.length; j++) {
        const row = rows[(round + j) % rows.length];
        const runtime = row.user && !row.noRuntimeDir ? { XDG_RUNTIME_DIR: row.user.runtimeDir } : {};
        const r = timed(asUser(row.user, hush(row.dir), { ...env, ...runtime }), home);
        if (r.status !== 0) throw new Error(`${row.name}: exit ${r.status}: ${r.stderr}`);
        if (round >= warmup) row.samples.push(r);
      }
    }
    const base = rows[0];
    const of = (row, field) => median(row.samples.map((s) => s[field]));
    const lines = [
      ...(compare ? [`compared tree: ${compare}`, ''] : []),
      `hush run -- ${TRUE} through setpriv, ${rounds} interleaved rounds, load average ${os.loadavg().map(f2).join(' ')}`,
      '',
      '| run | median ms | + ms over root | setup_ms (HUSH_TIMING) | + setup ms over root | clone_to_exec_ms |',
      '|---|---|---|---|---|---|',
    ];
    for (const row of rows) {
      const over = (field) => (row === base ? 'baseline' : f2(of(row, field) - of(base, field)));
      lines.push(`| ${row.name} | ${f2(of(row, 'ms'))} | ${over('ms')} | ${f2(of(row, 'setup'))} | ${over('setup')} | ${f2(of(row, 'cloneToExec'))} |`);
    }

    // In process: chunks of containers per row, the rows taking turns.
    const total = intEnv('BENCH_INPROCESS', 60);
    const chunk = 10;
    const inProcessRows = rows.filter((row) => !row.noRuntimeDir);
    const parts = Object.fromEntries(inProcessRows.map((row) => [row.key, []]));
    for (let done = 0; done < total; done += chunk) {
      for (const row of inProcessRows) {
        const argv = asUser(row.user, [process.execPath, path.join(tree.dir, 'bench', 'launch-rootless.js'), '--inner', row.key.replace('-compared', ''), String(Math.min(chunk, total - done)), row.dir], { PATH: env.PATH, HOME: home, BENCH_BALLAST_MB: String(intEnv('BENCH_BALLAST_MB', 0)) });
        parts[row.key].push(...JSON.parse(sh(argv, { cwd: home, maxBuffer: 1 << 20 })));
      }
    }
    const part = (key, field) => median(parts[key].map((s) => s[field]));
    const sum = (key) => median(parts[key].map((s) => s.spawn + s.mapped + s.release));
    lines.push(
      '',
      `in process (the launcher's start of the container without Node's boot), median of ${total} per row${intEnv('BENCH_BALLAST_MB', 0) ? `, each helper holding ${intEnv('BENCH_BALLAST_MB', 0)} MiB more` : ''}:`,
      '',
      '| run | spawn ms (root: the tmpfs; rootless: clone, the child\'s tmpfs) | then waits for the maps ms | release to exec ms | the three | + ms over root | parent\'s JS work between ms |',
      '|---|---|---|---|---|---|---|',
    );
    for (const row of inProcessRows) {
      const over = row === base ? 'baseline' : f2(sum(row.key) - sum(base.key));
      lines.push(`| ${row.name} | ${f2(part(row.key, 'spawn'))} | ${f2(part(row.key, 'mapped'))} | ${f2(part(row.key, 'release'))} | ${f2(sum(row.key))} | ${over} | ${f2(part(row.key, 'work'))} |`);
    }
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    // The runtime directory of the row without XDG_RUNTIME_DIR (agent/runtime-dir.ts).
    fs.rmSync(`/dev/shm/hush-${users.one.uid}`, { recursive: true, force: true });
    removeUsers();
    tree.remove();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--inner') {
  inner(process.argv[3], Number(process.argv[4]), process.argv[5]).catch((err) => {
    process.stderr.write(`bench/launch-rootless --inner: ${err.stack}\n`);
    process.exit(1);
  });
} else {
  main().catch((err) => {
    process.stderr.write(`bench/launch-rootless: ${err.message}\n`);
    process.exit(1);
  });
}
