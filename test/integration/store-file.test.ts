import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  createStore, createStoreReader, openStore, setEntry, removeEntry, changePassphrase, rotateKey, updateEntries,
} from '../../agent/sources/file-store/index';
import { writeFileAtomic, realWriteOps, type WriteOps } from '../../agent/sources/file-store/atomic-write';
import { withLock } from '../../agent/sources/file-store/lock';
import { tempDir } from './store-helpers';

const creds = { passphrase: 'pw-integration' };
const opts = { logN: 15 };
const text = (v: Uint8Array | undefined) => (v ? Buffer.from(v).toString() : undefined);
async function code(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'no error';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

describe('store on disk', () => {
  it('creates, sets, gets and removes; new files are 0600 and end with the entries sorted', async () => {
    const file = path.join(tempDir(), 's.hush');
    await createStore(file, creds, opts);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    await setEntry(file, creds, 'z/last', new Uint8Array(Buffer.from('zz')), opts);
    await setEntry(file, creds, 'a/first', new Uint8Array([0, 1, 2, 255]), opts);
    const opened = await openStore(file, creds);
    expect([...opened.values.keys()]).toEqual(['a/first', 'z/last']);
    expect(Buffer.from(opened.values.get('a/first')!.value)).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(opened.doc.generation).toBe(3);
    await removeEntry(file, creds, 'z/last', opts);
    expect([...(await openStore(file, creds)).values.keys()]).toEqual(['a/first']);
    expect(await code(() => removeEntry(file, creds, 'z/last', opts))).toBe('HUSH_ERR_STORE_NO_ENTRY');
    expect(await code(() => createStore(file, creds, opts))).toBe('HUSH_ERR_STORE_EXISTS');
  });

  it('does not rewrite the file when nothing changes', async () => {
    const file = path.join(tempDir(), 's.hush');
    await createStore(file, creds, opts);
    await setEntry(file, creds, 'a', new Uint8Array(Buffer.from('1')), opts);
    const before = fs.readFileSync(file);
    await setEntry(file, creds, 'a', new Uint8Array(Buffer.from('1')), opts);
    expect(fs.readFileSync(file)).toEqual(before);
  });

  it('leaves the file untouched when a command fails', async () => {
    const file = path.join(tempDir(), 's.hush');
    await createStore(file, creds, opts);
    await setEntry(file, creds, 'a', new Uint8Array(Buffer.from('1')), opts);
    const before = fs.readFileSync(file);
    expect(await code(() => setEntry(file, { passphrase: 'wrong' }, 'b', new Uint8Array(1), opts))).toBe('HUSH_ERR_STORE_WRONG_KEY');
    expect(await code(() => setEntry(file, creds, '../evil', new Uint8Array(1), opts))).toBe('HUSH_ERR_STORE_BAD_NAME');
    expect(await code(() => updateEntries(file, creds, () => new Map([['ok', new Uint8Array(1)], ['big', new Uint8Array(2 ** 20 + 1)]]), opts))).toBe('HUSH_ERR_STORE_VALUE_TOO_LARGE');
    expect(fs.readFileSync(file)).toEqual(before);
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(['s.hush']);
  });

  it('refuses a store that is a symlink, a FIFO or a directory, or missing', async () => {
    const dir = tempDir();
    const real = path.join(dir, 'real.hush');
    await createStore(real, creds, opts);
    fs.symlinkSync(real, path.join(dir, 'link.hush'));
    execFileSync('mkfifo', [path.join(dir, 'fifo.hush')]);
    fs.mkdirSync(path.join(dir, 'dir.hush'));
    for (const name of ['link.hush', 'fifo.hush', 'dir.hush']) {
      expect(await code(() => openStore(path.join(dir, name), creds))).toBe('HUSH_ERR_STORE_NOT_REGULAR');
      expect(await code(() => setEntry(path.join(dir, name), creds, 'a', new Uint8Array(1), opts))).toBe('HUSH_ERR_STORE_NOT_REGULAR');
    }
    expect(fs.lstatSync(path.join(dir, 'link.hush')).isSymbolicLink()).toBe(true);
    expect(await code(() => openStore(path.join(dir, 'none.hush'), creds))).toBe('HUSH_ERR_STORE_NOT_FOUND');
  });

  it('refuses an oversized file from its size alone', async () => {
    const file = path.join(tempDir(), 'big.hush');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, 16 * 1024 * 1024 + 1); // sparse: reading it would be the slow part
    expect(await code(() => openStore(file, creds))).toBe('HUSH_ERR_STORE_TOO_LARGE');
  });

  it('changes the passphrase without touching entries, and rotates to new ciphertexts', async () => {
    const file = path.join(tempDir(), 's.hush');
    await createStore(file, creds, opts);
    await setEntry(file, creds, 'a', new Uint8Array(Buffer.from('value')), opts);
    const entryLine = (t: string) => t.split('\n').find((l) => l.startsWith('    "a"'));
    const before = fs.readFileSync(file, 'utf8');
    await changePassphrase(file, creds, 'new-pw', opts);
    const afterPasswd = fs.readFileSync(file, 'utf8');
    expect(entryLine(afterPasswd)).toBe(entryLine(before));
    expect(await code(() => openStore(file, creds))).toBe('HUSH_ERR_STORE_WRONG_KEY');
    await rotateKey(file, { passphrase: 'new-pw' }, opts);
    const afterRotate = fs.readFileSync(file, 'utf8');
    expect(entryLine(afterRotate)).not.toBe(entryLine(afterPasswd));
    expect(text((await openStore(file, { passphrase: 'new-pw' })).values.get('a')?.value)).toBe('value');
  });
});

