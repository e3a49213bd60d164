'use strict';
// bench/launch-breakdown: where hush's start-up time goes, module by module and phase by
// phase, from runs with bench/launch-require-hook.js preloaded.

const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { summarize, median, timeCommand } = require('./launch-stats');
const { WORK, MINIROOT, NODE, TRUE } = require('./launch-bundles');
const { table, f1, f2, parseTiming } = require('./launch-report');

const HOOK = path.join(__dirname, 'launch-require-hook.js');

function breakdown(rootMode, runs, cleanUnset) {
  const hushArgs = rootMode === 'minimal' ? ['--rootfs', MINIROOT] : [];
  const out = path.join(WORK, 'require-profile.json');
  const clean = cleanUnset.filter((k) => process.env[k] !== undefined);
  const profiled = (argv, mode, unset) => {
    fs.rmSync(out, { force: true });
    const spawnedAt = performance.timeOrigin + performance.now();
    const r = timeCommand(argv, { env: { HUSH_TIMING: '1', BENCH_HOOK_OUT: out, BENCH_HOOK_MODE: mode }, unset });
    const endedAt = performance.timeOrigin + performance.now();
    if (r.status !== 0 || !fs.existsSync(out)) throw new Error(`profiled run failed: ${r.stderr.trim()}`);
    const p = JSON.parse(fs.readFileSync(out, 'utf8'));
    p.wall = r.ms;
    // Epoch-based, so good to a fraction of a millisecond only.
    p.beforeOrigin = p.timeOrigin - spawnedAt;
    p.afterExit = endedAt - (p.timeOrigin + p.exitAt);
    p.timing = parseTiming(r.stderr);
    return p;
  };
  const nodeArgv = [NODE, '-r', HOOK, '-e', '0'];
  const hushArgv = [NODE, '-r', HOOK, 'bin/hush', 'run', ...hushArgs, '--', TRUE];
  const base = [];
  const light = [];
  const baseClean = [];
  const lightClean = [];
  const full = [];
  for (let i = 0; i < runs; i++) {
    base.push(profiled(nodeArgv, 'light'));
    light.push(profiled(hushArgv, 'light'));
    if (clean.length) {
      baseClean.push(profiled(nodeArgv, 'light', clean));
      lightClean.push(profiled(hushArgv, 'light', clean));
    }
    full.push(profiled(hushArgv, 'full', clean));
  }

  const med = (samples, get) => median(samples.map(get).filter(Number.isFinite));
  const lines = [];

  // Marginal wall cost of the pieces of a `hush run`, each in fresh Node processes (no hook),
  // interleaved, in the clean environment. The pieces overlap (run.js's tree includes
  // node:crypto), so they do not add up.
  const pieces = [
    ['node -e 0', [NODE, '-e', '0']],
    ['node -e: touch process.stdin, stdout, stderr', [NODE, '-e', 'process.stdin; process.stdout; process.stderr']],
    ["node -e: require('node:crypto')", [NODE, '-e', "require('node:crypto')"]],
    ["node -e: require('node:child_process')", [NODE, '-e', "require('node:child_process')"]],
    ["node -e: require('./dist/launcher/commands/run') (its whole tree)", [NODE, '-e', "require('./dist/launcher/commands/run')"]],
    ['node -e: load the native addon', [NODE, '-e', "require('./native/build/Release/hush_native.node')"]],
    ['node bin/hush run --help (cli.js + run.js, no container)', [NODE, 'bin/hush', 'run', '--help']],
    ['node bin/hush run -- /bin/true', [NODE, 'bin/hush', 'run', ...hushArgs, '--', TRUE]],
  ];
  const pieceMs = pieces.map(() => []);
  for (let i = 0; i < runs + 1; i++) {
    pieces.forEach(([, argv], k) => {
      const r = timeCommand(argv, { unset: clean });
      if (i > 0 && r.status === 0) pieceMs[k].push(r.ms);
    });
  }
  const baseMs = median(pieceMs[0]);
  const baseMin = Math.min(...pieceMs[0]);
  lines.push(
    `Marginal wall cost of each piece (fresh processes without the hook, interleaved, ${
      clean.length ? `without ${clean.join(', ')}, ` : ''
    }stdin and stdout /dev/null, stderr a pipe; ms, median of ${runs}; the pieces overlap):`,
  );
  lines.push(
    table(
      ['command', 'median', '− node -e 0', 'min', '− node -e 0 (min)'],
      pieces.map(([name], k) => {
        const min = Math.min(...pieceMs[k]);
        return [
          name,
          f1(median(pieceMs[k])),
          k === 0 ? '' : f1(median(pieceMs[k]) - baseMs),
          f1(min),
          k === 0 ? '' : f1(min - baseMin),
        ];
      }),
      ['l', 'r', 'r', 'r', 'r'],
    ),
  );
  lines.push('');
  lines.push(
    `Phases (ms, median of ${runs}; a preloaded hook reads performance.nodeTiming, hush's HUSH_TIMING line ` +
      `and the 'exit' event; "before time origin" and "after 'exit'" compare clocks across processes, ±0.5 ms):`,
  );
  const startup = (p) => (p.timing ? p.timing.startup : NaN);
  const setup = (p) => (p.timing ? p.timing.setup : NaN);
  const phases = [
    ['spawn → Node\'s time origin (exec, dynamic linking)', (p) => p.beforeOrigin, (p) => p.beforeOrigin],
    ['time origin → V8 started (per-process init)', (p) => p.nodeTiming.v8Start, (p) => p.nodeTiming.v8Start],
    ['V8 started → bootstrap complete', (p) => p.nodeTiming.bootstrapComplete - p.nodeTiming.v8Start, (p) => p.nodeTiming.bootstrapComplete - p.nodeTiming.v8Start],
    ['bootstrap complete → main() of `hush run` (loading hush\'s modules)', () => NaN, (p) => startup(p) - p.nodeTiming.bootstrapComplete],
    ['main() → app exec\'d (setup_ms)', () => NaN, setup],
    ["bootstrap complete (node) / exec'd (hush) → 'exit' event", (p) => p.exitAt - p.nodeTiming.bootstrapComplete, (p) => p.exitAt - startup(p) - setup(p)],
    ["'exit' event → harness sees the exit (teardown)", (p) => p.afterExit, (p) => p.afterExit],
    ['wall', (p) => p.wall, (p) => p.wall],
  ];
  const cells = (nodeSamples, hushSamples, getNode, getHush) => {
    const a = med(nodeSamples, getNode);
    const b = med(hushSamples, getHush);
    return [f2(a), f2(b), Number.isFinite(a) && Number.isFinite(b) ? f2(b - a) : Number.isFinite(b) ? f2(b) : ''];
  };
  const phaseRows = phases.map(([name, getNode, getHush]) => [
    name,
    ...cells(base, light, getNode, getHush),
    ...(clean.length ? cells(baseClean, lightClean, getNode, getHush) : []),
  ]);
  const header = ['phase', 'node -e 0', 'hush run', 'hush − node'];
  if (clean.length) header.push('node -e 0 [clean env]', 'hush run [clean env]', 'hush − node [clean]');
  lines.push(table(header, phaseRows, header.map((_, i) => (i === 0 ? 'l' : 'r'))));
  if (clean.length) lines.push(`[clean env] = without ${clean.join(', ')}.`);
  lines.push('');

  // Module loads: inclusive and self time per module, median over runs.
  const byId = new Map();
  for (const p of full) {
    const mainAt = startup(p);
    for (const m of p.modules) {
      if (!byId.has(m.id)) byId.set(m.id, { id: m.id, first: m.order, depth: m.depth, incl: [], self: [], late: 0 });
      const e = byId.get(m.id);
      e.incl.push(m.incl);
      e.self.push(m.self);
      if (m.at >= mainAt) e.late++;
    }
  }
  const mods = [...byId.values()].sort((a, b) => a.first - b.first);
  lines.push(
    `Module loads in \`hush run\` (first load of each, in load order, ≥ 0.05 ms; ms, median of ${runs}, with the ` +
      `full hook, which slows each load a little). cli.js runs main() synchronously up to its first await, so its ` +
      `self time includes the whole container setup; loads marked "in setup" happen after main() started:`,
  );
  const modRows = mods
    .filter((m) => median(m.incl) >= 0.05)
    .map((m) => [
      '  '.repeat(m.depth) + m.id + (m.late * 2 > m.incl.length ? '  (in setup)' : ''),
      f2(median(m.incl)),
      f2(median(m.self)),
    ]);
  lines.push(table(['module (indented under the module that required it)', 'inclusive', 'self'], modRows, ['l', 'r', 'r']));
  lines.push('');
  // A timeline of the start-up, from the full-hook runs.
  const at = (p, suffix) => {
    const m = p.modules.find((x) => x.id.endsWith(suffix));
    return m ? m.at : NaN;
  };
  const runJs = (p) => p.modules.find((x) => x.id.endsWith('launcher/commands/run.js'));
  const steps = [
    ['bootstrap complete → bin/hush starts loading (Node resolves the main module)', (p) => at(p, 'bin/hush') - p.nodeTiming.bootstrapComplete],
    ['bin/hush starts → cli.js starts (bin/hush read + compiled)', (p) => at(p, 'launcher/cli.js') - at(p, 'bin/hush')],
    ['cli.js starts → run.js starts (cli.js read + compiled + top level)', (p) => at(p, 'launcher/commands/run.js') - at(p, 'launcher/cli.js')],
    ['  of which first use of process.stdin/stdout/stderr (cli.js builds its io)', (p) => {
      const cliAt = at(p, 'launcher/cli.js');
      const runAt = at(p, 'launcher/commands/run.js');
      return Object.values(p.stdio || {}).filter((x) => x.at >= cliAt && x.at < runAt).reduce((a, x) => a + x.ms, 0);
    }],
    ['run.js and everything it requires', (p) => runJs(p).incl],
    ['  of which node:crypto (for randomBytes)', (p) => (p.modules.find((x) => x.id === 'node:crypto') || { incl: 0 }).incl],
    ['run.js loaded → main() starts', (p) => startup(p) - (runJs(p).at + runJs(p).incl)],
    ['= bootstrap complete → main()', (p) => startup(p) - p.nodeTiming.bootstrapComplete],
  ];
  lines.push('Start-up timeline of `hush run` after Node\'s bootstrap (ms, median, full hook):');
  lines.push(table(['step', 'ms'], steps.map(([n, get]) => [n, f2(med(full, get))]), ['l', 'r']));
  lines.push('');
  lines.push(`Native addon dlopen (inside setup_ms): ${f2(med(full, (p) => p.dlopen))} ms.`);
  const stdioNames = ['stdin', 'stdout', 'stderr'];
  lines.push(
    'First use of each stdio stream (harness: stdin /dev/null, stdout /dev/null, stderr a pipe): ' +
      stdioNames.map((n) => `${n} ${f2(med(full, (p) => (p.stdio && p.stdio[n] ? p.stdio[n].ms : NaN)))} ms`).join(', ') +
      '.',
  );
  return lines.join('\n');
}

module.exports = { breakdown, HOOK };
