'use strict';
// The fixture bench/agent.js and bench/agent-memory.js share: a recipient-mode file store (no
// scrypt in the timings) holding `count` entries, and one policy rendering each into a file.

const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const repo = path.resolve(__dirname, '..');
const store = require(path.join(repo, 'dist', 'agent', 'sources', 'file-store', 'index.js'));
const nacl = require(path.join(repo, 'node_modules', 'tweetnacl'));

const name = (i) => `s${String(i).padStart(5, '0')}`;
const key = (i) => `bench/${name(i)}`;
const valueFor = (i, round) => Buffer.from(`value-${i}-${round}-${nacl.randomBytes(12).toString('hex')}`);

/** A fresh `dir` with identity, store.hush (count entries) and policy.yaml; fillMs times the one save. */
async function writeFixture(dir, count, label) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const identity = store.identityFileText(nacl.randomBytes(32));
  const recipient = identity.split('\n').find((l) => l.startsWith('# recipient: ')).slice('# recipient: '.length);
  const identityFile = path.join(dir, 'identity');
  fs.writeFileSync(identityFile, identity, { mode: 0o600 });
  const creds = { identity };
  const storePath = path.join(dir, 'store.hush');
  await store.createStore(storePath, creds, { recipients: [recipient] });
  const t0 = performance.now();
  await store.updateEntries(storePath, creds, () => new Map(Array.from({ length: count }, (_, i) => [key(i), valueFor(i, 0)])));
  const fillMs = performance.now() - t0;
  const lines = ['version: 1', `name: bench-${label}`, 'sources:', '  dev: { type: file, path: store.hush }', 'secrets:'];
  for (let i = 0; i < count; i++) lines.push(`  - { file: ${name(i)}, source: dev, key: ${key(i)} }`);
  lines.push('rotate:', '  every: 1h', 'on_change: none', '');
  const policyFile = path.join(dir, 'policy.yaml');
  fs.writeFileSync(policyFile, lines.join('\n'));
  return { identityFile, creds, storePath, policyFile, fillMs };
}

module.exports = { name, key, valueFor, writeFixture, store, nacl };
