// The store on disk: open, create, and locked read-modify-write. Every write serialises the
// new store, re-parses and re-verifies those bytes in memory, and only then replaces the file
// atomically; a failed command leaves the file as it was.

import nacl from 'tweetnacl';
import { E } from './errors';
import { writeFileAtomic, sweepTemporaries } from './atomic-write';
import { ResolvedCredentials, StoreCredentials, resolveCredentials } from './credentials';
import { bytesEqual, encodeUtf8 } from './encoding';
import type { EntryValue } from './entries';
import { StoreDoc, Wrap, X25519Wrap, parseStore, serializeStore } from './format';
import { defaultLogN, checkKdfParams } from './kdf-params';
import { decodeKey, recipientPrefix } from './identity';
import { isAlive, withLock } from './lock';
import { EntryCache, OpenOptions, OpenedStore, entryValue, openDoc, sealAll, sealChanges, verifyDoc } from './model';
import { checkWritableTarget, readStoreFile } from './read-file';
import { KeyCache, unlock } from './unlock';
import { RandomBytes, wrapForRecipient, wrapForRecipients, wrapWithPassphrase } from './wrap';

export interface WriteOptions {
  /** scrypt cost for new wraps (create, passwd, rotate). 15..20; default 17. */
  logN?: number;
  now?: () => string;
  rand?: RandomBytes;
  lockTimeoutMs?: number;
  /** Reuses an unwrapped file key while the key section is unchanged (no KDF per write). */
  keys?: KeyCache;
}

export interface OpenedFile extends OpenedStore {
  path: string;
  bytes: Uint8Array;
}

const defaultNow = () => new Date().toISOString();
const defaultRand: RandomBytes = (n) => nacl.randomBytes(n);

function kdfParams(options: WriteOptions) {
  return checkKdfParams(options.logN ?? defaultLogN, 8, 1, 'write', 'scrypt cost');
}

export async function openStoreBytes(
  bytes: Uint8Array,
  creds: ResolvedCredentials,
  where: string,
  caches: { keys?: KeyCache; entries?: EntryCache; decrypt?: boolean } = {},
): Promise<OpenedStore> {
  const doc = parseStore(bytes, where);
  const fk = await unlock(doc, creds, where, caches.keys);
  const options: OpenOptions = { signers: creds.signers };
  if (caches.entries) options.cache = caches.entries;
  if (caches.decrypt === false) options.decrypt = false;
  return openDoc(doc, fk, where, options);
}

export async function openStore(path: string, credentials: StoreCredentials): Promise<OpenedFile> {
  const bytes = await readStoreFile(path);
  const opened = await openStoreBytes(bytes, resolveCredentials(credentials), path);
  return { ...opened, path, bytes };
}

/** Serialises, re-verifies in memory (decrypting only entries that differ from `previous`), and
 *  replaces the file atomically. */
function save(path: string, next: OpenedStore, previous: OpenedStore | undefined, mode: number): Uint8Array {
  const bytes = encodeUtf8(serializeStore(next.doc));
  const check = parseStore(bytes, path);
  verifyDoc(check, next.fk, path, previous && bytesEqual(previous.fk, next.fk) ? previous.doc.entries : undefined);
  if (check.entries.size !== next.doc.entries.size || check.generation !== next.doc.generation) {
    throw E.HUSH_ERR_STORE_IO(path, 'self-check of the new file failed; the store was not changed');
  }
  writeFileAtomic(path, bytes, mode);
  return bytes;
}

export interface CreateOptions extends WriteOptions {
  /** `hush-recipient-1:` keys; when given the store is in recipients mode. */
  recipients?: string[];
}

