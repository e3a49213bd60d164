#!/usr/bin/env node
// Writes policies/schema.json from the zod schema (agent/config/schema.ts) compiled by tsc:
//   npx tsc -p tsconfig.json && node scripts/gen-policy-schema.js [BUILD_DIR]
// BUILD_DIR is tsc's outDir (default dist).
// test/unit/policy-schema-json.test.ts fails when the committed file is out of date.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const build = path.resolve(process.argv[2] || path.join(root, 'dist'));
const { policyJsonSchema } = require(path.join(build, 'agent/config/schema.js'));
const out = path.join(root, 'policies/schema.json');
fs.writeFileSync(out, JSON.stringify(policyJsonSchema(), null, 2) + '\n');
process.stdout.write(`wrote ${path.relative(process.cwd(), out)}\n`);
