#!/usr/bin/env node
// bench/agent: the agent's render throughput and its save-to-file latency (issue 4, Benchmark).
//
//   1. Render throughput: BENCH_SECRETS (10,000) secrets of one encrypted file store (recipient
//      mode: no scrypt in the timings) through the real agent (the parts agent/service.ts wires: file-store source,
//      tmpfs sink, runner) into a real tmpfs, from runner.start() called to all files written.
//      Also start() again with nothing changed (must write nothing) and with one value changed.
//   2. Latency from a store save (setEntry returned) to the new content readable in the tmpfs,
//      over BENCH_EDITS (200) edits, with the agent's real chokidar watch (runner.run(signal)):
//      in this process, and in a separate `node bin/hush agent` process; with the big store and
//      with a small one (BENCH_SMALL, 10 secrets).
//
// Requires the compiled code in dist/ (bench/agent.sh builds it). See bench/README.md, "agent".

'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');
const { performance } = require('node:perf_hooks');

const repo = path.resolve(__dirname, '..');
const dist = path.join(repo, 'dist');
const num = (name, dflt) => (process.env[name] ? Number(process.env[name]) : dflt);
const N_SECRETS = num('BENCH_SECRETS', 10_000);
const N_SMALL = num('BENCH_SMALL', 10);
const RUNS = num('BENCH_RUNS', 7);
const EDITS = num('BENCH_EDITS', 200);
const GAP_MS = num('BENCH_EDIT_GAP_MS', 20);
const ONLY = new Set((process.env.BENCH_ONLY ?? 'throughput,latency-inproc,latency-process').split(','));
const AIM_RATE = 20_000;
const AIM_P99 = 50;

if (!fs.existsSync(path.join(dist, 'agent', 'service.js'))) {
  console.error('bench/agent: building dist/ (npx tsc -p tsconfig.json)');
  execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: repo, stdio: 'inherit' });
}

const lib = (...parts) => require(path.join(dist, 'agent', ...parts));
const { loadPolicies } = lib('config', 'load.js');
const { planFetches } = lib('core', 'plan.js');
const { createRunner } = lib('runner.js');
const { createTmpfsSink } = lib('sink', 'tmpfs-sink.js');
const { createSources } = lib('sources', 'index.js');
const { systemClock } = lib('ports', 'clock.js');
const { systemRandom } = lib('ports', 'random.js');
const { createLogger, Redactor } = lib('log.js');
const { name, key, valueFor, writeFixture, store } = require('./agent-fixture');

const work = path.join(repo, 'bench', '.work', 'agent');
const quiet = createLogger({ level: 'error' });

// ---------------------------------------------------------------- helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => quantile(xs, 0.5);
function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.ceil(i)] - s[lo]) * (i - lo);
}
/** Process CPU time (all threads: main and libuv pool) since `c0`, in ms. */
const cpuMs = (c0) => {
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1000;
};
const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const fmtInt = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');

function table(title, header, rows) {
  const cells = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, c) => Math.max(...cells.map((r) => r[c].length)));
  const line = (r) => '| ' + r.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join(' | ') + ' |';
  console.log(`\n${title}\n`);
  console.log(line(cells[0]));
  console.log('| ' + widths.map((w, c) => (c === 0 ? '-'.repeat(w) : '-'.repeat(w - 1) + ':')).join(' | ') + ' |');
  for (const r of cells.slice(1)) console.log(line(r));
}

// ---------------------------------------------------------------- the tmpfs

