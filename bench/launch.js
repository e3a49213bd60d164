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
// The pieces: launch-stats.js (timing and order statistics), launch-bundles.js (crun/runc's
// helper namespace, tools, rootfs, bundles), launch-report.js (the tables),
// launch-breakdown.js (module-by-module start-up), launch-rss.js (memory), launch-launchers.js
// (what is compared).

const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');
const { REPO, intEnv, summarize, timeCommand } = require('./launch-stats');
const { WORK, HOSTROOT, MINIROOT, log, startInner, have, ensureTools, buildMinimalRootfs, makeBundle, checkHostUntouched } = require('./launch-bundles');
const { parseTiming, report } = require('./launch-report');
const { breakdown, HOOK } = require('./launch-breakdown');
const { measureRss, rssReport } = require('./launch-rss');
const { launchers } = require('./launch-launchers');

// Variables that slow down every Node start; rows marked [clean env] run without them.
const CLEAN_UNSET = ['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS'];

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

  let all = launchers(rootMode, CLEAN_UNSET);
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

  const out = report({ all, results, rootMode, iterations, warmup, elapsed, skipped, loadBefore });
  const rss = await measureRss();
  out.push('', ...rssReport(rss));
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
      process.stdout.write(breakdown(rootMode, runs, CLEAN_UNSET) + '\n');
    } catch (err) {
      process.stdout.write(`breakdown failed: ${err.message}\n`);
    }
  }
  checkHostUntouched();
}

main().catch((err) => {
  log(err.message);
  process.exit(1);
});