describe('atomic save', () => {
  const steps: (keyof WriteOps)[] = ['open', 'write', 'fchmod', 'fsync', 'close', 'rename'];
  it.each(steps)('keeps the old file intact and removes the temporary when %s fails', (step) => {
    const dir = tempDir();
    const file = path.join(dir, 's.hush');
    fs.writeFileSync(file, 'old content\n', { mode: 0o644 });
    const failing: WriteOps = {
      ...realWriteOps,
      [step]: () => {
        throw Object.assign(new Error('injected'), { code: 'ENOSPC' });
      },
    };
    let thrown: { code?: string; message: string } | undefined;
    try {
      writeFileAtomic(file, new Uint8Array(Buffer.from('new content\n')), 0o644, failing);
    } catch (err) {
      thrown = err as { code?: string; message: string };
    }
    expect(thrown?.code).toBe('HUSH_ERR_STORE_IO');
    expect(thrown?.message).toContain('the store was not changed');
    expect(fs.readFileSync(file, 'utf8')).toBe('old content\n');
    expect(fs.readdirSync(dir)).toEqual(['s.hush']);
  });

  it('keeps the mode of an existing store', () => {
    const file = path.join(tempDir(), 's.hush');
    fs.writeFileSync(file, 'old\n', { mode: 0o640 });
    fs.chmodSync(file, 0o640);
    writeFileAtomic(file, new Uint8Array(Buffer.from('new\n')), 0o640);
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    expect(fs.readFileSync(file, 'utf8')).toBe('new\n');
  });
});

describe('lock', () => {
  it('recovers a stale lock left by a dead process', async () => {
    const file = path.join(tempDir(), 's.hush');
    await createStore(file, creds, opts);
    // a pid that does not exist: the lock holder died
    fs.writeFileSync(file + '.lock', JSON.stringify({ pid: 2 ** 22 + 12345, host: require('node:os').hostname(), time: 'then' }));
    await setEntry(file, creds, 'a', new Uint8Array(1), opts);
    expect(fs.existsSync(file + '.lock')).toBe(false);
  });

  it('waits for a live holder and reports it when the wait times out', async () => {
    const file = path.join(tempDir(), 's.hush');
    await createStore(file, creds, opts);
    let release!: () => void;
    const held = withLock(file, () => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setImmediate(r));
    const err = await setEntry(file, creds, 'a', new Uint8Array(1), { ...opts, lockTimeoutMs: 0 }).catch((e: Error & { code: string }) => e);
    expect((err as { code: string }).code).toBe('HUSH_ERR_STORE_LOCKED');
    expect((err as Error).message).toContain(`pid ${process.pid}`);
    release();
    await held;
    await setEntry(file, creds, 'a', new Uint8Array(1), opts);
  });
});

describe('live reader', () => {
  it('runs the KDF only when the key section changes and sees every save', async () => {
    const file = path.join(tempDir(), 's.hush');
    await createStore(file, creds, opts);
    await setEntry(file, creds, 'a', new Uint8Array(Buffer.from('1')), opts);
    const reader = createStoreReader(file, creds);
    const first = await reader.read();
    expect(text(first.entries.get('a')?.value)).toBe('1');
    await setEntry(file, creds, 'a', new Uint8Array(Buffer.from('2')), opts);
    await setEntry(file, creds, 'b', new Uint8Array(Buffer.from('3')), opts);
    const second = await reader.read();
    expect(text(second.entries.get('a')?.value)).toBe('2');
    expect(second.generation).toBe(first.generation + 2);
    expect(reader.stats.unwraps).toBe(1);
    await rotateKey(file, creds, opts);
    const third = await reader.read();
    expect(text(third.entries.get('b')?.value)).toBe('3');
    expect(reader.stats.unwraps).toBe(2);
  });

  it('fails closed on a damaged file and recovers when it is fixed', async () => {
    const file = path.join(tempDir(), 's.hush');
    await createStore(file, creds, opts);
    await setEntry(file, creds, 'a', new Uint8Array(Buffer.from('1')), opts);
    const reader = createStoreReader(file, creds);
    await reader.read();
    const good = fs.readFileSync(file);
    fs.writeFileSync(file, good.subarray(0, good.length - 20));
    expect(await code(() => reader.read())).toBe('HUSH_ERR_STORE_TRUNCATED');
    fs.writeFileSync(file, good);
    expect(text((await reader.read()).entries.get('a')?.value)).toBe('1');
  });
});
