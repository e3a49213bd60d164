// bench/store: what does the encrypted file store cost?
//   - the KDF (scrypt at the default logN 17, and at logN 15)
//   - opening a 10,000-entry store: read + parse + decrypt every entry + MAC, beyond the KDF
//   - setting one entry in it (lock, read, verify, seal, self-check, atomic save), beyond the KDF
//   - decrypt throughput next to `age` on the same plaintext bytes
// Aims (issue 3): open = KDF + < 150 ms; set < 200 ms + KDF.
//
// Run: see bench/README.md ("store"). Scratch files go to bench/.work/store/.

import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import nacl from 'tweetnacl';
import {
  KeyCache, createStore, createStoreReader, openStoreBytes, resolveCredentials, setEntry, updateEntries, parseStore,
} from '../agent/sources/file-store/index';
import { readStoreFile } from '../agent/sources/file-store/read-file';
import { deriveKek } from '../agent/sources/file-store/wrap';
import { openDoc } from '../agent/sources/file-store/model';
import { unlock } from '../agent/sources/file-store/unlock';
import { formatDotenv } from '../agent/sources/file-store/dotenv';

const work = path.resolve(process.env.BENCH_WORK ?? 'bench/.work/store-data');
const entries = Number(process.env.BENCH_ENTRIES ?? 10_000);
const runs = Number(process.env.BENCH_RUNS ?? 9);
const passphrase = 'bench-passphrase';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** CPU time (user + system, all threads) of the last measure(): on a shared machine the wall
 *  time includes waiting for a core; the CPU time does not. */
let lastCpu = 0;

async function time(fn: () => unknown | Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function measure(n: number, fn: () => unknown | Promise<unknown>): Promise<number> {
  await fn(); // warm-up
  const xs: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = process.cpuUsage();
    xs.push(await time(fn));
    const d = process.cpuUsage(c);
    cpus.push((d.user + d.system) / 1000);
  }
  lastCpu = median(cpus);
  return median(xs);
}

function ensureAge(): boolean {
  if (spawnSync('age', ['--version']).status === 0) return true;
  if (process.env.BENCH_NO_INSTALL === '1') return false;
  spawnSync('apt-get', ['install', '-y', 'age'], { stdio: 'ignore' });
  return spawnSync('age', ['--version']).status === 0;
}

function randomText(n: number): string {
  return Buffer.from(nacl.randomBytes(Math.ceil((n * 3) / 4))).toString('base64').slice(0, n);
}

