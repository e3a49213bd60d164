// Content digests, `sha256:<64 hex>`: their form only. Hashing is in hashing.ts, which loads
// node:crypto; a run of a stored image needs neither it nor node:stream.

const digestPattern = /^sha256:[a-f0-9]{64}$/;

export function isDigest(text: unknown): text is string {
  return typeof text === 'string' && digestPattern.test(text);
}

export function digestHex(digest: string): string {
  return digest.slice('sha256:'.length);
}
