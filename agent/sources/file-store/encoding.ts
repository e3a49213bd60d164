// Byte helpers: strict base64 (the canonical encoding only, so one value has one spelling and
// a flipped character can never decode to the same bytes) and strict UTF-8.


export function toB64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

const b64Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const b64Value = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) b64Value[b64Alphabet.charCodeAt(i)] = i;

/** Decodes canonical base64, or returns undefined for anything else. Canonical means: the
 *  alphabet, padding to a multiple of 4, and zero bits in the unused tail of the last
 *  character, so that one byte string has exactly one spelling. */
export function fromB64(text: string): Uint8Array | undefined {
  const len = text.length;
  if (len % 4 !== 0) return undefined;
  const pad = len > 0 && text.charCodeAt(len - 1) === 61 ? (text.charCodeAt(len - 2) === 61 ? 2 : 1) : 0;
  if (pad > 0 && (b64Value[text.charCodeAt(len - pad - 1)] ?? -1) & (pad === 2 ? 0x0f : 0x03)) return undefined;
  // Node's decoder skips characters outside the alphabet (and stops at '='), so any of those
  // shows as a short result; it also accepts the URL-safe '-' and '_', which we refuse.
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== (len / 4) * 3 - pad || text.includes('-') || text.includes('_')) return undefined;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function toB64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

export function fromB64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) return undefined;
  return new Uint8Array(bytes);
}

/** Decodes UTF-8, or returns undefined when the bytes are not valid UTF-8. */
export { decodeText as decodeUtf8 } from '../../core/values';

/** UTF-8 bytes in a Uint8Array of their own (not a view into Buffer's shared pool, whose
 *  other bytes may belong to other values). */
export function encodeUtf8(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf8'));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}
