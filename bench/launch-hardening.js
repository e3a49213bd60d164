#!/usr/bin/env node
'use strict';
// bench/launch-hardening: what the app's confinement adds to a launch (bench/README.md,
// "launch: hardening"). Two parts, both as root, from the built dist/ and addon:
//   1. in the launcher: resolving the default profile, the compiled-filter cache hit, and
//      compiling without the cache (libseccomp, three ABIs);
//   2. clone to exec of /bin/true through the addon, interleaved rounds of four variants:
//      nothing, the seccomp filter, the Landlock scopes, both. The difference of medians is
//      what the child's loading of each costs.
//
//   node bench/launch-hardening.js          BENCH_ITERATIONS (default 200)

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const dist = path.resolve(__dirname, '..', 'dist');
const { native } = require(path.join(dist, 'native'));
const { resolveConfinement } = require(path.join(dist, 'launcher', 'confinement'));
const { compiledSeccomp } = require(path.join(dist, 'launcher', 'seccomp-cache'));

const iterations = Number(process.env.BENCH_ITERATIONS || 200);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(3)} ms`;

function launcherCosts(addon) {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hush-bench-seccomp-'));
  fs.chmodSync(cacheDir, 0o700);
  const dir = path.join(cacheDir, 'seccomp');
  const options = { uid: 0, capAdd: [], capDrop: [], seccomp: 'default', tty: false };
  const resolve = (compile) => resolveConfinement(options, { landlockAbi: addon.landlockAbi(), compile, debug: () => {} });
  const compileTimes = [];
  const hitTimes = [];
  const resolveTimes = [];
  for (let i = 0; i < 20; i++) {
    let t = performance.now();
    resolve(() => new Uint8Array(8));
    resolveTimes.push(performance.now() - t);
    t = performance.now();
    resolve((program) => addon.compileSeccomp(program));
    compileTimes.push(performance.now() - t);
    resolve((program) => compiledSeccomp(program, addon, dir)); // fills the cache
    t = performance.now();
    const program = resolve((p) => compiledSeccomp(p, addon, dir)).seccomp;
    hitTimes.push(performance.now() - t);
    if (i === 0) console.log(`default filter: ${program.length / 8} BPF instructions`);
  }
  fs.rmSync(cacheDir, { recursive: true, force: true });
  console.log(`resolve the default profile (no filter built):   ${ms(median(resolveTimes))}`);
  console.log(`  + compiled-filter cache hit (sha256, read):     ${ms(median(hitTimes) - median(resolveTimes))}`);
  console.log(`  + compile with libseccomp instead (uncached):   ${ms(median(compileTimes) - median(resolveTimes))}`);
  return resolve((p) => addon.compileSeccomp(p)).seccomp;
}

function spawnOnce(addon, spec) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    let spawned;
    try {
      spawned = addon.spawn(spec);
    } catch (err) {
      reject(err);
      return;
    }
    const elapsed = performance.now() - t;
    addon.onExit(spawned.pidfd, (status) => {
      addon.closeFd(spawned.pidfd);
      if (status.code !== 0) reject(new Error(`/bin/true exited ${JSON.stringify(status)}`));
      else resolve(elapsed);
    });
  });
}

async function childCosts(addon, program) {
  const base = {
    argv: ['/bin/true'], env: ['PATH=/usr/bin:/bin'], rootfs: '/', hostRoot: true, hostname: 'bench', workdir: '/',
    secretsDir: '/run/secrets', secretsFd: -1, uid: 0, gid: 0, netNone: false, init: false, tty: false,
    capabilities: [0, 1, 3, 4, 5, 6, 7, 8, 10, 18, 31], ambientCapabilities: [], maskPaths: [], tmpfs: [], volumes: [],
  };
  const scopes = addon.landlockAbi() >= 6 ? 3 : 0;
  const variants = {
    none: { ...base, seccomp: null, landlockScopes: 0 },
    seccomp: { ...base, seccomp: program, landlockScopes: 0 },
    landlock: { ...base, seccomp: null, landlockScopes: scopes },
    both: { ...base, seccomp: program, landlockScopes: scopes },
  };
  const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let i = 0; i < iterations + 5; i++) {
    for (const [name, spec] of Object.entries(variants)) {
      const elapsed = await spawnOnce(addon, spec);
      if (i >= 5) samples[name].push(elapsed);
    }
  }
  const none = median(samples.none);
  console.log(`clone to exec of /bin/true, median of ${iterations} (interleaved):`);
  console.log(`  no seccomp, no Landlock:  ${ms(none)}`);
  for (const name of ['seccomp', 'landlock', 'both']) console.log(`  ${name.padEnd(24)}  ${ms(median(samples[name]))}  (+${ms(median(samples[name]) - none)})`);
  if (!scopes) console.log('  (this kernel has no Landlock scopes: the landlock rows load nothing)');
}

async function main() {
  if (process.getuid() !== 0) throw new Error('run as root (namespaces)');
  const addon = native();
  const program = launcherCosts(addon);
  await childCosts(addon, program);
}

main().catch((err) => {
  console.error(`bench/launch-hardening: ${err.message}`);
  process.exit(1);
});
