#!/usr/bin/env node
// Where the first render's time goes: the tmpfs sink alone (dist/agent/sink/tmpfs-sink.js)
// writing BENCH_SECRETS (10,000) small files into a fresh directory of a tmpfs, next to the
// same syscalls made synchronously (open O_EXCL, write, fchmod, fsync, close, rename), which
// is the floor of the work itself. Set UV_THREADPOOL_SIZE to see the pool's effect.
//   node bench/agent-sink.js DIR_ON_TMPFS

'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { createTmpfsSink } = require('../dist/agent/sink/tmpfs-sink.js');

const root = process.argv[2] ?? '/dev/shm';
const n = Number(process.env.BENCH_SECRETS ?? 10_000);
const runs = Number(process.env.BENCH_RUNS ?? 5);
const files = new Map(Array.from({ length: n }, (_, i) => [`s${i}`, { bytes: Buffer.from(`value-${i}-0123456789abcdef`), mode: 0o400 }]));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const sinkMs = [];
  const againMs = [];
  const syncMs = [];
  for (let r = 0; r < runs; r++) {
    const dir = fs.mkdtempSync(path.join(root, 'sink-'));
    const sink = createTmpfsSink({ root: dir });
    await sink.init();
    let t0 = performance.now();
    await sink.write(files);
    sinkMs.push(performance.now() - t0);
    t0 = performance.now();
    await sink.write(files);
    againMs.push(performance.now() - t0);
    fs.rmSync(dir, { recursive: true });

    const dir2 = fs.mkdtempSync(path.join(root, 'sync-'));
    t0 = performance.now();
    let k = 0;
    for (const [name, f] of files) {
      const tmp = path.join(dir2, `.tmp-${k++}`);
      const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
      fs.writeSync(fd, f.bytes);
      fs.fchmodSync(fd, f.mode);
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fs.renameSync(tmp, path.join(dir2, name));
    }
    syncMs.push(performance.now() - t0);
    fs.rmSync(dir2, { recursive: true });
  }
  const rate = (ms) => Math.round((n / ms) * 1000).toLocaleString('en-US');
  console.log(`UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}, ${n} files, median of ${runs}`);
  console.log(`| what | ms | files/s |\n| --- | ---: | ---: |`);
  console.log(`| tmpfs sink, new files (fs/promises, 32 in flight) | ${median(sinkMs).toFixed(1)} | ${rate(median(sinkMs))} |`);
  console.log(`| tmpfs sink, same files again (hash compare only) | ${median(againMs).toFixed(1)} | ${rate(median(againMs))} |`);
  console.log(`| the same syscalls, synchronous, one at a time | ${median(syncMs).toFixed(1)} | ${rate(median(syncMs))} |`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