async function main() {
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const rows: [string, string][] = [];
  const ms = (x: number) => `${x.toFixed(1)} ms`;

  // KDF
  const salt = nacl.randomBytes(16);
  const kdf17 = await measure(Math.min(runs, 5), () => deriveKek(passphrase, { logN: 17, r: 8, p: 1 }, salt));
  const kdf15 = await measure(runs, () => deriveKek(passphrase, { logN: 15, r: 8, p: 1 }, salt));
  rows.push(['KDF scrypt logN 17, r 8, p 1 (default)', ms(kdf17)]);
  rows.push(['KDF scrypt logN 15 (minimum on write)', ms(kdf15)]);

  // A 10,000-entry store at the default cost.
  const file = path.join(work, 'big.hush');
  const creds = { passphrase };
  const values = new Map<string, Uint8Array>();
  for (let i = 0; i < entries; i++) values.set(`app${i % 50}/secret_${i}`, new Uint8Array(Buffer.from(randomText(24 + (i % 40)))));
  await createStore(file, creds, { logN: 17 });
  const keys = new KeyCache();
  await updateEntries(file, creds, () => values, { keys });
  const size = fs.statSync(file).size;
  const resolved = resolveCredentials(creds);
  const fk = await unlock(parseStore(await readStoreFile(file), file), resolved, file);

  const openBeyond = await measure(runs, async () => {
    const doc = parseStore(await readStoreFile(file), file);
    const opened = openDoc(doc, fk, file);
    if (opened.values.size !== entries) throw new Error('bad open');
  });
  const openBeyondCpu = lastCpu;
  const openTotal = await measure(3, async () => {
    const opened = await openStoreBytes(await readStoreFile(file), resolved, file);
    if (opened.values.size !== entries) throw new Error('bad open');
  });
  rows.push([`open + verify + decrypt ${entries} entries (${(size / 1024 / 1024).toFixed(2)} MiB file), beyond the KDF`, `${ms(openBeyond)} (CPU ${openBeyondCpu.toFixed(1)} ms)`]);
  rows.push([`open ${entries} entries including the KDF`, ms(openTotal)]);

  let i = 0;
  const setBeyond = await measure(runs, () => setEntry(file, creds, 'bench/one', new Uint8Array(Buffer.from(`value-${i++}`)), { keys }));
  const setBeyondCpu = lastCpu;
  const setTotal = await measure(3, () => setEntry(file, creds, 'bench/one', new Uint8Array(Buffer.from(`value-${i++}`))));
  rows.push([`set one entry in ${entries} (lock, verify, seal, self-check, atomic save), beyond the KDF`, `${ms(setBeyond)} (CPU ${setBeyondCpu.toFixed(1)} ms)`]);
  rows.push(['set one entry including the KDF', ms(setTotal)]);

  // Reader re-read after a change (what the agent's live update pays): cached key and entries.
  const reader = createStoreReader(file, creds);
  await reader.read();
  const rereadOnly: number[] = [];
  for (let k = 0; k < runs; k++) {
    await setEntry(file, creds, 'bench/one', new Uint8Array(Buffer.from(`value-${i++}`)), { keys });
    rereadOnly.push(await time(() => reader.read()));
  }
  rows.push([`live reader: re-read after one change (${entries} entries, cached key and entries)`, ms(median(rereadOnly))]);

  // Throughput next to age, on the same plaintext: the store's values as one dotenv text.
  const plain = Buffer.from(formatDotenv(values));
  const plainMiB = plain.length / 1024 / 1024;
  rows.push([`hush decrypt throughput (${entries} entries, ${plainMiB.toFixed(2)} MiB plaintext)`, `${(plainMiB / (openBeyond / 1000)).toFixed(1)} MiB/s`]);
  const blob = nacl.randomBytes(16 * 1024 * 1024);
  const blobKey = nacl.randomBytes(32);
  const blobNonce = nacl.randomBytes(24);
  const sealed = nacl.secretbox(blob, blobNonce, blobKey);
  const bulk = await measure(3, () => nacl.secretbox.open(sealed, blobNonce, blobKey));
  rows.push(['hush cipher (tweetnacl secretbox.open), 16 MiB', `${(16 / (bulk / 1000)).toFixed(1)} MiB/s`]);

  if (ensureAge()) {
    const idFile = path.join(work, 'age.key');
    execFileSync('age-keygen', ['-o', idFile], { stdio: 'ignore' });
    const recipient = fs.readFileSync(idFile, 'utf8').match(/public key: (age1\w+)/)![1]!;
    const ageOf = (name: string, bytes: Uint8Array) => {
      const pt = path.join(work, `${name}.txt`);
      fs.writeFileSync(pt, bytes);
      execFileSync('age', ['-r', recipient, '-o', `${pt}.age`, pt]);
      return `${pt}.age`;
    };
    const ageSmall = ageOf('entries', plain);
    const ageBig = ageOf('blob', blob);
    const ageNoop = ageOf('empty', new Uint8Array(0));
    const run = (f: string) => () => execFileSync('age', ['-d', '-i', idFile, f], { maxBuffer: 64 * 1024 * 1024 });
    const startup = await measure(runs, run(ageNoop));
    const small = await measure(runs, run(ageSmall));
    const big = await measure(5, run(ageBig));
    rows.push([`age -d, same ${plainMiB.toFixed(2)} MiB plaintext (whole process, X25519)`, `${ms(small)} total; an empty file takes ${ms(startup)}`]);
    rows.push(['age -d, 16 MiB (process, minus start-up)', `${(16 / ((big - startup) / 1000)).toFixed(1)} MiB/s (${ms(big)} total)`]);
  } else {
    rows.push(['age', 'not installed (apt-get install -y age), skipped']);
  }

  const width = Math.max(...rows.map((r) => r[0].length));
  const load = require('node:os').loadavg()[0].toFixed(2);
  process.stdout.write(`\nhush store benchmark: ${entries} entries, median of ${runs} runs (node ${process.version}, ${require('node:os').cpus().length} CPUs, load average ${load})\n\n`);
  process.stdout.write(`| ${'measure'.padEnd(width)} | result |\n| ${'-'.repeat(width)} | --- |\n`);
  for (const [k, v] of rows) process.stdout.write(`| ${k.padEnd(width)} | ${v} |\n`);
  const verdict = (wall: number, cpu: number, aim: number) => (wall < aim ? 'met' : cpu < aim ? 'met in CPU time, missed in wall time (busy machine?)' : 'MISSED');
  process.stdout.write(`\naims: open beyond the KDF < 150 ms: ${verdict(openBeyond, openBeyondCpu, 150)}; set beyond the KDF < 200 ms: ${verdict(setBeyond, setBeyondCpu, 200)}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench/store: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
