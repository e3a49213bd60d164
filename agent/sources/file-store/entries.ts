// One entry: secretbox(frame, nonce, entryKey). The frame is a small JSON object that carries
// the entry's own name, so a ciphertext moved to another name fails to open:
//   {"k": name, "v": value, "e": "utf8" | "b64", "t": updated-at (ISO 8601)}
// The timestamp is inside the ciphertext: it stays private and changes only with the value.

import nacl from 'tweetnacl';
import { E } from './errors';
import { decodeUtf8, encodeUtf8, fromB64, toB64 } from './encoding';
import type { SealedEntry } from './format';

export const maxValueBytes = 1024 * 1024;

export interface EntryValue {
  value: Uint8Array;
  updatedAt: string;
}

export function sealEntry(name: string, item: EntryValue, entryKey: Uint8Array, nonce: Uint8Array): SealedEntry {
  if (item.value.length > maxValueBytes) throw E.HUSH_ERR_STORE_VALUE_TOO_LARGE(name, item.value.length, maxValueBytes);
  const text = decodeUtf8(item.value);
  const frame = text !== undefined
    ? { k: name, v: text, e: 'utf8', t: item.updatedAt }
    : { k: name, v: toB64(item.value), e: 'b64', t: item.updatedAt };
  return { n: nonce, c: nacl.secretbox(Buffer.from(JSON.stringify(frame), 'utf8'), nonce, entryKey) };
}

export function openEntry(name: string, entry: SealedEntry, entryKey: Uint8Array, where: string): EntryValue {
  const plain = nacl.secretbox.open(entry.c, entry.n, entryKey);
  if (!plain) throw E.HUSH_ERR_STORE_ENTRY_CORRUPT(where, name);
  let frame: { k?: unknown; v?: unknown; e?: unknown; t?: unknown };
  try {
    frame = JSON.parse(Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength).toString('utf8'));
  } catch {
    throw E.HUSH_ERR_STORE_ENTRY_CORRUPT(where, name);
  }
  if (frame.k !== name) throw E.HUSH_ERR_STORE_ENTRY_SWAPPED(where, name);
  if (typeof frame.v !== 'string' || typeof frame.t !== 'string') throw E.HUSH_ERR_STORE_ENTRY_CORRUPT(where, name);
  let value: Uint8Array | undefined;
  if (frame.e === 'utf8') value = encodeUtf8(frame.v);
  else if (frame.e === 'b64') {
    const raw = fromB64(frame.v);
    value = raw && new Uint8Array(raw); // its own memory, not a view into Buffer's shared pool
  }
  if (!value) throw E.HUSH_ERR_STORE_ENTRY_CORRUPT(where, name);
  return { value, updatedAt: frame.t };
}
