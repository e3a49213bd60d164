import { describe, it, expect } from 'vitest';
import nacl from 'tweetnacl';
import { resolveCredentials, type StoreCredentials } from '../../agent/sources/file-store/credentials';
import { maxValueBytes } from '../../agent/sources/file-store/entries';
import { encodeKey, identityPrefix, signerPrefix } from '../../agent/sources/file-store/identity';
import { sealAll, sealChanges } from '../../agent/sources/file-store/model';
import { serializeStore } from '../../agent/sources/file-store/format';
import { openStoreBytes, checkNewPassphrase } from '../../agent/sources/file-store/store-file';
import { wrapForRecipients } from '../../agent/sources/file-store/wrap';
import { bytesOf, codeOf, identity, passphraseStore, rand, recipientStore, values, built } from './store-fixtures';

const SECRET = 'S3CRET-value-never-printed';
const where = 'test.hush';
const idText = (seedByte: number) => encodeKey(identityPrefix, new Uint8Array(32).fill(seedByte));
const open = (bytes: Uint8Array | string, creds: StoreCredentials) =>
  openStoreBytes(typeof bytes === 'string' ? bytesOf(bytes) : bytes, resolveCredentials(creds), where);

/** The code of the error, after checking its message does not carry the secret. */
async function failure(fn: () => unknown): Promise<string> {
  try {
    await fn();
    return 'no error';
  } catch (err) {
    expect(String((err as Error).message)).not.toContain(SECRET);
    return (err as { code?: string }).code ?? String(err);
  }
}

function flipB64(b64: string, bit = 0): string {
  const bytes = Buffer.from(b64, 'base64');
  bytes[Math.floor(bit / 8) % bytes.length]! ^= 1 << (bit % 8);
  return bytes.toString('base64');
}

describe('values round-trip', () => {
  it('keeps text, multi-line, unicode, empty and binary values exactly', async () => {
    const binary = Uint8Array.from({ length: 256 }, (_, i) => i);
    const map = { text: SECRET, multi: 'line one\nline two\r\n\ttabbed\n', uni: 'pässwörd ✓ 🔑', empty: '', bin: binary, invalid: new Uint8Array([0xff, 0xfe, 0x00, 0xc3]) };
    const { bytes } = await passphraseStore(map);
    expect(Buffer.from(bytes).toString()).not.toContain(SECRET);
    const opened = await open(bytes, { passphrase: 'correct horse' });
    for (const [name, item] of values(map)) expect(Buffer.from(opened.values.get(name)!.value)).toEqual(Buffer.from(item.value));
  });

  it('refuses a value over the size cap', async () => {
    const store = recipientStore({}, [identity(1)]).store;
    const big = new Uint8Array(maxValueBytes + 1);
    expect(await failure(() => sealChanges(store, new Map([['big', { value: big, updatedAt: 'x' }]]), { rand }))).toBe('HUSH_ERR_STORE_VALUE_TOO_LARGE');
  });
});

describe('passphrase mode', () => {
  it('opens with the passphrase, also when given in another Unicode normal form', async () => {
    const nfc = 'caf\u00e9-pass';
    const nfd = 'cafe\u0301-pass';
    const { bytes } = await passphraseStore({ a: SECRET }, nfc);
    expect((await open(bytes, { passphrase: nfd })).values.size).toBe(1);
  });

  it('refuses a wrong passphrase with one generic error, and a missing one', async () => {
    const { bytes } = await passphraseStore({ a: SECRET });
    expect(await failure(() => open(bytes, { passphrase: 'wrong' }))).toBe('HUSH_ERR_STORE_WRONG_KEY');
    expect(await failure(() => open(bytes, {}))).toBe('HUSH_ERR_STORE_NO_KEY');
    expect(await failure(() => open(bytes, { identity: idText(1) }))).toBe('HUSH_ERR_STORE_NO_KEY');
  });

  it('refuses an empty passphrase for a new store', async () => {
    expect(await failure(() => checkNewPassphrase(''))).toBe('HUSH_ERR_STORE_BAD_PASSPHRASE');
  });

  it('detects a flipped bit in each wrap field', async () => {
    const { text } = await passphraseStore({ a: SECRET });
    const wrap = JSON.parse(text).wrap;
    for (const field of ['salt', 'nonce', 'key']) {
      const bad = text.replace(`"${field}":"${wrap[field]}"`, `"${field}":"${flipB64(wrap[field], 9)}"`);
      expect(await failure(() => open(bad, { passphrase: 'correct horse' }))).toBe('HUSH_ERR_STORE_WRONG_KEY');
    }
    // logN 15 -> 14 (bit 0) is below the floor; 15 -> 13 likewise; r 8 -> 9 is a different KEK
    expect(await failure(() => open(text.replace('"logN":15', '"logN":14'), { passphrase: 'correct horse' }))).toBe('HUSH_ERR_STORE_KDF_PARAMS');
    expect(await failure(() => open(text.replace('"r":8', '"r":9'), { passphrase: 'correct horse' }))).toBe('HUSH_ERR_STORE_WRONG_KEY');
    expect(await failure(() => open(text.replace('"p":1', '"p":3'), { passphrase: 'correct horse' }))).toBe('HUSH_ERR_STORE_WRONG_KEY');
  });
});

