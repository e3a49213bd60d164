import { describe, it, expect } from 'vitest';
import { maxFileBytes, parseStore, serializeStore } from '../../agent/sources/file-store/format';
import { sealChanges } from '../../agent/sources/file-store/model';
import { bytesOf, codeOf, identity, rand, recipientStore, passphraseStore } from './store-fixtures';

const where = 'test.hush';
const parse = (text: string | Uint8Array) => parseStore(typeof text === 'string' ? bytesOf(text) : text, where);

describe('store file layout', () => {
  it('puts one entry per line, sorted by name, and ends with a newline', () => {
    const { text } = recipientStore({ zeta: 'z', alpha: 'a', 'mid/dle': 'm' }, [identity(1)]);
    const lines = text.split('\n');
    const entryLines = lines.filter((l) => /^ {4}"[^"]+": \{"n":/.test(l));
    expect(entryLines.map((l) => l.trim().split('"')[1])).toEqual(['alpha', 'mid/dle', 'zeta']);
    expect(text.endsWith('}\n')).toBe(true);
    expect(lines[1]).toBe('  "format": "hush-store",');
  });

  it('round-trips through parse and serialise byte for byte', () => {
    const { text } = recipientStore({ a: 'one', b: 'two' }, [identity(1), identity(2)]);
    expect(serializeStore(parse(text))).toBe(text);
  });

  it('keeps unchanged entries byte-identical when one value changes', () => {
    const before = recipientStore({ a: 'one', b: 'two', c: 'three' }, [identity(1)]);
    const next = sealChanges(before.store, new Map([['b', { value: bytesOf('TWO'), updatedAt: 'x' }]]), { rand });
    const after = serializeStore(next.doc);
    const diff = after.split('\n').filter((line, i) => line !== before.text.split('\n')[i]);
    // the changed entry, the generation and the MAC: nothing else
    expect(diff).toHaveLength(3);
    expect(diff.some((l) => l.includes('"b": {'))).toBe(true);
    expect(diff.some((l) => l.includes('"generation": 2'))).toBe(true);
    expect(diff.some((l) => l.includes('"mac":'))).toBe(true);
  });
});

