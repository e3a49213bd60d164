#!/usr/bin/env node
// bench/agent-memory: peak RSS of a real `hush agent --once` process rendering BENCH_SECRETS
// (10,000) file-store secrets into a tmpfs (issue 8, Memory: aim ≤ 128 MiB peak). The peak is
// the kernel's own high-water mark (VmHWM in /proc/PID/status), read every few ms while the
// process runs, so a short spike between two reads is still counted. Each run is a fresh
// process and an empty output directory; BENCH_RUNS (3) runs, median and max reported.
// Also reported: bare `node -e 0`; the same agent with BENCH_NODE_FLAGS added to node's
// command line (e.g. BENCH_NODE_FLAGS=--max-semi-space-size=1), when given; and a long-running
// `hush agent` (no --once): its peak, and its RSS (VmRSS) BENCH_SETTLE_MS (10,000) after every
// file was rendered.
//
// Requires the compiled code in dist/ (bench/agent.sh builds it). See bench/README.md, "agent".

'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');

const repo = path.resolve(__dirname, '..');
const num = (name, dflt) => (process.env[name] ? Number(process.env[name]) : dflt);
const N_SECRETS = num('BENCH_SECRETS', 10_000);
const RUNS = num('BENCH_RUNS', 3);
const SETTLE_MS = num('BENCH_SETTLE_MS', 10_000);
const AIM_MIB = 128;

const { writeFixture } = require('./agent-fixture');
const work = path.join(repo, 'bench', '.work', 'agent-memory');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const mib = (kib) => (kib / 1024).toFixed(1);

async function makeFixture() {
  const { identityFile, policyFile } = await writeFixture(work, N_SECRETS, 'memory');
  return { identityFile, policyFile };
}

function makeTmpfs() {
  const dir = path.join(work, 'tmpfs');
  fs.mkdirSync(dir, { recursive: true });
  if (process.getuid?.() === 0 && process.env.BENCH_TMPFS !== 'shm') {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512m,mode=0700', 'hush-bench-memory', dir]);
    return { dir, drop: () => execFileSync('umount', [dir]) };
  }
  const shm = fs.mkdtempSync('/dev/shm/hush-bench-memory-');
  return { dir: shm, drop: () => fs.rmSync(shm, { recursive: true, force: true }) };
}

/** Runs argv, polling VmHWM; resolves with the peak (KiB) and the exit code. */
function peakOf(argv, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let peak = 0;
    const read = () => {
      try {
        const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]));
      } catch {
        // Gone between two reads: the last value read stands.
      }
    };
    const timer = setInterval(read, 2);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      if (code !== 0) reject(new Error(`${argv.join(' ')} exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
      else resolve(peak);
    });
  });
}

async function agentPeaks(fx, tmpfs, nodeFlags) {
  const peaks = [];
  for (let r = 0; r < RUNS; r++) {
    const out = path.join(tmpfs.dir, `run-${r}`);
    fs.rmSync(out, { recursive: true, force: true });
    fs.mkdirSync(out, { mode: 0o700 });
    const argv = [process.execPath, ...nodeFlags, path.join(repo, 'bin', 'hush'), 'agent', '--once', '--policy', fx.policyFile, '--out', out, '--listen', 'none'];
    peaks.push(await peakOf(argv, { PATH: process.env.PATH, HUSH_STORE_IDENTITY: fx.identityFile, HUSH_LOG_LEVEL: 'warn' }));
    const files = fs.readdirSync(out).length;
    if (files !== N_SECRETS) throw new Error(`expected ${N_SECRETS} files in ${out}, found ${files}`);
    fs.rmSync(out, { recursive: true, force: true });
  }
  return peaks;
}

const statusField = (pid, field) => {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
};

/** A long-running `hush agent`: RSS once it has settled after the first render, and its peak. */
async function settled(fx, tmpfs) {
  const out = path.join(tmpfs.dir, 'settled');
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { mode: 0o700 });
  const argv = [path.join(repo, 'bin', 'hush'), 'agent', '--policy', fx.policyFile, '--out', out, '--listen', 'none'];
  const child = spawn(process.execPath, argv, { env: { PATH: process.env.PATH, HUSH_STORE_IDENTITY: fx.identityFile, HUSH_LOG_LEVEL: 'warn' }, stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    const t0 = Date.now();
    while (fs.readdirSync(out).length < N_SECRETS) {
      if (child.exitCode !== null) throw new Error(`hush agent exited early (${child.exitCode})`);
      if (Date.now() - t0 > 120_000) throw new Error('hush agent did not render within 120 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    return { rss: statusField(child.pid, 'VmRSS'), peak: statusField(child.pid, 'VmHWM') };
  } finally {
    child.kill('SIGTERM');
    await exited;
    fs.rmSync(out, { recursive: true, force: true });
  }
}

async function main() {
  const fx = await makeFixture();
  const tmpfs = makeTmpfs();
  try {
    const rows = [['bare node (node -e 0)', [await peakOf([process.execPath, '-e', '0'], {})]]];
    rows.push([`hush agent --once, ${N_SECRETS} secrets`, await agentPeaks(fx, tmpfs, [])]);
    const extra = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
    if (extra.length > 0) rows.push([`the same, node ${extra.join(' ')}`, await agentPeaks(fx, tmpfs, extra)]);
    const longRunning = await settled(fx, tmpfs);
    console.log(`\nPeak RSS (VmHWM), ${RUNS} runs each\n`);
    console.log('| process | median MiB | max MiB | aim |');
    console.log('| --- | ---: | ---: | --- |');
    for (const [label, peaks] of rows) {
      const aim = label.startsWith('bare') ? '' : Math.max(...peaks) <= AIM_MIB * 1024 ? `≤ ${AIM_MIB} MiB met` : `≤ ${AIM_MIB} MiB MISSED`;
      console.log(`| ${label} | ${mib(median(peaks))} | ${mib(Math.max(...peaks))} | ${aim} |`);
    }
    console.log(`\nLong-running \`hush agent\`, ${N_SECRETS} secrets: peak ${mib(longRunning.peak)} MiB, RSS ${mib(longRunning.rss)} MiB ${SETTLE_MS / 1000} s after the first render`);
  } finally {
    tmpfs.drop();
  }
}

main().catch((err) => {
  console.error(`bench/agent-memory: ${err.stack ?? err}`);
  process.exitCode = 1;
});
