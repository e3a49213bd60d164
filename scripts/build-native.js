#!/usr/bin/env node
// Builds the native addon with node-gyp at `npm install`. Before handing over to node-gyp it
// checks the tools a build needs, so that a missing compiler is one clear line instead of a
// page of gyp output.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

if (process.platform !== 'linux') {
  console.error(`hush: the native addon needs Linux (this is ${process.platform})`);
  process.exit(1);
}

const required = [
  ['c++', 'a C++17 compiler (Debian: apt-get install g++)'],
  ['make', 'make (Debian: apt-get install make)'],
  ['python3', 'python3, which node-gyp runs (Debian: apt-get install python3)'],
];
const missing = required.filter(([cmd]) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0);
if (missing.length > 0) {
  for (const [, what] of missing) console.error(`hush: cannot build the native addon: missing ${what}`);
  process.exit(1);
}

// Inside npm scripts npm names its bundled node-gyp; run by hand, look beside npm.
const fs = require('node:fs');
const bundled = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const gypScript = process.env.npm_config_node_gyp || (fs.existsSync(bundled) ? bundled : null);
const gyp = gypScript ? [process.execPath, [gypScript]] : ['node-gyp', []];
// Build against the headers of the running Node when they are installed beside it, so that no
// header download (no network) is needed.
const prefix = path.join(path.dirname(process.execPath), '..');
const nodedir = process.env.npm_config_nodedir ||
  (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : null);
const args = [...gyp[1], 'rebuild', '--directory', path.join(__dirname, '..', 'native')];
if (nodedir) args.push(`--nodedir=${nodedir}`);
const result = spawnSync(gyp[0], args, {
  stdio: 'inherit',
});
if (result.error || result.status !== 0) {
  console.error('hush: building the native addon failed (see the compiler output above)');
  process.exit(1);
}