describe('bad input fails closed with a distinct error', () => {
  it('refuses an empty or blank file', async () => {
    expect(await codeOf(() => parse(''))).toBe('HUSH_ERR_STORE_EMPTY');
    expect(await codeOf(() => parse('  \n'))).toBe('HUSH_ERR_STORE_EMPTY');
  });

  it('refuses truncation at every offset as truncated', async () => {
    const { bytes } = recipientStore({ a: 'x', 'b/c': 'yy' }, [identity(1)]);
    expect(await codeOf(() => parse(bytes))).toBe('no error');
    for (let k = 1; k < bytes.length; k++) {
      const code = await codeOf(() => parse(bytes.subarray(0, k)));
      if (code !== 'HUSH_ERR_STORE_TRUNCATED') throw new Error(`offset ${k}: got ${code}`);
    }
  });

  it('refuses trailing garbage', async () => {
    const { text } = recipientStore({ a: 'x' }, [identity(1)]);
    expect(await codeOf(() => parse(text + 'garbage\n'))).toBe('HUSH_ERR_STORE_TRAILING_DATA');
    expect(await codeOf(() => parse(text + '{}\n'))).toBe('HUSH_ERR_STORE_TRAILING_DATA');
  });

  it('points merge-conflict blocks to hush store merge', async () => {
    const { text } = recipientStore({ a: 'x' }, [identity(1)]);
    const lines = text.split('\n');
    const i = lines.findIndex((l) => l.includes('"generation"'));
    const conflicted = [...lines.slice(0, i), '<<<<<<< HEAD', lines[i], '=======', '  "generation": 7,', '>>>>>>> theirs', ...lines.slice(i + 1)].join('\n');
    const err = (() => {
      try {
        parse(conflicted);
      } catch (e) {
        return e as Error & { code: string };
      }
    })();
    expect(err?.code).toBe('HUSH_ERR_STORE_MERGE_CONFLICT');
    expect(err?.message).toContain('hush store merge');
    expect(err?.message).toContain(`line ${i + 1}`);
  });

  it('refuses duplicate JSON keys anywhere', async () => {
    const { text } = recipientStore({ a: 'x', b: 'y' }, [identity(1)]);
    const dupEntry = text.replace(/\n( {4}"b": [^\n]*)\n/, (_m, line: string) => `\n${line.replace('"b"', '"a"')}\n`);
    expect(await codeOf(() => parse(dupEntry))).toBe('HUSH_ERR_STORE_DUPLICATE_KEY');
    const dupTop = text.replace('  "generation"', '  "generation": 9,\n  "generation"');
    expect(await codeOf(() => parse(dupTop))).toBe('HUSH_ERR_STORE_DUPLICATE_KEY');
    const dupInner = text.replace('{"n":', '{"c":"AAAA","n":');
    expect(await codeOf(() => parse(dupInner))).toBe('HUSH_ERR_STORE_DUPLICATE_KEY');
  });

  it('refuses a BOM, invalid UTF-8 and lone surrogates', async () => {
    const { text } = recipientStore({ a: 'x' }, [identity(1)]);
    expect(await codeOf(() => parse(new Uint8Array([0xef, 0xbb, 0xbf, ...bytesOf(text)])))).toBe('HUSH_ERR_STORE_ENCODING');
    const bad = bytesOf(text);
    bad[text.indexOf('hush-store')] = 0xff;
    expect(await codeOf(() => parse(bad))).toBe('HUSH_ERR_STORE_ENCODING');
    expect(await codeOf(() => parse(text.replace('"entries": {', '"entries": {\n    "\\ud800": {"n":"","c":""},')))).toBe('HUSH_ERR_STORE_ENCODING');
  });

  it('refuses unknown format, version, aead or wrap mode as needing a newer hush', async () => {
    const { text } = recipientStore({ a: 'x' }, [identity(1)]);
    for (const v of ['2', '"1"', '1.5', '0', 'null']) {
      expect(await codeOf(() => parse(text.replace('"version": 1', `"version": ${v}`)))).toBe('HUSH_ERR_STORE_VERSION');
    }
    expect(await codeOf(() => parse(text.replace('  "version": 1,\n', '')))).toBe('HUSH_ERR_STORE_VERSION');
    expect(await codeOf(() => parse(text.replace('"xsalsa20poly1305"', '"aes-gcm"')))).toBe('HUSH_ERR_STORE_VERSION');
    expect(await codeOf(() => parse(text.replace('"mode":"x25519"', '"mode":"kms"')))).toBe('HUSH_ERR_STORE_VERSION');
    expect(await codeOf(() => parse(text.replace('"hush-store"', '"sops"')))).toBe('HUSH_ERR_STORE_SCHEMA');
    expect(await codeOf(() => parse(text.replace('  "generation"', '  "extra": 1,\n  "generation"')))).toBe('HUSH_ERR_STORE_SCHEMA');
  });

  it('refuses absurd scrypt parameters before running the KDF', async () => {
    const { text } = await passphraseStore({ a: 'x' });
    for (const logN of ['0', '1', '14', '21', '64', '17.5', '"17"']) {
      expect(await codeOf(() => parse(text.replace('"logN":15', `"logN":${logN}`)))).toBe('HUSH_ERR_STORE_KDF_PARAMS');
    }
    expect(await codeOf(() => parse(text.replace('"r":8', '"r":0')))).toBe('HUSH_ERR_STORE_KDF_PARAMS');
    expect(await codeOf(() => parse(text.replace('"p":1', '"p":1000000')))).toBe('HUSH_ERR_STORE_KDF_PARAMS');
    expect(await codeOf(() => parse(text.replace('"logN":15', '"logN":20').replace('"r":8', '"r":16')))).toBe('HUSH_ERR_STORE_KDF_PARAMS');
  });

  it('refuses wrong field lengths (salt, nonce, wrapped key, mac)', async () => {
    const { text } = await passphraseStore({ a: 'x' });
    const doc = JSON.parse(text);
    const swapField = (field: string, b64: string) => text.replace(`"${field}":"${doc.wrap[field]}"`, `"${field}":"${b64}"`);
    const b = (n: number) => Buffer.alloc(n, 1).toString('base64');
    expect(await codeOf(() => parse(swapField('salt', b(15))))).toBe('HUSH_ERR_STORE_SCHEMA');
    expect(await codeOf(() => parse(swapField('nonce', b(23))))).toBe('HUSH_ERR_STORE_SCHEMA');
    expect(await codeOf(() => parse(swapField('key', b(47))))).toBe('HUSH_ERR_STORE_SCHEMA');
    expect(await codeOf(() => parse(text.replace(`"mac": "${doc.mac}"`, `"mac": "${b(31)}"`)))).toBe('HUSH_ERR_STORE_SCHEMA');
    // non-canonical base64 (a different spelling of the same bytes) is refused too
    const mac = doc.mac as string;
    const last = mac[mac.length - 2]!;
    const sibling = String.fromCharCode(last.charCodeAt(0) ^ 1);
    expect(await codeOf(() => parse(text.replace(mac, mac.slice(0, -2) + sibling + '=')))).toBe('HUSH_ERR_STORE_SCHEMA');
  });

  it('refuses bad entry names inside the file', async () => {
    const { text } = recipientStore({ a: 'x' }, [identity(1)]);
    for (const name of ['', '.', '..', '../x', 'a//b', '/etc/passwd', 'a\\\\b', '-x', 'a b', '..hidden']) {
      expect(await codeOf(() => parse(text.replace('    "a": {', `    ${JSON.stringify(name).replace(/^"|"$/g, '"')}: {`)))).toBe('HUSH_ERR_STORE_SCHEMA');
    }
  });

  it('refuses two entries sharing a nonce', async () => {
    const { text } = recipientStore({ a: 'x', b: 'y' }, [identity(1)]);
    const doc = JSON.parse(text);
    const reused = text.replace(`"n":"${doc.entries.b.n}"`, `"n":"${doc.entries.a.n}"`);
    expect(await codeOf(() => parse(reused))).toBe('HUSH_ERR_STORE_NONCE_REUSE');
  });

  it('refuses an oversized file before parsing and deep nesting', async () => {
    const big = new Uint8Array(maxFileBytes + 1).fill(0x7b); // '{' would be slow to parse if we tried
    expect(await codeOf(() => parse(big))).toBe('HUSH_ERR_STORE_TOO_LARGE');
    expect(await codeOf(() => parse('['.repeat(100) + ']'.repeat(100) + '\n'))).toBe('HUSH_ERR_STORE_SYNTAX');
    expect(await codeOf(() => parse('[1,2]\n'))).toBe('HUSH_ERR_STORE_SCHEMA');
    expect(await codeOf(() => parse('{"format": hush}\n'))).toBe('HUSH_ERR_STORE_SYNTAX');
  });
});
