'use strict';
// bench/launch-report: the tables bench/launch prints: wall times, hush's own split, the aims,
// and memory.

const os = require('node:os');
const path = require('node:path');
const { REPO, summarize, median } = require('./launch-stats');
const { MINIROOT } = require('./launch-bundles');

function table(header, rows, align) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const fmt = (cells) =>
    '| ' +
    cells.map((c, i) => (align[i] === 'l' ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' | ') +
    ' |';
  const sep = '|' + widths.map((w, i) => (align[i] === 'l' ? ':' + '-'.repeat(w + 1) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [fmt(header), sep, ...rows.map(fmt)].join('\n');
}

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');

function parseTiming(stderr) {
  const m = stderr.match(/hush: timing: startup_ms=([\d.]+) setup_ms=([\d.]+) clone_to_exec_ms=([\d.]+)/);
  return m ? { startup: Number(m[1]), setup: Number(m[2]), clone: Number(m[3]) } : undefined;
}


function report({ all, results, rootMode, iterations, warmup, elapsed, skipped, loadBefore }) {
  // ---- the table
  const stats = new Map(all.map((l) => [l.key, summarize(results.get(l.key).ms)]));
  const nodeMed = stats.get('node')?.median;
  const hushMed = stats.get('hush')?.median;
  const rows = all.map((l) => {
    const s = stats.get(l.key);
    return [
      l.name,
      f1(s.median),
      f1(s.p10),
      f1(s.p90),
      f1(s.min),
      f1(s.max),
      f1(s.p75 - s.p25),
      f2(s.median / (l.unset ? stats.get('node-clean')?.median : nodeMed)),
      f2(s.median / (l.unset ? stats.get('hush-clean')?.median : hushMed)),
      `${s.n}${results.get(l.key).failures ? ` (${results.get(l.key).failures} failed)` : ''}`,
    ];
  });
  const out = [];
  out.push(`## launch: wall time of /bin/true, ms (${iterations} interleaved rounds, ${warmup} warm-up; root=${rootMode}; ${elapsed.toFixed(0)} s)`);
  out.push('');
  out.push(
    table(
      ['launcher', 'median', 'p10', 'p90', 'min', 'max', 'IQR', '× node -e 0', '× hush run', 'n'],
      rows,
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  out.push('');
  out.push('Notes:');
  for (const l of all) out.push(`- ${l.name}: ${l.note}`);
  out.push(
    `- root: ${
      rootMode === 'host'
        ? "every launcher gets the host's / read-only (crun/runc: the host's / rbind-mounted at bench/.work/hostroot in the helper's private mount namespace)"
        : `every launcher gets ${path.relative(REPO, MINIROOT)} (/bin/true and its libraries)`
    }`,
  );
  if (all.some((l) => l.unset)) out.push('- ratios of the [clean env] rows are against the [clean env] node and hush rows.');
  const loadAfter = os.loadavg();
  out.push(
    `- machine: ${os.cpus().length} CPUs, load average (1 min) ${loadBefore[0].toFixed(2)} before, ` +
      `${loadAfter[0].toFixed(2)} after; other work on the machine widens the spread, the interleaving keeps the ratios fair.`,
  );
  out.push('- crun/runc are timed by a helper in a private mount namespace without /sys/fs/cgroup/unified, with the same spawnSync clock.');
  for (const s of skipped) out.push(`- skipped: ${s}`);

  // ---- hush's own split
  out.push('');
  out.push("## hush's own timing (HUSH_TIMING=1, ms; median [p10–p90])");
  out.push('');
  const tRows = [];
  for (const l of all.filter((x) => x.hush)) {
    const t = results.get(l.key).timing;
    if (t.length === 0) continue;
    const part = (get) => {
      const s = summarize(t.map(get));
      return `${f2(s.median)} [${f2(s.p10)}–${f2(s.p90)}]`;
    };
    const wall = stats.get(l.key).median;
    const before = median(t.map((x) => x.startup + x.setup));
    tRows.push([
      l.name,
      part((x) => x.startup),
      part((x) => x.setup),
      part((x) => x.clone),
      part((x) => x.setup - x.clone),
      f2(wall - before),
    ]);
  }
  out.push(
    table(
      ['launcher', 'startup_ms (boot + modules)', 'setup_ms (main → exec)', 'clone_to_exec_ms', 'setup − clone (JS side)', 'rest of wall (exec of node, app, exit)'],
      tRows,
      ['l', 'r', 'r', 'r', 'r', 'r'],
    ),
  );

  // ---- aims
  out.push('');
  out.push('## aims (issue 2)');
  out.push('');
  const setupOf = (key) => {
    const t = results.get(key)?.timing ?? [];
    return t.length ? median(t.map((x) => x.setup)) : NaN;
  };
  const verdict = (ok) => (ok ? 'met' : 'MISSED');
  const ratioOf = (h, n) => (stats.get(h)?.median ?? NaN) / (stats.get(n)?.median ?? NaN);
  for (const [h, n, label] of [
    ['hush', 'node', ''],
    ['hush-clean', 'node-clean', ' [clean env]'],
  ]) {
    if (!results.has(h)) continue;
    const setupMed = setupOf(h);
    const setupMin = Math.min(...(results.get(h)?.timing ?? []).map((x) => x.setup));
    const ratio = ratioOf(h, n);
    const ratioMin = (stats.get(h)?.min ?? NaN) / (stats.get(n)?.min ?? NaN);
    out.push(
      `- container setup inside hush${label} (setup_ms, median) < 5 ms: ${f2(setupMed)} ms → ${verdict(setupMed < 5)}` +
        ` (fastest run: ${f2(setupMin)} ms)`,
    );
    out.push(
      `- hush run${label} ≤ 1.3 × node -e 0${label}: ${f2(ratio)}× → ${verdict(ratio <= 1.3)}` +
        ` (ratio of the fastest runs, less sensitive to other load: ${f2(ratioMin)}×)`,
    );
  }
  return out;
}

module.exports = { table, f1, f2, parseTiming, report };
