// Opening and sealing a parsed store with its file key. Pure: the clock and randomness are
// arguments, and nothing here touches the filesystem.

import nacl from 'tweetnacl';
import { E } from './errors';
import { bytesEqual, concatBytes, encodeUtf8, toB64 } from './encoding';
import { EntryValue, openEntry, sealEntry } from './entries';
import { entryText, type SealedEntry, type StoreDoc, type Wrap } from './format';
import { computeMac, deriveSubKeys, macMatches } from './keys';
import type { Identity } from './identity';
import { checkName } from './names';
import type { RandomBytes } from './wrap';

export interface OpenedStore {
  doc: StoreDoc;
  fk: Uint8Array;
  values: Map<string, EntryValue>;
}

/** Plaintext of entries already opened, keyed by name, to skip re-decrypting unchanged ones. */
export type EntryCache = Map<string, { entry: SealedEntry; item: EntryValue }>;

export interface OpenOptions {
  /** Pinned Ed25519 signer public keys; when non-empty a valid signature by one is required. */
  signers?: Uint8Array[];
  cache?: EntryCache;
  /** false: check the MAC (and signature) but decrypt no entry; `values` starts empty and
   *  entryValue() decrypts on demand. For writes that touch a few entries of a big store. */
  decrypt?: boolean;
}

const sigContext = encodeUtf8('hush/v1/sig\0');

/** Decrypts every entry (checking each is bound to its name), then checks the file MAC. */
export function openDoc(doc: StoreDoc, fk: Uint8Array, where: string, options: OpenOptions = {}): OpenedStore {
  const keys = deriveSubKeys(fk);
  const values = new Map<string, EntryValue>();
  const cache = options.cache;
  for (const [name, entry] of options.decrypt === false ? [] : doc.entries) {
    const hit = cache?.get(name);
    if (hit && bytesEqual(hit.entry.n, entry.n) && bytesEqual(hit.entry.c, entry.c)) {
      values.set(name, hit.item);
      continue;
    }
    values.set(name, openEntry(name, entry, keys.entry, where));
  }
  if (!macMatches(doc, keys.mac)) throw E.HUSH_ERR_STORE_MAC(where);
  checkSignature(doc, where, options.signers ?? []);
  if (cache && options.decrypt !== false) {
    cache.clear();
    for (const [name, entry] of doc.entries) cache.set(name, { entry, item: values.get(name)! });
  }
  return { doc, fk, values };
}

/** The value of `name`, decrypting it if the store was opened without decrypting. */
export function entryValue(store: OpenedStore, name: string, where: string): EntryValue | undefined {
  const known = store.values.get(name);
  if (known) return known;
  const entry = store.doc.entries.get(name);
  if (!entry) return undefined;
  const item = openEntry(name, entry, deriveSubKeys(store.fk).entry, where);
  store.values.set(name, item);
  return item;
}

/** The self-check of a save: the MAC of `doc`, and every entry that is not byte-identical to
 *  one in `verified` (entries already opened under the same key) decrypts under its name. */
export function verifyDoc(doc: StoreDoc, fk: Uint8Array, where: string, verified?: ReadonlyMap<string, SealedEntry>): void {
  const keys = deriveSubKeys(fk);
  for (const [name, entry] of doc.entries) {
    const old = verified?.get(name);
    if (old && bytesEqual(old.n, entry.n) && bytesEqual(old.c, entry.c)) continue;
    openEntry(name, entry, keys.entry, where);
  }
  if (!macMatches(doc, keys.mac)) throw E.HUSH_ERR_STORE_MAC(where);
}

function checkSignature(doc: StoreDoc, where: string, signers: Uint8Array[]): void {
  if (signers.length === 0) return;
  const sig = doc.sig;
  if (!sig) throw E.HUSH_ERR_STORE_SIGNATURE(where, 'the file is not signed, and signer keys are pinned');
  if (!signers.some((k) => bytesEqual(k, sig.kid))) {
    throw E.HUSH_ERR_STORE_SIGNATURE(where, 'signed by a key that is not among the pinned signers');
  }
  if (!nacl.sign.detached.verify(concatBytes(sigContext, doc.mac), sig.sig, sig.kid)) {
    throw E.HUSH_ERR_STORE_SIGNATURE(where, 'the signature does not verify');
  }
}

export interface SealOptions {
  rand: RandomBytes;
  /** Signs the result when given. */
  signer?: Identity;
}

/** Applies changes (a value, or null to delete) on top of `base` and re-MACs: generation + 1.
 *  Unchanged entries keep their nonce and ciphertext, hence their exact bytes in the file. */
export function sealChanges(
  base: OpenedStore,
  changes: ReadonlyMap<string, EntryValue | null>,
  options: SealOptions,
  wrap: Wrap = base.doc.wrap,
): OpenedStore {
  const keys = deriveSubKeys(base.fk);
  const entries = new Map(base.doc.entries);
  const values = new Map(base.values);
  const nonce = nonceSource(entries, options.rand);
  for (const [name, item] of changes) {
    checkName(name);
    if (item === null) {
      entries.delete(name);
      values.delete(name);
    } else {
      entries.set(name, sealEntry(name, item, keys.entry, nonce()));
      values.set(name, item);
    }
  }
  return finish({ wrap, generation: base.doc.generation + 1, entries }, base.fk, values, options);
}

/** Seals every value afresh under `fk` (new nonces): used by create, rotate and merge. */
export function sealAll(
  wrap: Wrap,
  fk: Uint8Array,
  generation: number,
  values: ReadonlyMap<string, EntryValue>,
  options: SealOptions,
  keep?: ReadonlyMap<string, SealedEntry>,
): OpenedStore {
  const keys = deriveSubKeys(fk);
  const entries = new Map<string, SealedEntry>();
  const nonce = nonceSource(new Map(keep ?? []), options.rand);
  for (const [name, item] of values) {
    checkName(name);
    const kept = keep?.get(name);
    entries.set(name, kept ?? sealEntry(name, item, keys.entry, nonce()));
  }
  return finish({ wrap, generation, entries }, fk, new Map(values), options);
}

/** Draws nonces that no entry of the store uses. 192-bit random nonces do not collide in
 *  practice; the check turns that into a certainty (a reused nonce is refused on read). */
function nonceSource(entries: Map<string, SealedEntry>, rand: RandomBytes): () => Uint8Array {
  const used = new Set<string>();
  for (const e of entries.values()) used.add(entryText(e).n);
  return () => {
    for (;;) {
      const n = rand(24);
      const text = toB64(n);
      if (!used.has(text)) {
        used.add(text);
        return n;
      }
    }
  };
}

function finish(
  partial: Omit<StoreDoc, 'mac' | 'sig'>,
  fk: Uint8Array,
  values: Map<string, EntryValue>,
  options: SealOptions,
): OpenedStore {
  const keys = deriveSubKeys(fk);
  const doc: StoreDoc = { ...partial, mac: computeMac(partial, keys.mac) };
  if (options.signer) {
    doc.sig = {
      kid: options.signer.signPublicKey,
      sig: nacl.sign.detached(concatBytes(sigContext, doc.mac), options.signer.signSecretKey),
    };
  }
  return { doc, fk, values };
}
