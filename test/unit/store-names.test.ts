import { describe, it, expect } from 'vitest';
import { nameProblem } from '../../agent/sources/file-store/names';
import { decodeKey, encodeKey, identityFileText, parseIdentityText, recipientPrefix, signerPrefix } from '../../agent/sources/file-store/identity';
import { storeErrors } from '../../agent/sources/file-store/errors';
import { fromB64 } from '../../agent/sources/file-store/encoding';
import { codeOf } from './store-fixtures';

describe('entry names', () => {
  it.each(['a', 'db/password', 'A.b_c-d/e.f', 'x/y/z', '_x', 'a..b', '.env', 'a'.repeat(255)])('accepts %s', (name) => {
    expect(nameProblem(name)).toBeUndefined();
  });
  it.each([
    '', '.', '..', '../x', 'a/../b', 'a//b', '/etc/passwd', 'a/', 'a\\b', 'C:\\x', '..hidden', 'a/..x', 'nul\0byte',
    'new\nline', 'a=b', '-flag', 'a b', 'pässwort', 'a'.repeat(256),
  ])('refuses %j', (name) => {
    expect(nameProblem(name)).toBeTypeOf('string');
  });
});

describe('key text', () => {
  const key = new Uint8Array(32).fill(7);
  it('round-trips and rejects a mistyped key by its checksum', async () => {
    const text = encodeKey(recipientPrefix, key);
    expect(text.startsWith('hush-recipient-1:')).toBe(true);
    expect(decodeKey(recipientPrefix, text, 'x')).toEqual(key);
    const typo = text.slice(0, 20) + (text[20] === 'A' ? 'B' : 'A') + text.slice(21);
    expect(await codeOf(() => decodeKey(recipientPrefix, typo, 'x'))).toBe('HUSH_ERR_STORE_BAD_KEY_TEXT');
    expect(await codeOf(() => decodeKey(signerPrefix, text, 'x'))).toBe('HUSH_ERR_STORE_BAD_KEY_TEXT');
    expect(await codeOf(() => decodeKey(recipientPrefix, text.slice(0, -2), 'x'))).toBe('HUSH_ERR_STORE_BAD_KEY_TEXT');
  });

  it('writes identity files whose comments name the public keys', () => {
    const text = identityFileText(key);
    const id = parseIdentityText(text, 'id');
    expect(text).toContain(encodeKey(recipientPrefix, id.boxPublicKey));
    expect(text).toContain(encodeKey(signerPrefix, id.signPublicKey));
    expect(Buffer.from(id.boxPublicKey)).not.toEqual(Buffer.from(id.signPublicKey));
  });
});

describe('error registry', () => {
  it('keys equal codes, codes are unique and in the store area', () => {
    const codes = Object.entries(storeErrors).map(([key, def]) => {
      expect(def.code).toBe(key);
      expect(key).toMatch(/^HUSH_ERR_STORE_[A-Z_]+$/);
      return def.code;
    });
    expect(new Set(codes).size).toBe(codes.length);
  });
});

describe('strict base64', () => {
  it('decodes only the canonical spelling', () => {
    for (const good of ['', 'AA==', 'AAA=', 'AAAA', '+/+/', 'aGVsbG8=']) expect(fromB64(good), good).toBeDefined();
    for (const bad of ['A', 'AB==x', 'AB=C', 'A===', 'AB ==', 'AQ==\n', '-_-_', 'AB\u00e9=', 'AR==', 'AAB=', 'aGVsbG9=']) {
      expect(fromB64(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });
});
