#!/usr/bin/env node
'use strict';
// bench/isolation: the same harmless attacks (bench/isolation-probe.py) from inside hush run,
// hush run --user 1000, crun (its `crun spec` defaults), bwrap --unshare-all and podman, each on
// the host's / read-only, printed as the markdown table of docs/security.md. Each launcher runs
// under a fresh pseudo-terminal that is its controlling terminal, as from a user's shell
// (test/fixtures/pty-harness.py); a key sits in root's user keyring and a host service listens
// on an abstract unix socket meanwhile. As root, after `npm run build`; a launcher that is not
// installed is skipped and named (apt-get install -y crun bubblewrap podman).
//
//   npm run bench:isolation

const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { REPO } = require('./launch-stats');
const { have } = require('./launch-bundles');
const { table } = require('./launch-report');

const PYTHON = '/usr/bin/python3';
const probe = fs.readFileSync(path.join(__dirname, 'isolation-probe.py'), 'utf8');
// crun 1.8 refuses this machine's hybrid cgroup layout: crun and podman run in a private mount
// namespace without /sys/fs/cgroup/unified, with the host's / bound as their root.
const privateRoot = (root, command) => ['unshare', '-m', '--propagation', 'private', 'sh', '-c',
  `umount /sys/fs/cgroup/unified 2>/dev/null; mount --rbind / ${root} && exec ${command} "$@"`, 'sh'];

function launchers(work, probeArgs) {
  const hush = [process.execPath, 'bin/hush', 'run'];
  const list = [
    ['hush', () => [...hush, '--', PYTHON, '-c', probe, ...probeArgs]],
    ['hush --user 1000', () => [...hush, '--user', '1000', '--', PYTHON, '-c', probe, ...probeArgs]],
    ['crun', () => crunCommand(work, probeArgs)],
    ['bwrap', () => ['bwrap', '--unshare-all', '--die-with-parent', '--ro-bind', '/', '/', '--proc', '/proc',
      '--dev', '/dev', '--tmpfs', '/tmp', '--', PYTHON, '-c', probe, ...probeArgs]],
    ['podman', () => podmanCommand(work, probeArgs)],
  ];
  return list.filter(([name]) => name.startsWith('hush') || have(name));
}

function crunCommand(work, probeArgs) {
  const bundle = path.join(work, 'crun');
  fs.mkdirSync(path.join(bundle, 'root'), { recursive: true });
  spawnSync('crun', ['spec'], { cwd: bundle });
  const spec = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8'));
  spec.process.terminal = false;
  spec.process.args = [PYTHON, '-c', probe, ...probeArgs];
  spec.root = { path: 'root', readonly: true };
  fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec));
  return privateRoot(path.join(bundle, 'root'), `crun --cgroup-manager=disabled run --bundle ${bundle} hush-probe-${process.pid}`);
}

function podmanCommand(work, probeArgs) {
  // Fresh tmpfs for /tmp, /run and /var/tmp without podman's copy-up of the host's files.
  const root = path.join(work, 'podman-root');
  fs.mkdirSync(root);
  const tmpfs = ['/tmp', '/run', '/var/tmp'].map((dir) => `--tmpfs ${dir}:rw,notmpcopyup`).join(' ');
  return [...privateRoot(root, `podman run --rm --read-only --read-only-tmpfs=false ${tmpfs} --network=none `
    + `--cgroups=disabled --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --rootfs ${root} ${PYTHON} -c`), probe, ...probeArgs];
}

function runUnderTerminal(argv) {
  const r = spawnSync(PYTHON, ['test/fixtures/pty-harness.py', '30', '100', '--', ...argv], { cwd: REPO, encoding: 'utf8' });
  const report = JSON.parse(r.stdout);
  const results = new Map();
  // The terminal echoes an injected character at the start of the next line.
  for (const line of report.output.replace(/\r/g, '').split('\n').map((l) => l.trimStart())) {
    const [name, outcome] = line.split('\t');
    if (outcome !== undefined) results.set(name, outcome);
  }
  const tiocsti = 'TIOCSTI into the calling terminal';
  if (results.get(tiocsti) === '**injected**' && report.queued === '') results.set(tiocsti, 'accepted, nothing queued');
  return { results, output: report.output };
}

const version = (argv) => spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' }).stdout?.split('\n')[0].trim() || '';

async function main() {
  if (process.getuid() !== 0) throw new Error('run as root');
  for (const tool of [PYTHON, 'keyctl', 'unshare']) if (!have(tool)) throw new Error(`needs ${tool}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hush-isolation-'));
  const marker = `hush-isolation-probe-${process.pid}`;
  const key = spawnSync('keyctl', ['add', 'user', marker, 'marker', '@u'], { encoding: 'utf8' }).stdout.trim();
  const listener = net.createServer();
  await new Promise((resolve, reject) => listener.once('error', reject).listen(`\0${marker}`, resolve));
  const columns = [];
  const failed = [];
  try {
    for (const [name, command] of launchers(work, [key, marker])) {
      const { results, output } = runUnderTerminal(command());
      if (results.size) columns.push([name, results]);
      else failed.push(`${name}: ${output.trim().split('\n').slice(-3).join(' / ')}`);
    }
  } finally {
    listener.close();
    spawnSync('keyctl', ['unlink', key, '@u']);
    fs.rmSync(work, { recursive: true, force: true });
  }
  const probes = [...new Set(columns.flatMap(([, r]) => [...r.keys()]))];
  process.stdout.write(`${table(['probe from inside', ...columns.map(([name]) => name)],
    probes.map((p) => [p, ...columns.map(([, r]) => r.get(p) ?? '–')]), ['l', ...columns.map(() => 'l')])}\n\n`);
  const hush = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version;
  const commit = version(['git', '-C', REPO, 'rev-parse', '--short', 'HEAD']);
  process.stdout.write(`${new Date().toISOString().slice(0, 10)}; Linux ${os.release()}; hush ${hush} (${commit}); `
    + `${['crun --version', 'bwrap --version', 'podman --version'].map((c) => version(c.split(' '))).filter(Boolean).join('; ')}\n`);
  for (const name of ['crun', 'bwrap', 'podman']) if (!have(name)) process.stdout.write(`- skipped ${name}: not installed\n`);
  for (const f of failed) process.stdout.write(`- skipped ${f} (no probe output)\n`);
}

main().catch((err) => {
  process.stderr.write(`bench/isolation: ${err.message}\n`);
  process.exit(1);
});
