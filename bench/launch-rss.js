'use strict';
// bench/launch-rss: the memory a `hush run` costs per container. The hush process's VmRSS once
// it has settled (the app running, the first render done) and its peak (VmHWM), beside an idle
// `node -e` and a `hush run` without policies. The demo run uses the bundled store and policy
// the way `hush demo` does (policies/demo.yaml, passphrase hush-demo). hush is started as users
// start it, through bin/hush's first line (which gives node its heap flags).

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { REPO, intEnv, median } = require('./launch-stats');
const { NODE } = require('./launch-bundles');

const HUSH = path.join(REPO, 'bin', 'hush');
const SETTLE_MS = intEnv('BENCH_RSS_SETTLE_MS', 3000);
const RUNS = intEnv('BENCH_RSS_RUNS', 3);

const variants = [
  { name: 'node -e (idle timer)', argv: [NODE, '-e', 'setTimeout(() => {}, 1e9)'] },
  { name: 'hush run -- sleep', argv: [HUSH, 'run', '--', '/bin/sleep', '1000'] },
  {
    name: 'hush run --policy policies/demo.yaml -- sleep',
    argv: [HUSH, 'run', '--policy', path.join(REPO, 'policies', 'demo.yaml'), '--', '/bin/sleep', '1000'],
    env: { HUSH_STORE_PASSPHRASE: 'hush-demo' },
  },
];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function memoryOf(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

async function once(variant) {
  const child = spawn(variant.argv[0], variant.argv.slice(1), {
    cwd: REPO,
    env: { PATH: process.env.PATH, LANG: 'C.UTF-8', ...variant.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await sleep(SETTLE_MS);
  if (child.exitCode !== null) throw new Error(`${variant.name} exited early: ${stderr.trim()}`);
  const memory = memoryOf(child.pid);
  child.kill('SIGTERM');
  await exited;
  return memory;
}

async function measureRss() {
  const rows = [];
  for (const variant of variants) {
    const samples = [];
    for (let i = 0; i < RUNS; i++) samples.push(await once(variant));
    rows.push({ name: variant.name, rss: median(samples.map((s) => s.rss)), peak: median(samples.map((s) => s.peak)) });
  }
  return rows;
}

function rssReport(rows) {
  const { table, f1 } = require('./launch-report');
  const base = rows[0].rss;
  return [
    `## memory: the launcher process after ${SETTLE_MS / 1000} s (VmRSS) and its peak (VmHWM), MiB, median of ${RUNS}`,
    '',
    table(
      ['process', 'settled RSS', 'peak RSS', 'settled − node'],
      rows.map((r, i) => [r.name, f1(r.rss), f1(r.peak), i === 0 ? '' : f1(r.rss - base)]),
      ['l', 'r', 'r', 'r'],
    ),
    '',
    '- the container (hush-init and the app) is not counted: hush-init is a small static program (about 1 MiB).',
  ];
}

module.exports = { measureRss, rssReport };
