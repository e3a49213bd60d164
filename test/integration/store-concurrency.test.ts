import { describe, it, expect, beforeAll } from 'vitest';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { baseEnv, buildStoreCli, tempDir } from './store-helpers';
import { createStore, openStore, updateEntries, identityFileText, encodeKey, recipientPrefix, parseIdentityText } from '../../agent/sources/file-store/index';
import { seededRandom } from '../../agent/ports/random';

let build: string;
beforeAll(async () => {
  build = await buildStoreCli();
});

// A writer process using the compiled library: sets `${prefix}/${i}` for i < count, or, with
// count < 0, sets "counter" to 1, 2, 3, ... forever (for the crash test).
const writerScript = `
const lib = require(process.env.LIB);
const creds = { identity: require('node:fs').readFileSync(process.env.ID_FILE, 'utf8') };
(async () => {
  const count = Number(process.env.COUNT);
  process.stdout.write('ready\\n');
  for (let i = 0; count < 0 || i < count; i++) {
    const name = count < 0 ? 'counter' : process.env.PREFIX + '/' + i;
    await lib.setEntry(process.env.STORE, creds, name, Buffer.from(String(count < 0 ? i + 1 : i)));
    if (count < 0) process.stdout.write('saved ' + (i + 1) + '\\n');
  }
})().catch((err) => { console.error(err.message); process.exit(1); });
`;

function setup(entries = 0) {
  const dir = tempDir();
  const store = path.join(dir, 's.hush');
  const idFile = path.join(dir, 'id');
  const idText = identityFileText(new Uint8Array(32).fill(3));
  fs.writeFileSync(idFile, idText, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'writer.js'), writerScript);
  const recipient = encodeKey(recipientPrefix, parseIdentityText(idText, 'id').boxPublicKey);
  const creds = { identity: idText };
  return {
    dir, store, creds,
    async init() {
      await createStore(store, creds, { recipients: [recipient] });
      if (entries > 0) {
        const filler = new Map(Array.from({ length: entries }, (_, i) => [`filler/${i}`, new Uint8Array(Buffer.alloc(200, i % 256))]));
        await updateEntries(store, creds, () => filler);
      }
    },
    spawnWriter(env: Record<string, string>) {
      return spawn(process.execPath, [path.join(dir, 'writer.js')], {
        env: { ...baseEnv(), LIB: path.join(build, 'agent/sources/file-store/index.js'), ID_FILE: idFile, STORE: store, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    },
  };
}

function exited(child: ReturnType<typeof spawn>): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })));
}

function ready(child: ReturnType<typeof spawn>): Promise<void> {
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`writer exited early with status ${code}`)));
  });
}

describe('concurrent writers', () => {
  it('two processes setting 100 different names each: all 200 are present', async () => {
    const s = setup();
    await s.init();
    const a = s.spawnWriter({ PREFIX: 'a', COUNT: '100' });
    const b = s.spawnWriter({ PREFIX: 'b', COUNT: '100' });
    const [ra, rb] = await Promise.all([exited(a), exited(b)]);
    expect(ra.stderr + rb.stderr).toBe('');
    expect([ra.code, rb.code]).toEqual([0, 0]);
    const opened = await openStore(s.store, s.creds);
    expect(opened.values.size).toBe(200);
    for (let i = 0; i < 100; i++) {
      expect(Buffer.from(opened.values.get(`a/${i}`)!.value).toString()).toBe(String(i));
      expect(Buffer.from(opened.values.get(`b/${i}`)!.value).toString()).toBe(String(i));
    }
    expect(opened.doc.generation).toBe(201);
    expect(fs.readdirSync(s.dir).sort()).toEqual(['id', 's.hush', 'writer.js']);
  });
});

describe('crash safety', () => {
  it('a writer killed with SIGKILL at random points always leaves the old or the new store', async () => {
    const s = setup(300);
    await s.init();
    const random = seededRandom(20250101);
    let last = 0;
    let previous = 0;
    let killedHoldingLock = 0;
    for (let round = 0; round < 25; round++) {
      const child = s.spawnWriter({ COUNT: '-1' });
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      const done = exited(child);
      await ready(child);
      await new Promise((r) => setTimeout(r, 10 + Math.floor(random() * 120)));
      child.kill('SIGKILL');
      const { signal } = await done;
      expect(signal).toBe('SIGKILL');
      if (fs.existsSync(s.store + '.lock')) killedHoldingLock++;
      // The store always opens completely: every filler entry and a counter that only grows.
      const opened = await openStore(s.store, s.creds);
      expect(opened.values.size).toBeGreaterThanOrEqual(300);
      const counter = opened.values.get('counter');
      const value = counter ? Number(Buffer.from(counter.value).toString()) : 0;
      // Old or new: the last save the writer confirmed, or the one it was in the middle of.
      const confirmed = [...out.matchAll(/saved (\d+)/g)].map((m) => Number(m[1]));
      const k = confirmed.length > 0 ? confirmed[confirmed.length - 1]! : undefined;
      const allowed = k === undefined ? [previous, 1] : [k, k + 1];
      expect(allowed).toContain(value);
      expect(opened.doc.generation).toBeGreaterThanOrEqual(last);
      last = opened.doc.generation;
      previous = value;
    }
    // The writer spends most of its time inside the lock, so some kills landed mid-save; the
    // next writer recovered each stale lock (dead pid) and swept the temporaries it left.
    expect(killedHoldingLock).toBeGreaterThan(0);
    await updateEntries(s.store, s.creds, () => new Map([['after', new Uint8Array(1)]]));
    expect(fs.readdirSync(s.dir).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'))).toEqual([]);
  });
});
