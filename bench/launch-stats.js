'use strict';
// bench/launch-stats: the measuring primitives of bench/launch: one timed command, and order
// statistics over the samples.

const { spawnSync } = require('node:child_process');
const path = require('node:path');

const REPO = path.resolve(__dirname, '..');

const intEnv = (name, dflt) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, not '${raw}'`);
  return n;
};


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

function median(xs) {
  return summarize(xs).median;
}

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

module.exports = { REPO, intEnv, quantile, summarize, median, timeCommand };
