// bench/images.js: the measurements of bench/images.sh (which prepares BENCH_WORK and
// BENCH_REGISTRY). Prints one table: median wall time of each way to start /bin/true, and of
// each way to pull + unpack the 100 MiB image.

const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const work = process.env.BENCH_WORK;
const registry = process.env.BENCH_REGISTRY;
const runs = Number(process.env.BENCH_RUNS || 20);
const pulls = Number(process.env.BENCH_PULLS || 2);
const hush = path.join(__dirname, '..', 'bin', 'hush');
const store = path.join(work, 'hush-store');
const env = { PATH: process.env.PATH, HUSH_IMAGE_STORE: store };

function time(cmd, args, options = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(cmd, args, { env: options.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${result.status}: ${result.stderr}`);
  return ms;
}

function median(list) {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function measure(n, before, cmd, args, options) {
  const times = [];
  for (let i = 0; i < n; i++) {
    before?.();
    times.push(time(cmd, args, options));
  }
  return median(times);
}

const small = `${registry}/bench/small:v1`;
const big = `${registry}/bench/big:v1`;
execFileSync(hush, ['pull', small], { env, stdio: 'ignore' });
execFileSync('podman', ['pull', '-q', '--tls-verify=false', small], { stdio: 'ignore' });

const rows = [];
rows.push(['start: hush run --image (cached)', measure(runs, null, hush, ['run', '--pull', 'never', '--image', small, '--', '/bin/true'], { env })]);
rows.push(['start: hush run --rootfs (same tree)', measure(runs, null, hush, ['run', '--rootfs', path.join(work, 'small-bundle', 'rootfs'), '--', '/bin/true'], { env })]);
rows.push(['start: podman run --rm', measure(Math.min(runs, 10), null, 'podman', ['run', '--rm', '--network', 'host', '--cgroups=disabled', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096', small, '/bin/true'])]);

const freshHushStore = () => fs.rmSync(store, { recursive: true, force: true });
rows.push(['pull 100 MiB: hush pull', measure(pulls, freshHushStore, hush, ['pull', big], { env })]);
rows.push(['pull 100 MiB: podman pull', measure(pulls, () => spawnSync('podman', ['rmi', '-f', big], { stdio: 'ignore' }), 'podman', ['pull', '-q', '--tls-verify=false', big])]);
const layout = path.join(work, 'skopeo-layout');
const bundle = path.join(work, 'umoci-bundle');
const freshUmoci = () => {
  fs.rmSync(layout, { recursive: true, force: true });
  fs.rmSync(bundle, { recursive: true, force: true });
};
rows.push(['pull 100 MiB: skopeo copy + umoci unpack', measure(pulls, freshUmoci, 'sh', ['-c', `skopeo copy -q --src-tls-verify=false docker://${big} oci:${layout}:v1 && umoci unpack --image ${layout}:v1 ${bundle} >/dev/null`])]);

const width = Math.max(...rows.map(([name]) => name.length));
console.log(`${'what'.padEnd(width)}  median ms   (start: ${runs} runs, pull: ${pulls} runs)`);
for (const [name, ms] of rows) console.log(`${name.padEnd(width)}  ${ms.toFixed(1).padStart(9)}`);