export async function createStore(path: string, credentials: StoreCredentials, options: CreateOptions = {}): Promise<OpenedFile> {
  const creds = resolveCredentials(credentials);
  const rand = options.rand ?? defaultRand;
  const fk = rand(32);
  let wrap: Wrap;
  if (options.recipients && options.recipients.length > 0) {
    const keys = options.recipients.map((r) => decodeKey(recipientPrefix, r, 'recipient'));
    wrap = wrapForRecipients(fk, dedupe(keys), rand);
  } else {
    if (creds.passphrase === undefined) throw E.HUSH_ERR_STORE_NO_KEY(path, 'a new store needs a passphrase or --recipient keys');
    checkNewPassphrase(creds.passphrase);
    wrap = await wrapWithPassphrase(fk, creds.passphrase, kdfParams(options), rand);
  }
  const sealOpts = creds.identity ? { rand, signer: creds.identity } : { rand };
  const next = sealAll(wrap, fk, 1, new Map(), sealOpts);
  return withLock(path, async () => {
    const target = await checkWritableTarget(path);
    if (target.exists) throw E.HUSH_ERR_STORE_EXISTS(path);
    const bytes = save(path, next, undefined, 0o600);
    return { ...next, path, bytes };
  }, lockOpts(options));
}

export function checkNewPassphrase(passphrase: string): void {
  if (passphrase.length === 0) throw E.HUSH_ERR_STORE_BAD_PASSPHRASE('an empty passphrase is not allowed');
}

function dedupe(keys: Uint8Array[]): Uint8Array[] {
  const seen = new Set<string>();
  return keys.filter((k) => {
    const hex = Buffer.from(k).toString('hex');
    if (seen.has(hex)) return false;
    seen.add(hex);
    return true;
  });
}

function lockOpts(options: WriteOptions) {
  return options.lockTimeoutMs !== undefined ? { timeoutMs: options.lockTimeoutMs } : {};
}

export interface RewriteContext {
  current: OpenedFile;
  creds: ResolvedCredentials;
  rand: RandomBytes;
  now: () => string;
  kdf: { logN: number; r: number; p: number };
  sealOptions: { rand: RandomBytes; signer?: NonNullable<ResolvedCredentials['identity']> };
}

/** Locked read-modify-write. `transform` returns the new store, or undefined for "no change". */
export async function rewriteStore(
  path: string,
  credentials: StoreCredentials,
  transform: (ctx: RewriteContext) => Promise<OpenedStore | undefined> | OpenedStore | undefined,
  options: WriteOptions & { decryptAll?: boolean } = {},
): Promise<OpenedFile> {
  const creds = resolveCredentials(credentials);
  const rand = options.rand ?? defaultRand;
  const now = options.now ?? defaultNow;
  return withLock(path, async () => {
    sweepTemporaries(path, isAlive);
    const target = await checkWritableTarget(path);
    const bytes = await readStoreFile(path);
    const caches: { keys?: KeyCache; decrypt?: boolean } = { decrypt: options.decryptAll !== false };
    if (options.keys) caches.keys = options.keys;
    const opened = await openStoreBytes(bytes, creds, path, caches);
    const current: OpenedFile = { ...opened, path, bytes };
    const sealOptions = creds.identity ? { rand, signer: creds.identity } : { rand };
    const next = await transform({ current, creds, rand, now, kdf: kdfParams(options), sealOptions });
    if (!next) return current;
    const written = save(path, next, opened, target.mode);
    return { ...next, path, bytes: written };
  }, lockOpts(options));
}

/** Sets and deletes entries (null deletes) in one save. Only the entries named in the change
 *  are decrypted (the MAC still covers the whole file), so a set in a big store stays cheap;
 *  the returned `values` hold just those. */
export function updateEntries(
  path: string,
  credentials: StoreCredentials,
  changes: (current: OpenedStore, now: string) => Map<string, Uint8Array | null>,
  options: WriteOptions = {},
): Promise<OpenedFile> {
  return rewriteStore(path, credentials, (ctx) => {
    const stamp = ctx.now();
    const wanted = changes(ctx.current, stamp);
    const effective = new Map<string, EntryValue | null>();
    for (const [name, value] of wanted) {
      const old = entryValue(ctx.current, name, path);
      if (value === null) {
        if (old) effective.set(name, null);
      } else if (!old || Buffer.compare(old.value, value) !== 0) {
        effective.set(name, { value, updatedAt: stamp });
      }
    }
    if (effective.size === 0) return undefined;
    return sealChanges(ctx.current, effective, ctx.sealOptions);
  }, { ...options, decryptAll: false });
}

export function setEntry(path: string, credentials: StoreCredentials, name: string, value: Uint8Array, options: WriteOptions = {}) {
  return updateEntries(path, credentials, () => new Map([[name, value]]), options);
}

