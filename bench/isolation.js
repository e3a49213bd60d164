#!/usr/bin/env node
'use strict';
// bench/isolation: the same probes (bench/isolation-probe.sh) from inside hush run (as root and
// as --user 1000), crun (its `crun spec` defaults) and bwrap, side by side, as a markdown table
// for docs/security.md. Every launcher gets the host's / read-only. As root; crun and bwrap
// rows are skipped when they are not installed (`bash bench/launch.sh` installs them).
//
//   node bench/isolation.js

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { REPO } = require('./launch-stats');
const { HOSTROOT, NODE, WORK, have, makeBundle, startInner } = require('./launch-bundles');
const { table } = require('./launch-report');

const probe = fs.readFileSync(path.join(__dirname, 'isolation-probe.sh'), 'utf8');
const sh = ['/bin/sh', '-c', probe, 'probe'];

function parse(stderr) {
  const out = new Map();
  for (const line of stderr.split('\n')) {
    const at = line.indexOf(': ');
    if (at > 0) out.set(line.slice(0, at), line.slice(at + 2));
  }
  return out;
}

const direct = (argv) => parse(spawnSync(argv[0], argv.slice(1), { cwd: REPO, encoding: 'utf8' }).stderr);

async function main() {
  if (process.getuid() !== 0) throw new Error('run as root');
  fs.mkdirSync(HOSTROOT, { recursive: true });
  const columns = [
    ['hush run', direct([NODE, 'bin/hush', 'run', '--', ...sh])],
    ['hush run --user 1000', direct([NODE, 'bin/hush', 'run', '--user', '1000', '--', ...sh])],
  ];
  const skipped = [];
  if (have('crun')) {
    const bundle = makeBundle('crun', HOSTROOT);
    const config = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8'));
    config.process.args = sh;
    fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(config));
    const inner = startInner('host');
    const hello = await inner.ready;
    if (hello.ready) {
      const r = await inner.run(['crun', '--cgroup-manager=disabled', 'run', '--bundle', bundle, `hush-probe-${process.pid}`], 'crun', `hush-probe-${process.pid}`);
      columns.push(['crun (spec defaults)', parse(r.stderr)]);
    } else skipped.push(`crun: ${hello.fatal}`);
    await inner.close();
  } else skipped.push('crun: not installed');
  if (have('bwrap')) columns.push(['bwrap --unshare-all', direct(['bwrap', '--unshare-all', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--', ...sh])]);
  else skipped.push('bwrap: not installed');

  const probes = [...columns[0][1].keys()];
  process.stdout.write(`${table(['probe from inside', ...columns.map(([name]) => name)], probes.map((p) => [p, ...columns.map(([, r]) => r.get(p) ?? '–')]), ['l', ...columns.map(() => 'l')])}\n`);
  for (const s of skipped) process.stdout.write(`- skipped: ${s}\n`);
  fs.rmSync(path.join(WORK, 'bundle-crun'), { recursive: true, force: true });
}

main().catch((err) => {
  process.stderr.write(`bench/isolation: ${err.message}\n`);
  process.exit(1);
});