describe('recipients mode', () => {
  it('opens for every recipient and for nobody else', async () => {
    const { bytes } = recipientStore({ a: SECRET }, [identity(1), identity(2)]);
    expect((await open(bytes, { identity: idText(1) })).values.get('a')).toBeDefined();
    expect((await open(bytes, { identity: idText(2) })).values.get('a')).toBeDefined();
    expect(await failure(() => open(bytes, { identity: idText(3) }))).toBe('HUSH_ERR_STORE_WRONG_KEY');
    expect(await failure(() => open(bytes, { passphrase: 'x' }))).toBe('HUSH_ERR_STORE_NO_KEY');
  });
});

describe('tampering', () => {
  const ids = [identity(1), identity(2)];
  const creds = { identity: idText(1) };

  it('detects a flipped bit in every field', async () => {
    const signer = identity(9);
    const { text } = recipientStore({ a: SECRET, 'b/c': 'other' }, ids, signer);
    const doc = JSON.parse(text);
    const signers = [encodeKey(signerPrefix, signer.signPublicKey)];
    expect(await failure(() => open(text, { ...creds, signers }))).toBe('no error');
    const cases: [string, string, string][] = [];
    // which recipient stanza is ours decides what a flip there does
    const mine = doc.wrap.recipients.findIndex((s: { pk: string }) => s.pk === Buffer.from(ids[0]!.boxPublicKey).toString('base64'));
    doc.wrap.recipients.forEach((s: Record<string, string>, i: number) => {
      for (const f of ['pk', 'epk', 'nonce', 'key']) {
        const expected = i === mine ? 'HUSH_ERR_STORE_WRONG_KEY' : 'HUSH_ERR_STORE_MAC';
        cases.push([`recipients[${i}].${f}`, `"${f}":"${s[f]}"`, expected]);
      }
    });
    for (const name of ['a', 'b/c']) {
      cases.push([`entries.${name}.n`, `"n":"${doc.entries[name].n}"`, 'HUSH_ERR_STORE_ENTRY_CORRUPT']);
      cases.push([`entries.${name}.c`, `"c":"${doc.entries[name].c}"`, 'HUSH_ERR_STORE_ENTRY_CORRUPT']);
    }
    cases.push(['mac', `"mac": "${doc.mac}"`, 'HUSH_ERR_STORE_MAC']);
    cases.push(['sig.kid', `"kid":"${doc.sig.kid}"`, 'HUSH_ERR_STORE_SIGNATURE']);
    cases.push(['sig.sig', `"sig":"${doc.sig.sig}"`, 'HUSH_ERR_STORE_SIGNATURE']);
    for (const [field, fragment, expected] of cases) {
      expect(text.includes(fragment), field).toBe(true);
      const b64 = fragment.slice(fragment.lastIndexOf(':') + 1).replace(/^ ?"|"$/g, '');
      for (const bit of [0, 77]) {
        const bad = text.replace(fragment, fragment.replace(b64, flipB64(b64, bit)));
        expect(`${field} bit ${bit}: ${await failure(() => open(bad, { ...creds, signers }))}`).toBe(`${field} bit ${bit}: ${expected}`);
      }
    }
    // numbers and enums
    expect(await failure(() => open(text.replace('"generation": 1', '"generation": 0'), creds))).toBe('HUSH_ERR_STORE_MAC');
    expect(await failure(() => open(text.replace('"generation": 1', '"generation": 3'), creds))).toBe('HUSH_ERR_STORE_MAC');
    expect(await failure(() => open(text.replace('"version": 1', '"version": 0'), creds))).toBe('HUSH_ERR_STORE_VERSION');
    expect(await failure(() => open(text.replace('"format": "hush-store"', '"format": "hush-storf"'), creds))).toBe('HUSH_ERR_STORE_SCHEMA');
  });

  it('never opens a file with any single bit flipped, at any byte', async () => {
    const { bytes } = recipientStore({ a: SECRET, b: 'x' }, [identity(1)]);
    const resolved = resolveCredentials(creds);
    for (let i = 0; i < bytes.length; i++) {
      for (const mask of [0x01, 0x20, 0x80]) {
        const bad = Uint8Array.from(bytes);
        bad[i]! ^= mask;
        const code = await failure(() => openStoreBytes(bad, resolved, where));
        if (!code.startsWith('HUSH_ERR_STORE_')) throw new Error(`byte ${i} mask ${mask}: ${code}`);
      }
    }
  });

  it('refuses swapped entries, replayed or dropped entries, and edited recipient lists', async () => {
    const first = recipientStore({ a: SECRET, b: 'other', c: 'third' }, ids);
    const second = sealChanges(first.store, new Map([['a', { value: bytesOf('new'), updatedAt: 'y' }]]), { rand });
    const secondText = serializeStore(second.doc);
    const line = (text: string, name: string) => text.split('\n').find((l) => l.startsWith(`    "${name}": {`))!;
    const body = (l: string) => l.slice(l.indexOf('{'));
    // swap the ciphertexts of a and b
    const swapped = secondText.replace(line(secondText, 'a'), `    "a": ${body(line(secondText, 'b'))}`).replace(line(secondText, 'b'), `    "b": ${body(line(secondText, 'a'))}`);
    expect(await failure(() => open(swapped, creds))).toBe('HUSH_ERR_STORE_ENTRY_SWAPPED');
    // replay a's older ciphertext from the previous version
    const replayed = secondText.replace(line(secondText, 'a'), line(first.text, 'a'));
    expect(await failure(() => open(replayed, creds))).toBe('HUSH_ERR_STORE_MAC');
    // drop an entry
    const dropped = secondText.replace(line(secondText, 'c'), '').replace(',\n\n', '\n').replace('\n\n', '\n');
    expect(await failure(() => open(dropped.replace(/,\n  \},/, '\n  },'), creds))).toBe('HUSH_ERR_STORE_MAC');
    // add an entry sealed under the same key (from another version) without re-MAC
    const third = sealChanges(second, new Map([['d', { value: bytesOf('added'), updatedAt: 'z' }]]), { rand });
    const added = secondText.replace(line(secondText, 'c'), line(secondText, 'c') + ',\n' + line(serializeStore(third.doc), 'd'));
    expect(await failure(() => open(added, creds))).toBe('HUSH_ERR_STORE_MAC');
    // drop the other recipient's stanza
    const stanzas = secondText.split('\n').filter((l) => l.startsWith('    {"pk":'));
    const mineB64 = Buffer.from(ids[0]!.boxPublicKey).toString('base64');
    const other = stanzas.find((l) => !l.includes(mineB64))!;
    const minus = secondText.replace(other, '').replace(/,\n\n/, '\n').replace(/\[\n\n/, '[\n').replace(/\},\n\n {2}\]/, '}\n  ]');
    expect(minus.split('\n').filter((l) => l.startsWith('    {"pk":'))).toHaveLength(1);
    expect(await failure(() => open(minus.replace(/,\n {2}\]/, '\n  ]'), creds))).toBe('HUSH_ERR_STORE_MAC');
  });

  it('leaves whole-file rollback to the generation high-water mark', async () => {
    const first = recipientStore({ a: SECRET }, ids);
    const second = sealChanges(first.store, new Map([['a', { value: bytesOf('new'), updatedAt: 'y' }]]), { rand });
    const later = await open(serializeStore(second.doc), creds);
    const older = await open(first.bytes, creds);
    expect(older.doc.generation).toBeLessThan(later.doc.generation);
  });
});