export function removeEntry(path: string, credentials: StoreCredentials, name: string, options: WriteOptions = {}) {
  return updateEntries(path, credentials, (current) => {
    if (!current.doc.entries.has(name)) throw E.HUSH_ERR_STORE_NO_ENTRY(path, name);
    return new Map([[name, null]]);
  }, options);
}

/** Re-wraps the same file key under a new passphrase: entries keep their bytes. */
export function changePassphrase(path: string, credentials: StoreCredentials, newPassphrase: string, options: WriteOptions = {}) {
  checkNewPassphrase(newPassphrase);
  return rewriteStore(path, credentials, async (ctx) => {
    if (ctx.current.doc.wrap.mode !== 'scrypt') {
      throw E.HUSH_ERR_STORE_RECIPIENTS(path, "this store uses recipients, not a passphrase; use 'hush store recipients'");
    }
    const wrap = await wrapWithPassphrase(ctx.current.fk, newPassphrase, ctx.kdf, ctx.rand);
    return sealChanges(ctx.current, new Map(), ctx.sealOptions, wrap);
  }, options);
}

/** A new file key and fresh nonces for every entry, wrapped for the same passphrase, or for the
 *  store's recipients (or `recipients`, public key bytes, when given). */
export async function rekey(ctx: RewriteContext, recipients?: Uint8Array[]): Promise<OpenedStore> {
  const fk = ctx.rand(32);
  const old = ctx.current.doc.wrap;
  let wrap: Wrap;
  if (old.mode === 'scrypt') {
    wrap = await wrapWithPassphrase(fk, ctx.creds.passphrase!, ctx.kdf, ctx.rand);
  } else {
    wrap = wrapForRecipients(fk, recipients ?? old.recipients.map((s) => s.pk), ctx.rand);
  }
  return sealAll(wrap, fk, ctx.current.doc.generation + 1, ctx.current.values, ctx.sealOptions);
}

export function rotateKey(path: string, credentials: StoreCredentials, options: WriteOptions = {}) {
  return rewriteStore(path, credentials, (ctx) => rekey(ctx), options);
}

function recipientMode(ctx: RewriteContext): X25519Wrap {
  const wrap = ctx.current.doc.wrap;
  if (wrap.mode !== 'x25519') {
    throw E.HUSH_ERR_STORE_RECIPIENTS(ctx.current.path, 'this store is locked with a passphrase, not recipients');
  }
  return wrap;
}

/** Adds a recipient: the same file key, wrapped once more. Entries keep their bytes. */
export function addRecipient(path: string, credentials: StoreCredentials, recipient: string, options: WriteOptions = {}) {
  const pk = decodeKey(recipientPrefix, recipient, 'recipient');
  return rewriteStore(path, credentials, (ctx) => {
    const wrap = recipientMode(ctx);
    if (wrap.recipients.some((s) => bytesEqual(s.pk, pk))) return undefined;
    const recipients = [...wrap.recipients, wrapForRecipient(ctx.current.fk, pk, ctx.rand)];
    recipients.sort((a, b) => Buffer.compare(a.pk, b.pk));
    return sealChanges(ctx.current, new Map(), ctx.sealOptions, { mode: 'x25519', recipients });
  }, options);
}

/** Removes a recipient and rotates: a new file key, so the removed key opens no future save. */
export function removeRecipient(path: string, credentials: StoreCredentials, recipient: string, options: WriteOptions = {}) {
  const pk = decodeKey(recipientPrefix, recipient, 'recipient');
  return rewriteStore(path, credentials, (ctx) => {
    const wrap = recipientMode(ctx);
    const rest = wrap.recipients.filter((s) => !bytesEqual(s.pk, pk)).map((s) => s.pk);
    if (rest.length === wrap.recipients.length) throw E.HUSH_ERR_STORE_RECIPIENTS(path, 'that key is not a recipient of this store');
    if (rest.length === 0) throw E.HUSH_ERR_STORE_RECIPIENTS(path, 'cannot remove the last recipient');
    return rekey(ctx, rest);
  }, options);
}

export type { StoreDoc };
