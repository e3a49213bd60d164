// Wrapping the file key. A store uses exactly one mode:
// - scrypt: KEK = scrypt(NFC(passphrase), "hush/v1/scrypt" || salt), key = secretbox(FK, nonce, KEK)
// - x25519: per recipient, a fresh ephemeral key pair; key = box(FK, nonce, recipientPK, ephSK)
// Randomness comes in as an argument; scrypt runs on the libuv pool (async).

import { scrypt } from 'node:crypto';
import nacl from 'tweetnacl';
import { E } from './errors';
import { bytesEqual, concatBytes, encodeUtf8 } from './encoding';
import type { RecipientStanza, ScryptWrap, X25519Wrap } from './format';
import type { Identity } from './identity';
import { KdfParams, scryptMaxmem } from './kdf-params';

export type RandomBytes = (n: number) => Uint8Array;

export function normalizePassphrase(passphrase: string): string {
  return passphrase.normalize('NFC');
}

export function deriveKek(passphrase: string, params: KdfParams, salt: Uint8Array): Promise<Uint8Array> {
  const fullSalt = concatBytes(encodeUtf8('hush/v1/scrypt'), salt);
  return new Promise((resolve, reject) => {
    scrypt(
      normalizePassphrase(passphrase),
      fullSalt,
      32,
      { N: 2 ** params.logN, r: params.r, p: params.p, maxmem: scryptMaxmem(params) },
      (err, key) => (err ? reject(err) : resolve(new Uint8Array(key))),
    );
  });
}

export async function wrapWithPassphrase(fk: Uint8Array, passphrase: string, params: KdfParams, rand: RandomBytes): Promise<ScryptWrap> {
  const salt = rand(16);
  const nonce = rand(24);
  const kek = await deriveKek(passphrase, params, salt);
  return { mode: 'scrypt', ...params, salt, nonce, key: nacl.secretbox(fk, nonce, kek) };
}

export async function unwrapWithPassphrase(wrap: ScryptWrap, passphrase: string, where: string): Promise<Uint8Array> {
  const kek = await deriveKek(passphrase, wrap, wrap.salt);
  const fk = nacl.secretbox.open(wrap.key, wrap.nonce, kek);
  if (!fk || fk.length !== 32) throw E.HUSH_ERR_STORE_WRONG_KEY(where, 'wrong passphrase, or the key section of the file is damaged');
  return fk;
}

export function wrapForRecipient(fk: Uint8Array, publicKey: Uint8Array, rand: RandomBytes): RecipientStanza {
  const eph = nacl.box.keyPair.fromSecretKey(rand(32));
  const nonce = rand(24);
  return { pk: publicKey, epk: eph.publicKey, nonce, key: nacl.box(fk, nonce, publicKey, eph.secretKey) };
}

export function wrapForRecipients(fk: Uint8Array, publicKeys: Uint8Array[], rand: RandomBytes): X25519Wrap {
  const recipients = publicKeys.map((pk) => wrapForRecipient(fk, pk, rand));
  recipients.sort((a, b) => Buffer.compare(a.pk, b.pk));
  return { mode: 'x25519', recipients };
}

export function unwrapWithIdentity(wrap: X25519Wrap, identity: Identity, where: string): Uint8Array {
  const stanza = wrap.recipients.find((s) => bytesEqual(s.pk, identity.boxPublicKey));
  if (!stanza) throw E.HUSH_ERR_STORE_WRONG_KEY(where, 'this identity is not one of the store\'s recipients');
  const fk = nacl.box.open(stanza.key, stanza.nonce, stanza.epk, identity.boxSecretKey);
  if (!fk || fk.length !== 32) throw E.HUSH_ERR_STORE_WRONG_KEY(where, 'the recipient entry for this identity does not open (damaged)');
  return fk;
}