describe('writer signatures', () => {
  const alice = identity(5);
  const mallory = identity(6);
  const pin = (id: ReturnType<typeof identity>) => [encodeKey(signerPrefix, id.signPublicKey)];
  const creds = { identity: idText(5) };

  it('accepts a file signed by a pinned signer, refuses unsigned or foreign-signed ones', async () => {
    const signed = recipientStore({ a: SECRET }, [alice], alice);
    expect((await open(signed.bytes, { ...creds, signers: pin(alice) })).values.size).toBe(1);
    expect(await failure(() => open(signed.bytes, { ...creds, signers: pin(mallory) }))).toBe('HUSH_ERR_STORE_SIGNATURE');
    const unsigned = recipientStore({ a: SECRET }, [alice]);
    expect(await failure(() => open(unsigned.bytes, { ...creds, signers: pin(alice) }))).toBe('HUSH_ERR_STORE_SIGNATURE');
    expect((await open(unsigned.bytes, creds)).values.size).toBe(1); // nothing pinned: signatures not required
  });

  it('stops a forger who knows only the public key, when signers are pinned', async () => {
    // Anyone with alice's recipient key can make a valid store from scratch.
    const fk = rand(32);
    const wrap = wrapForRecipients(fk, [alice.boxPublicKey], rand);
    const forged = built(sealAll(wrap, fk, 99, values({ a: 'attacker value' }), { rand, signer: mallory }));
    expect((await open(forged.bytes, creds)).values.size).toBe(1);
    expect(await failure(() => open(forged.bytes, { ...creds, signers: pin(alice) }))).toBe('HUSH_ERR_STORE_SIGNATURE');
    // relabelling the signature with alice's key does not help
    const relabelled = forged.text.replace(Buffer.from(mallory.signPublicKey).toString('base64'), Buffer.from(alice.signPublicKey).toString('base64'));
    expect(await failure(() => open(relabelled, { ...creds, signers: pin(alice) }))).toBe('HUSH_ERR_STORE_SIGNATURE');
    expect(nacl.sign.detached.verify).toBeTypeOf('function');
  });
});

describe('codes helper', () => {
  it('reports no error for a valid store', async () => {
    const { bytes } = recipientStore({ a: 'x' }, [identity(1)]);
    expect(await codeOf(() => open(bytes, { identity: idText(1) }))).toBe('no error');
  });
});
