// Identities and public keys as text. An identity is a 32-byte seed; from it we derive an
// X25519 key pair (to unwrap the file key) and an Ed25519 key pair (to sign what we write),
// with separate HKDF labels so the two never share key material.
//   hush-identity-1:<base64url(seed || check)>     secret, in a 0600 file
//   hush-recipient-1:<base64url(x25519 pk || check)>  give to store owners
//   hush-signer-1:<base64url(ed25519 pk || check)>    pin in readers' signer lists
// check = first 4 bytes of sha256(prefix || key): a mistyped key is refused, not misused.

import { createHash, hkdfSync } from 'node:crypto';
import nacl from 'tweetnacl';
import { E } from './errors';
import { bytesEqual, fromB64Url, toB64Url } from './encoding';

export const identityPrefix = 'hush-identity-1:';
export const recipientPrefix = 'hush-recipient-1:';
export const signerPrefix = 'hush-signer-1:';

export interface Identity {
  boxSecretKey: Uint8Array;
  boxPublicKey: Uint8Array;
  signSecretKey: Uint8Array;
  signPublicKey: Uint8Array;
}

function checksum(prefix: string, key: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(prefix).update(key).digest().subarray(0, 4));
}

export function encodeKey(prefix: string, key: Uint8Array): string {
  const body = new Uint8Array(key.length + 4);
  body.set(key);
  body.set(checksum(prefix, key), key.length);
  return prefix + toB64Url(body);
}

export function decodeKey(prefix: string, text: string, where: string): Uint8Array {
  const what = prefix.slice(0, -1);
  if (!text.startsWith(prefix)) throw E.HUSH_ERR_STORE_BAD_KEY_TEXT(where, `expected a ${what} key starting with '${prefix}'`);
  const body = fromB64Url(text.slice(prefix.length));
  if (!body || body.length !== 36) throw E.HUSH_ERR_STORE_BAD_KEY_TEXT(where, `malformed ${what} key`);
  const key = body.subarray(0, 32);
  if (!bytesEqual(body.subarray(32), checksum(prefix, key))) {
    throw E.HUSH_ERR_STORE_BAD_KEY_TEXT(where, `${what} key checksum does not match (mistyped?)`);
  }
  return new Uint8Array(key);
}

export function identityFromSeed(seed: Uint8Array): Identity {
  const derive = (info: string) => new Uint8Array(hkdfSync('sha256', seed, new Uint8Array(0), info, 32));
  const box = nacl.box.keyPair.fromSecretKey(derive('hush/v1/identity/x25519'));
  const sign = nacl.sign.keyPair.fromSeed(derive('hush/v1/identity/ed25519'));
  return {
    boxSecretKey: box.secretKey,
    boxPublicKey: box.publicKey,
    signSecretKey: sign.secretKey,
    signPublicKey: sign.publicKey,
  };
}

/** Parses the text of an identity file: comments (#) and blank lines, and one identity line. */
export function parseIdentityText(text: string, where: string): Identity {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length !== 1) throw E.HUSH_ERR_STORE_BAD_KEY_TEXT(where, `expected exactly one '${identityPrefix}' line, found ${lines.length}`);
  return identityFromSeed(decodeKey(identityPrefix, lines[0]!, where));
}

export function identityFileText(seed: Uint8Array): string {
  const id = identityFromSeed(seed);
  return (
    '# hush store identity: keep this file secret (mode 0600)\n' +
    `# recipient: ${encodeKey(recipientPrefix, id.boxPublicKey)}\n` +
    `# signer: ${encodeKey(signerPrefix, id.signPublicKey)}\n` +
    encodeKey(identityPrefix, seed) +
    '\n'
  );
}

/** Parses a list of pinned signer keys (one per line, # comments allowed). */
export function parseSignerList(text: string, where: string): Uint8Array[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => decodeKey(signerPrefix, l, where));
}