let mounted;
function makeTmpfs() {
  const dir = path.join(work, 'tmpfs');
  fs.mkdirSync(dir, { recursive: true });
  if (process.getuid?.() === 0 && process.env.BENCH_TMPFS !== 'shm') {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512m,mode=0700', 'hush-bench', dir]);
    mounted = dir;
    return dir;
  }
  const shm = fs.mkdtempSync('/dev/shm/hush-bench-agent-');
  mounted = undefined;
  return shm;
}
function dropTmpfs(dir) {
  if (mounted) {
    try {
      execFileSync('umount', [mounted]);
    } catch (err) {
      console.error(`bench/agent: umount ${mounted} failed: ${err.message}`);
    }
    mounted = undefined;
  } else if (dir) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- the store and the policy

async function makeFixture(label, count) {
  const dir = path.join(work, label);
  const { identityFile, creds, storePath, policyFile, fillMs } = await writeFixture(dir, count, label);
  const t1 = performance.now();
  const loaded = await loadPolicies([policyFile], dir);
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const policies = loaded.policies;
  const policyMs = performance.now() - t1;
  return { label, count, dir, storePath, identityFile, creds, policyFile, policies, fillMs, policyMs, bytes: fs.statSync(storePath).size };
}

const env = (fx) => ({ PATH: process.env.PATH, HUSH_STORE_IDENTITY: fx.identityFile });
/** The agent's parts as agent/service.ts wires them, with the runner in reach for timing. */
async function agentFor(fx, outDir) {
  const redactor = new Redactor();
  const agentEnv = env(fx);
  const deps = { logger: quiet, redactor, clock: systemClock, random: systemRandom, env: agentEnv, storeCredentials: () => store.credentialsFromEnv(agentEnv) };
  const sources = await createSources(planFetches(fx.policies), deps);
  const sink = createTmpfsSink({ root: outDir, logger: quiet });
  const runner = createRunner({ policies: fx.policies, sources, sink, clock: systemClock, random: systemRandom, logger: quiet, redactor, onChange: async () => {} });
  return { runner, sink, close: () => Promise.all([...sources.values()].map((source) => source.close())) };
}

function freshDir(root, label) {
  const d = path.join(root, label);
  fs.rmSync(d, { recursive: true, force: true });
  fs.mkdirSync(d, { mode: 0o700 });
  return d;
}

// ---------------------------------------------------------------- 1. throughput

async function throughput(fx, tmpfs) {
  const runs = [];
  const cpu = { runs: [], same: [], one: [] };
  let last;
  for (let r = 0; r < RUNS; r++) {
    const out = freshDir(tmpfs, `tp-${r}`);
    const agent = await agentFor(fx, out);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const started = await agent.runner.start();
    const ms = performance.now() - t0;
    cpu.runs.push(cpuMs(c0));
    if (!started.ok) throw new Error(`start failed: ${started.errors.slice(0, 3).join('; ')}`);
    const files = fs.readdirSync(out).length;
    if (files !== fx.count) throw new Error(`expected ${fx.count} files in ${out}, found ${files}`);
    runs.push(ms);
    if (last) {
      await last.agent.close();
      fs.rmSync(last.out, { recursive: true, force: true });
    }
    last = { agent, out };
  }
  // rotateNow() + start() again on the last agent: fetch, render and compare everything; nothing
  // to write.
  const { agent, out } = last;
  const sample = fs.statSync(path.join(out, name(0)));
  const same = [];
  for (let r = 0; r < RUNS; r++) {
    const before = agent.runner.status().counters.files_written;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    agent.runner.rotateNow(); // every key due: start() fetches them all again
    const res = await agent.runner.start();
    same.push(performance.now() - t0);
    cpu.same.push(cpuMs(c0));
    const wrote = agent.runner.status().counters.files_written - before;
    if (!res.ok || wrote !== 0) throw new Error(`unchanged re-render wrote ${wrote} files`);
  }
  const after = fs.statSync(path.join(out, name(0)));
  if (after.ino !== sample.ino || after.mtimeMs !== sample.mtimeMs) throw new Error('unchanged re-render replaced a file');
  // One value changed in the store (the save is not timed), then start() again: one file written.
  const one = [];
  for (let r = 0; r < RUNS; r++) {
    const i = (r * 7919) % fx.count;
    const value = valueFor(i, `one-${r}`);
    await store.setEntry(fx.storePath, fx.creds, key(i), value);
    const before = agent.runner.status().counters.files_written;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    agent.runner.rotateNow();
    await agent.runner.start();
    one.push(performance.now() - t0);
    cpu.one.push(cpuMs(c0));
    const wrote = agent.runner.status().counters.files_written - before;
    if (wrote !== 1 || !fs.readFileSync(path.join(out, name(i))).equals(value)) throw new Error(`one-value re-render wrote ${wrote} files`);
  }
  await agent.close();
  fs.rmSync(out, { recursive: true, force: true });
  return { runs, same, one, cpu };
}

// ---------------------------------------------------------------- 2. latency

/** Resolves when `file` in `dir` holds `want`: fs.watch on the directory, plus a 2 ms poll. */
function waitFor(dir, file, want, timeoutMs = 10_000) {
  const full = path.join(dir, file);
  return new Promise((resolve, reject) => {
    let done = false;
    const check = () => {
      if (done) return;
      let got;
      try {
        got = fs.readFileSync(full);
      } catch {
        return;
      }
      if (got.equals(want)) finish(null);
    };
    const watcher = fs.watch(dir, (_event, changed) => {
      if (changed === file) check();
    });
    const poll = setInterval(check, 2);
    const timer = setTimeout(() => finish(new Error(`${file}: new content not seen within ${timeoutMs} ms`)), timeoutMs);
    function finish(err) {
      if (done) return;
      done = true;
      const t = performance.now();
      watcher.close();
      clearInterval(poll);
      clearTimeout(timer);
      err ? reject(err) : resolve(t);
    }
    check();
  });
}

/** EDITS edits, one at a time: setEntry, then wait for the file. Returns latencies and save times. */
async function edits(fx, out, tag) {
  const latency = [];
  const save = [];
  const total = [];
  for (let e = 0; e < EDITS; e++) {
    const i = (e * 104729) % fx.count;
    const value = valueFor(i, `${tag}-${e}`);
    const t0 = performance.now();
    await store.setEntry(fx.storePath, fx.creds, key(i), value);
    const saved = performance.now();
    const seen = await waitFor(out, name(i), value);
    save.push(saved - t0);
    latency.push(seen - saved);
    total.push(seen - t0);
    await sleep(GAP_MS + Math.random() * GAP_MS);
  }
  return { latency, save, total };
}

async function latencyInProcess(fx, tmpfs) {
  const out = freshDir(tmpfs, `lat-in-${fx.label}`);
  const agent = await agentFor(fx, out);
  const started = await agent.runner.start();
  if (!started.ok) throw new Error(started.errors[0]);
  const stop = new AbortController();
  const running = agent.runner.run(stop.signal);
  await sleep(300); // chokidar's watch is ready
  try {
    return await edits(fx, out, 'in');
  } finally {
    stop.abort();
    await running;
    await agent.close();
    fs.rmSync(out, { recursive: true, force: true });
  }
}

async function latencyProcess(fx, tmpfs) {
  const out = freshDir(tmpfs, `lat-proc-${fx.label}`);
  const args = [...(process.env.BENCH_AGENT_PROF ? ['--cpu-prof', '--cpu-prof-dir', path.join(work, 'prof')] : []),
    path.join(repo, 'bin', 'hush'), 'agent', '--policy', fx.policyFile, '--out', out, '--listen', 'none'];
  const child = spawn(process.execPath, args, { env: { ...env(fx), HUSH_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  try {
    const t0 = performance.now();
    // Ready: every file rendered (hush agent starts its watch after the first render).
    while (fs.readdirSync(out).length < fx.count) {
      if (child.exitCode !== null) throw new Error(`hush agent exited early (${child.exitCode})`);
      if (performance.now() - t0 > 60_000) throw new Error('hush agent did not render within 60 s');
      await sleep(20);
    }
    const readyMs = performance.now() - t0;
    await sleep(500);
    const result = await edits(fx, out, 'proc');
    return { ...result, readyMs };
  } finally {
    child.kill('SIGTERM');
    const status = await exited;
    if (status.code !== 0) console.error(`bench/agent: hush agent exited with ${JSON.stringify(status)}`);
    fs.rmSync(out, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- main

async function main() {
  fs.mkdirSync(work, { recursive: true });
  const tmpfs = makeTmpfs();
  const cleanup = () => dropTmpfs(tmpfs);
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => { cleanup(); process.exit(130); });
  try {
    console.log(`bench/agent: node ${process.version}, ${require('node:os').cpus().length} CPUs, ` +
      `output on ${mounted ? `a tmpfs mounted at ${tmpfs}` : tmpfs}, runs ${RUNS}, edits ${EDITS} (gap ${GAP_MS}-${2 * GAP_MS} ms)`);
    const big = await makeFixture('big', N_SECRETS);
    const small = await makeFixture('small', N_SMALL);
    console.log(`fixture: ${N_SECRETS} entries, store ${fmtInt(big.bytes)} bytes (filled in one save: ${fmt(big.fillMs)} ms), ` +
      `policy with ${N_SECRETS} secrets loaded in ${fmt(big.policyMs)} ms; small: ${N_SMALL} entries`);
    const results = {};

    if (ONLY.has('throughput')) {
      const t = await throughput(big, tmpfs);
      results.throughput = t;
      const rate = (ms) => (N_SECRETS / ms) * 1000;
      table(`Render throughput: ${N_SECRETS} secrets, start() called → all files written (median of ${RUNS} runs, one process)`,
        ['case', 'median ms', 'min ms', 'max ms', 'secrets/s (median)', 'aim', 'CPU ms (median)', 'secrets per CPU-s', 'files written'], [
          ['first render (cold: run 1 of the process)', fmt(t.runs[0]), '', '', fmtInt(rate(t.runs[0])), '', fmt(t.cpu.runs[0]), fmtInt(rate(t.cpu.runs[0])), N_SECRETS],
          ['first render, into an empty dir', fmt(median(t.runs)), fmt(Math.min(...t.runs)), fmt(Math.max(...t.runs)), fmtInt(rate(median(t.runs))),
            `> ${fmtInt(AIM_RATE)}/s ${rate(median(t.runs)) > AIM_RATE ? 'met' : 'MISSED'}`, fmt(median(t.cpu.runs)), fmtInt(rate(median(t.cpu.runs))), N_SECRETS],
          ['again, nothing changed', fmt(median(t.same)), fmt(Math.min(...t.same)), fmt(Math.max(...t.same)), fmtInt(rate(median(t.same))), '',
            fmt(median(t.cpu.same)), fmtInt(rate(median(t.cpu.same))), 0],
          ['again, one value changed', fmt(median(t.one)), fmt(Math.min(...t.one)), fmt(Math.max(...t.one)), fmtInt(rate(median(t.one))), '',
            fmt(median(t.cpu.one)), fmtInt(rate(median(t.cpu.one))), 1],
        ]);
    }

    const rows = [];
    const row = (label, r) => {
      rows.push([label, fmt(median(r.latency)), fmt(quantile(r.latency, 0.9)), fmt(quantile(r.latency, 0.99)), fmt(Math.max(...r.latency)),
        `< ${AIM_P99} ms ${quantile(r.latency, 0.99) < AIM_P99 ? 'met' : 'MISSED'}`, fmt(median(r.save)),
        fmt(median(r.total)), fmt(quantile(r.total, 0.99))]);
    };
    for (const fx of [big, small]) {
      if (ONLY.has('latency-inproc')) row(`${fx.count} secrets, agent in the bench process`, (results[`in-${fx.label}`] = await latencyInProcess(fx, tmpfs)));
      if (ONLY.has('latency-process')) row(`${fx.count} secrets, \`hush agent\` process`, (results[`proc-${fx.label}`] = await latencyProcess(fx, tmpfs)));
    }
    if (rows.length > 0) {
      table(`Latency: setEntry returned → new content readable in the tmpfs (${EDITS} edits each; ms)`,
        ['agent', 'median', 'p90', 'p99', 'max', 'aim (p99)', 'setEntry median', 'from setEntry called: median', 'p99'], rows);
    }
    fs.writeFileSync(path.join(work, 'last.json'), JSON.stringify(results, null, 1));
  } finally {
    cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
