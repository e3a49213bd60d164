// Builders for in-memory stores used by the store unit tests. Low scrypt cost (logN 15).

import nacl from 'tweetnacl';
import type { EntryValue } from '../../agent/sources/file-store/entries';
import { parseStore, serializeStore } from '../../agent/sources/file-store/format';
import { identityFromSeed, type Identity } from '../../agent/sources/file-store/identity';
import { sealAll, type OpenedStore } from '../../agent/sources/file-store/model';
import { wrapForRecipients, wrapWithPassphrase } from '../../agent/sources/file-store/wrap';

export const rand = (n: number) => nacl.randomBytes(n);
export const stamp = '2025-01-02T03:04:05.000Z';

export function values(map: Record<string, string | Uint8Array>): Map<string, EntryValue> {
  return new Map(
    Object.entries(map).map(([k, v]) => [k, { value: typeof v === 'string' ? new Uint8Array(Buffer.from(v)) : v, updatedAt: stamp }]),
  );
}

export function identity(seedByte: number): Identity {
  return identityFromSeed(new Uint8Array(32).fill(seedByte));
}

export interface Built {
  store: OpenedStore;
  bytes: Uint8Array;
  text: string;
}

export function built(store: OpenedStore): Built {
  const text = serializeStore(store.doc);
  return { store, text, bytes: new Uint8Array(Buffer.from(text)) };
}

export async function passphraseStore(map: Record<string, string | Uint8Array>, passphrase = 'correct horse'): Promise<Built> {
  const fk = rand(32);
  const wrap = await wrapWithPassphrase(fk, passphrase, { logN: 15, r: 8, p: 1 }, rand);
  return built(sealAll(wrap, fk, 1, values(map), { rand }));
}

export function recipientStore(map: Record<string, string | Uint8Array>, ids: Identity[], signer?: Identity): Built {
  const fk = rand(32);
  const wrap = wrapForRecipients(fk, ids.map((i) => i.boxPublicKey), rand);
  return built(sealAll(wrap, fk, 1, values(map), signer ? { rand, signer } : { rand }));
}

export function bytesOf(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text));
}

export function reparse(text: string) {
  return parseStore(bytesOf(text), 'test.hush');
}

/** Runs fn and returns the HushError code it threw (or 'no error'). */
export async function codeOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
    return 'no error';
  } catch (err) {
    return (err as { code?: string }).code ?? `non-hush error: ${String(err)}`;
  }
}
