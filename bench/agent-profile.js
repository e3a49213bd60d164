#!/usr/bin/env node
// Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by file, and the
// inclusive time of the functions named on the command line.
//   node bench/agent-profile.js FILE.cpuprofile [TOP] [--incl name1,name2,...]

'use strict';

const fs = require('node:fs');
const path = require('node:path');

const [file, topArg, inclFlag, inclList] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/agent-profile.js FILE.cpuprofile [TOP] [--incl fn1,fn2]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Sample → node; time deltas in microseconds.
const selfUs = new Map();
let totalUs = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  totalUs += dt;
  selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
});

const repo = path.resolve(__dirname, '..');
const where = (cf) => {
  const url = cf.url.replace(/^file:\/\//, '');
  const short = url.startsWith(repo) ? path.relative(repo, url) : url || '(native)';
  return short;
};
const label = (cf) => `${cf.functionName || '(anonymous)'} ${where(cf)}:${cf.lineNumber + 1}`;

const fnSelf = new Map();
const fileSelf = new Map();
for (const [id, us] of selfUs) {
  const cf = byId.get(id).callFrame;
  fnSelf.set(label(cf), (fnSelf.get(label(cf)) ?? 0) + us);
  const f = where(cf).replace(/node_modules\/([^/]+)\/.*/, 'node_modules/$1');
  fileSelf.set(f, (fileSelf.get(f) ?? 0) + us);
}

const print = (title, map) => {
  console.log(`\n${title}\n\n| ms | % | what |\n| ---: | ---: | --- |`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`| ${(us / 1000).toFixed(1)} | ${((100 * us) / totalUs).toFixed(1)} | ${k} |`);
  }
};
console.log(`profile: ${(totalUs / 1000).toFixed(0)} ms sampled`);
print('Self time by function', fnSelf);
print('Self time by file (node_modules by package)', fileSelf);

if (inclFlag === '--incl' && inclList) {
  // Inclusive time: samples whose stack contains a frame with that function name (counted once).
  const names = inclList.split(',');
  const incl = new Map(names.map((n) => [n, 0]));
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const seen = new Set();
    for (let n = id; n !== undefined; n = parent.get(n)) {
      const fn = byId.get(n).callFrame.functionName;
      if (incl.has(fn) && !seen.has(fn)) {
        seen.add(fn);
        incl.set(fn, incl.get(fn) + dt);
      }
    }
  });
  print('Inclusive time of named functions', incl);
}
