// The key hierarchy: a random 32-byte file key FK, and two subkeys derived from it with HKDF
// (one for entries, one for the whole-file MAC), so the MAC key never encrypts anything.
// The MAC covers every field except itself and the signature, in a length-prefixed encoding.

import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { AEAD, FORMAT, StoreDoc, VERSION, Wrap } from './format';
import { compareNames } from './names';

export const fileKeyLength = 32;

export interface SubKeys {
  entry: Uint8Array;
  mac: Uint8Array;
}

export function deriveSubKeys(fk: Uint8Array): SubKeys {
  const derive = (info: string) => new Uint8Array(hkdfSync('sha256', fk, new Uint8Array(0), info, 32));
  return { entry: derive('hush/v1/entry'), mac: derive('hush/v1/mac') };
}

function frame(h: ReturnType<typeof createHmac>, data: Uint8Array | string): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  h.update(len);
  h.update(bytes);
}

function frameWrap(h: ReturnType<typeof createHmac>, wrap: Wrap): void {
  frame(h, wrap.mode);
  if (wrap.mode === 'scrypt') {
    frame(h, String(wrap.logN));
    frame(h, String(wrap.r));
    frame(h, String(wrap.p));
    frame(h, wrap.salt);
    frame(h, wrap.nonce);
    frame(h, wrap.key);
  } else {
    frame(h, String(wrap.recipients.length));
    for (const s of wrap.recipients) {
      frame(h, s.pk);
      frame(h, s.epk);
      frame(h, s.nonce);
      frame(h, s.key);
    }
  }
}

export function computeMac(doc: Omit<StoreDoc, 'mac' | 'sig'>, macKey: Uint8Array): Uint8Array {
  const h = createHmac('sha256', macKey);
  frame(h, FORMAT);
  frame(h, String(VERSION));
  frame(h, AEAD);
  frameWrap(h, doc.wrap);
  frame(h, String(doc.generation));
  const names = [...doc.entries.keys()].sort(compareNames);
  frame(h, String(names.length));
  for (const name of names) {
    const entry = doc.entries.get(name)!;
    const nameBytes = Buffer.from(name, 'utf8');
    const buf = Buffer.allocUnsafe(12 + nameBytes.length + entry.n.length + entry.c.length);
    let at = buf.writeUInt32BE(nameBytes.length, 0);
    at += nameBytes.copy(buf, at);
    at = buf.writeUInt32BE(entry.n.length, at);
    buf.set(entry.n, at);
    at += entry.n.length;
    at = buf.writeUInt32BE(entry.c.length, at);
    buf.set(entry.c, at);
    h.update(buf); // the same bytes as frame(name), frame(n), frame(c)
  }
  return new Uint8Array(h.digest());
}

export function macMatches(doc: StoreDoc, macKey: Uint8Array): boolean {
  return timingSafeEqual(computeMac(doc, macKey), doc.mac);
}
