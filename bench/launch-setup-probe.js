#!/usr/bin/env node
'use strict';
// bench/launch-setup-probe: an analysis aid for bench/launch. Repeats, in one process, the steps
// that `hush run`'s main() takes between main() and the app's exec (parse the flags, create the
// secrets tmpfs, write literal secrets, spawn the container), timing each, and does so with the
// Node process grown by an unused buffer ("ballast") to show how the spawn's cost follows the
// size of the process that forks. The sequence mirrors launcher/commands/run.ts as of this
// writing and calls the built modules in dist/; if run.ts changes, update it here.
//
//   node bench/launch-setup-probe.js          (as root; BENCH_PROBE_RUNS, BENCH_PROBE_BALLAST_MB)

const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { randomBytes } = require('node:crypto');

const DIST = path.resolve(__dirname, '..', 'dist', 'launcher');
const { parseRunArgs } = require(path.join(DIST, 'container-spec'));
const { createSecretsTmpfs } = require(path.join(DIST, 'secrets-tmpfs'));
const { writeLiteralSecrets } = require(path.join(DIST, 'literal-secrets'));
const { startContainer } = require(path.join(DIST, 'container'));
const { resolveHardening } = require(path.join(DIST, 'hardening'));
const { compiledSeccomp, seccompCacheDir } = require(path.join(DIST, 'seccomp-cache'));
const { native } = require(path.join(DIST, '..', 'native'));

const runs = Number(process.env.BENCH_PROBE_RUNS || 25);
const ballasts = (process.env.BENCH_PROBE_BALLAST_MB || '0,100,300').split(',').map(Number);

async function once(initArgs) {
  const t = {};
  let at = performance.now();
  const lap = (name) => {
    const now = performance.now();
    t[name] = now - at;
    at = now;
  };
  const o = parseRunArgs([...initArgs, '--', '/bin/true'], process.env, randomBytes(6).toString('hex'));
  lap('parse');
  const tmpfs = createSecretsTmpfs({ sizeBytes: 4 * 1024 * 1024, uid: o.uid, gid: o.gid });
  lap('tmpfs');
  writeLiteralSecrets(tmpfs.root, o.literalSecrets, o.uid, o.gid);
  lap('secrets');
  const addon = native();
  const hardening = resolveHardening(o.hardening, {
    landlockAbi: addon.landlockAbi(),
    compile: (program) => compiledSeccomp(program, addon, seccompCacheDir(process.env)),
    debug: () => {},
  });
  lap('hardening');
  const c = startContainer({
    argv: o.argv,
    env: [...o.env].map(([k, v]) => `${k}=${v}`),
    rootfs: o.rootfs,
    hostRoot: o.hostRoot,
    hostname: o.hostname,
    workdir: o.workdir,
    secretsDir: o.secretsDir,
    secretsFd: tmpfs.fd,
    uid: o.uid,
    gid: o.gid,
    netNone: o.netNone,
    init: o.init,
    ...hardening,
  });
  lap('spawn');
  await c.exited;
  tmpfs.close();
  lap('exit');
  return t;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function main() {
  if (process.getuid() !== 0) throw new Error('run as root');
  const steps = ['parse', 'tmpfs', 'secrets', 'hardening', 'spawn', 'exit'];
  const rows = [];
  let ballast = [];
  let first;
  for (const mb of ballasts) {
    // Touch every page so that it is really resident (and must be mapped in a fork).
    ballast = [Buffer.alloc(mb * 1024 * 1024, 1)];
    for (const initArgs of [[], ['--no-init']]) {
      const samples = [];
      for (let i = 0; i < runs; i++) samples.push(await once(initArgs));
      first ??= samples[0];
      const rss = process.memoryUsage().rss / (1024 * 1024);
      rows.push([
        `${mb} MB ballast${initArgs.length ? ', --no-init' : ''}`,
        rss.toFixed(0),
        ...steps.map((s) => median(samples.slice(1).map((x) => x[s])).toFixed(2)),
      ]);
    }
  }
  const header = ['process', 'RSS MB', ...steps.map((s) => `${s} ms`)];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  console.log(`## launch setup probe: warm steps of hush run's main() in one process (median of ${runs - 1}; ms)\n`);
  console.log(line(header));
  console.log('|' + widths.map((w, i) => (i === 0 ? ':' + '-'.repeat(w + 1) : '-'.repeat(w + 1) + ':')).join('|') + '|');
  for (const r of rows) console.log(line(r));
  console.log(
    `\nFirst call in this process (what a one-shot \`hush run\` pays, cold): ` +
      steps.map((s) => `${s}=${first[s].toFixed(2)}`).join(' '),
  );
  console.log('spawn = the native spawn (clone3 → setup → exec) as clone_to_exec_ms; exit = exec → exit seen by the launcher.');
  void ballast;
}

main().catch((err) => {
  console.error(`bench/launch-setup-probe: ${err.stack}`);
  process.exit(1);
});
