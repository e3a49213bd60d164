// The store lock: `<store>.lock`, created exclusively, holding {pid, host, time}. It serialises
// read-modify-write commands. A lock left by a dead process on this host (or older than the
// stale age, from another host) is broken; to break it safely we rename it aside first, so two
// processes cannot both break the same lock and then both believe they hold it.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { E } from './errors';

export interface LockOptions {
  timeoutMs?: number;
  staleMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface LockInfo {
  pid: number;
  host: string;
  time: string;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): { info?: LockInfo; text: string } | undefined {
  try {
    const text = fs.readFileSync(file, 'utf8');
    try {
      const info = JSON.parse(text) as LockInfo;
      return typeof info.pid === 'number' && typeof info.host === 'string' ? { info, text } : { text };
    } catch {
      return { text };
    }
  } catch {
    return undefined;
  }
}

function isStale(file: string, lock: { info?: LockInfo }, now: number, staleMs: number): boolean {
  const { info } = lock;
  if (info && info.host === os.hostname()) return !isAlive(info.pid);
  let age: number;
  try {
    age = now - fs.statSync(file).mtimeMs;
  } catch {
    return false;
  }
  return age > staleMs;
}

function describeHolder(lock: { info?: LockInfo } | undefined): string {
  const info = lock?.info;
  return info ? `pid ${info.pid} on ${info.host} since ${info.time}` : 'another process';
}

export async function withLock<T>(storePath: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const file = storePath + '.lock';
  const timeoutMs = options.timeoutMs ?? 30_000;
  const staleMs = options.staleMs ?? 60_000;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = now() + timeoutMs;
  const body = JSON.stringify({ pid: process.pid, host: os.hostname(), time: new Date(now()).toISOString() }) + '\n';
  let delay = 2;
  for (;;) {
    if (tryCreate(file, body)) break;
    const held = readLock(file);
    if (held && isStale(file, held, now(), staleMs)) {
      breakStaleLock(file, held.text);
      continue;
    }
    if (now() >= deadline) throw E.HUSH_ERR_STORE_LOCKED(file, describeHolder(held));
    await sleep(delay + Math.floor(Math.random() * delay));
    delay = Math.min(delay * 2, 50);
  }
  try {
    return await fn();
  } finally {
    const mine = readLock(file);
    if (mine?.text === body) {
      try {
        fs.unlinkSync(file);
      } catch {
        // gone already
      }
    }
  }
}

/** Creates the lock with its content in one step: write a private temporary, then hard-link it
 *  to the lock name (link fails if the lock exists). A holder killed at any point leaves either
 *  no lock or a complete one, never an empty lock that nobody could judge stale. */
function tryCreate(file: string, body: string): boolean {
  const tmp = path.join(path.dirname(file), `.${path.basename(file, '.lock')}.${process.pid}.${randomBytes(4).toString('hex')}.lock.tmp`);
  try {
    fs.writeFileSync(tmp, body, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    throw E.HUSH_ERR_STORE_IO(file, `cannot create the lock file (${(err as NodeJS.ErrnoException).code})`);
  }
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    throw E.HUSH_ERR_STORE_IO(file, `cannot create the lock file (${code})`);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function breakStaleLock(file: string, staleText: string): void {
  const aside = `${file}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return; // someone else moved it first
  }
  let movedText: string | undefined;
  try {
    movedText = fs.readFileSync(aside, 'utf8');
  } catch {
    movedText = undefined;
  }
  if (movedText !== staleText) {
    // We moved a fresh lock that replaced the stale one meanwhile: put it back unless a new
    // one exists already (link fails if so, and then both holders are serialised by it).
    try {
      fs.linkSync(aside, file);
    } catch {
      // a new lock is in place
    }
  }
  try {
    fs.unlinkSync(aside);
  } catch {
    // nothing to clean
  }
}
