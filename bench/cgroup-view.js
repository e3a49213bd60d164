#!/usr/bin/env node
'use strict';
// bench/cgroup-view: what showing the container its own cgroups at /sys/fs/cgroup costs
// (native/src/cgroup-view.c) against masking it, clone to exec of /bin/true through the addon,
// interleaved rounds; both variants join the same container cgroup (made once, removed at the
// end). As root, after `npm run build` (docs/limits.md, "Cost").
//
//   node bench/cgroup-view.js          BENCH_ITERATIONS (default 200)

const path = require('node:path');
const { performance } = require('node:perf_hooks');

const dist = path.resolve(__dirname, '..', 'dist');
const { native } = require(path.join(dist, 'native'));
const { createContainerCgroup } = require(path.join(dist, 'launcher', 'cgroups', 'container-cgroup'));
const { parseLimits } = require(path.join(dist, 'launcher', 'cgroups', 'limits'));

const iterations = Number(process.env.BENCH_ITERATIONS || 200);
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * q)];

function spawnOnce(addon, spec) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const spawned = addon.spawn(spec);
    const elapsed = performance.now() - t;
    addon.onExit(spawned.pidfd, (status) => {
      addon.closeFd(spawned.pidfd);
      if (status.code !== 0) reject(new Error(`/bin/true exited ${JSON.stringify(status)}`));
      else resolve(elapsed);
    });
  });
}

async function main() {
  if (process.getuid() !== 0) throw new Error('run as root (namespaces, cgroups)');
  const addon = native();
  const cgroup = createContainerCgroup({ limits: parseLimits({}), id: 'bench', debug: () => {} });
  try {
    const base = {
      argv: ['/bin/true'], env: ['PATH=/usr/bin:/bin'], rootfs: '/', hostRoot: true, hostname: 'bench', workdir: '/',
      secretsDir: '/run/secrets', secretsFd: -1, uid: 0, gid: 0, netNone: false, init: false, tty: false,
      capabilities: [0, 1, 3, 4, 5, 6, 7, 8, 10, 18, 31], ambientCapabilities: [], maskPaths: [], tmpfs: [], volumes: [],
      seccomp: null, landlockScopes: 0, cgroupFd: cgroup.cgroupFd, cgroupJoinFds: [...cgroup.cgroupJoinFds],
    };
    const variants = { masked: { ...base, cgroupView: [] }, view: { ...base, cgroupView: [...cgroup.view] } };
    const samples = { masked: [], view: [] };
    for (let i = 0; i < iterations + 5; i++) {
      for (const [name, spec] of Object.entries(variants)) {
        const elapsed = await spawnOnce(addon, spec);
        if (i >= 5) samples[name].push(elapsed);
      }
    }
    console.log(`the view: ${cgroup.view.map((m) => m.dir || '/').join(' ')} (${cgroup.view.length} cgroup mounts${cgroup.view[0]?.dir ? ' on a tmpfs' : ''})`);
    console.log(`clone to exec of /bin/true, ${iterations} interleaved rounds: median (lower quartile)`);
    const masked = [0.5, 0.25].map((q) => quantile(samples.masked, q));
    const view = [0.5, 0.25].map((q) => quantile(samples.view, q));
    const row = (xs) => `${xs[0].toFixed(3)} ms (${xs[1].toFixed(3)} ms)`;
    console.log(`  /sys/fs/cgroup masked:  ${row(masked)}`);
    console.log(`  its own cgroups shown:  ${row(view)}  difference ${row(view.map((v, i) => v - masked[i]))}`);
  } finally {
    cgroup.remove();
  }
}

main().catch((err) => {
  console.error(`bench/cgroup-view: ${err.message}`);
  process.exit(1);
});
