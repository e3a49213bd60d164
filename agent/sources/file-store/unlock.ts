// Turning credentials into the file key, with a cache keyed by the exact wrap section, so the
// KDF (about 0.6 s at the default cost) runs once per key change, not once per read.

import { E } from './errors';
import { StoreDoc, serializeWrap } from './format';
import type { ResolvedCredentials } from './credentials';
import { unwrapWithIdentity, unwrapWithPassphrase } from './wrap';

export class KeyCache {
  private wrapText: string | undefined;
  private fk: Uint8Array | undefined;

  constructor(private readonly onMiss: () => void = () => {}) {}

  get(doc: StoreDoc): Uint8Array | undefined {
    return this.wrapText === serializeWrap(doc.wrap) ? this.fk : undefined;
  }

  set(doc: StoreDoc, fk: Uint8Array): void {
    this.onMiss();
    this.wrapText = serializeWrap(doc.wrap);
    this.fk = fk;
  }
}

export async function unlock(doc: StoreDoc, creds: ResolvedCredentials, where: string, cache?: KeyCache): Promise<Uint8Array> {
  const cached = cache?.get(doc);
  if (cached) return cached;
  let fk: Uint8Array;
  if (doc.wrap.mode === 'scrypt') {
    if (creds.passphrase === undefined) {
      throw E.HUSH_ERR_STORE_NO_KEY(where, 'this store is locked with a passphrase: set HUSH_STORE_PASSPHRASE or give --passphrase-file');
    }
    fk = await unwrapWithPassphrase(doc.wrap, creds.passphrase, where);
  } else {
    if (!creds.identity) {
      throw E.HUSH_ERR_STORE_NO_KEY(where, 'this store is encrypted to recipients: set HUSH_STORE_IDENTITY to your identity file');
    }
    fk = unwrapWithIdentity(doc.wrap, creds.identity, where);
  }
  cache?.set(doc, fk);
  return fk;
}
