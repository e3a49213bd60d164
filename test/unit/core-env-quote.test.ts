import { describe, expect, it } from 'vitest';
import { quoteEnvValue } from '../../agent/core/env-quote';
import { renderEnvEntries } from '../../agent/core/render';
import { seededRandom } from '../../agent/ports/random';
import { parseEnvLikeDotenv } from './dotenv-rules';
import { roundTripValues } from './env-values';

describe('quoteEnvValue', () => {
  it.each<[string, string]>([
    ['plain', "'plain'"],
    ['a $b "c" \\d', `'a $b "c" \\d'`],
    ["it's", `"it's"`],
    ['', "''"],
  ])('%j → %s', (value, text) => {
    expect(quoteEnvValue(value)).toEqual({ ok: true, text });
  });

  it.each<[string, string]>([
    ['a\0b', 'contains a NUL character'],
    ['a\rb', 'contains a carriage return, which dotenv turns into a newline'],
    ['ends\\', 'ends with a backslash, which dotenv reads as an escaped quote'],
    [`it's $x`, 'contains a single quote together with one of " $ ` \\, which no quoting reads back the same in both sh and dotenv'],
    [`it's "x"`, 'contains a single quote together with one of " $ ` \\, which no quoting reads back the same in both sh and dotenv'],
  ])('refuses %j', (value, reason) => {
    expect(quoteEnvValue(value)).toEqual({ ok: false, reason });
  });

  it('the refused set is small: every listed value except the lone backslash is accepted', () => {
    expect(roundTripValues).not.toContain('\\');
    expect(roundTripValues.length).toBe(18);
  });
});

describe('env files read back exactly by the dotenv rules', () => {
  it('a file of every tricky value, in one file so values cannot leak into each other', () => {
    const entries = roundTripValues.map((v, i): [string, string] => [`V${i}`, v]);
    const r = renderEnvEntries(entries);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(parseEnvLikeDotenv(new TextDecoder().decode(r.bytes))).toEqual(Object.fromEntries(entries));
  });

  it('random values (seeded) either round-trip or are refused, never mangled', () => {
    const rand = seededRandom(42);
    const alphabet = ['a', 'Z', '0', ' ', '\t', '\n', "'", '"', '$', '`', '\\', '#', '=', '{', '}', 'é', 'n', 'r'];
    let accepted = 0;
    for (let round = 0; round < 500; round++) {
      const value = Array.from({ length: Math.floor(rand() * 12) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
      const r = renderEnvEntries([['A', value], ['B', 'after']]);
      if (!r.ok) {
        expect(quoteEnvValue(value).ok).toBe(false);
        continue;
      }
      accepted++;
      expect(parseEnvLikeDotenv(new TextDecoder().decode(r.bytes))).toEqual({ A: value, B: 'after' });
    }
    expect(accepted).toBeGreaterThan(100);
  });

  let dotenv: { parse(src: string): Record<string, string> } | undefined;
  try {
    dotenv = require('dotenv');
  } catch {
    dotenv = undefined;
  }
  it.skipIf(!dotenv)('the real dotenv package agrees (skipped: dotenv is not installed)', () => {
    const entries = roundTripValues.map((v, i): [string, string] => [`V${i}`, v]);
    const r = renderEnvEntries(entries);
    expect(r.ok && dotenv!.parse(Buffer.from(r.bytes).toString('utf8'))).toEqual(Object.fromEntries(entries));
  });
});
