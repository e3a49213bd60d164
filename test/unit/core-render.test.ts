import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { Secret, ValueSecret } from '../../agent/config/normalize';
import { renderSecret, resolveEnv } from '../../agent/core/render';
import { checkTemplate, renderTemplate, templateRefs } from '../../agent/core/template';
import type { SecretData, Snapshot } from '../../agent/core/values';
import { parseEnvLikeDotenv } from './dotenv-rules';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** What the runner's policySnapshot gives render: lookups by the policy's own source names. */
const snapshotFromMap = (map: ReadonlyMap<string, SecretData>): Snapshot => ({ get: (source, key) => map.get(`${source}:${key}`) });

const snapshot = snapshotFromMap(
  new Map<string, SecretData>([
    ['dev:db/password', enc('s3cr3t-pa55')],
    ['dev:demo/api-key', enc('key-123')],
    ['dev:bin', new Uint8Array([0xff, 0x00, 0xfe])],
    ['dev:empty', enc('')],
    ['dev:multi', enc("it's\nmulti line")],
    ['dev:evil', enc(`it's "$HOME"`)],
    ['vault:database/creds/webapp', { username: 'v-user', password: 'p#w"d$ `x` \\n' }],
    ['vault:kv/app', { api_key: 'ak', port: 5432, tls: true, nested: { a: [1, 2] }, 'bad-name': 'x' }],
  ]),
);

const value = (over: Partial<ValueSecret>): ValueSecret => ({
  file: 'f',
  mode: 0o400,
  optional: false,
  format: 'raw',
  source: 'dev',
  key: 'db/password',
  ...over,
});
const template = (t: string): Secret => ({ file: 'f', mode: 0o400, optional: false, format: 'template', template: t, refs: templateRefs(t) });

function ok(secret: Secret): string {
  const r = renderSecret(secret, snapshot);
  if (!r.ok) throw new Error(`render failed: ${JSON.stringify(r)}`);
  return dec(r.bytes);
}

describe('raw', () => {
  it('writes a store value byte for byte, binary included', () => {
    const r = renderSecret(value({ key: 'bin' }), snapshot);
    expect(r.ok && [...r.bytes]).toEqual([0xff, 0x00, 0xfe]);
  });

  it.each([
    ['api_key', 'ak'],
    ['port', '5432'],
    ['tls', 'true'],
    ['nested', '{"a":[1,2]}'],
  ])('picks field %s of a map', (field, expected) => {
    expect(ok(value({ source: 'vault', key: 'kv/app', field }))).toBe(expected);
  });

  it('reports a missing value, a missing field, a map without field', () => {
    expect(renderSecret(value({ key: 'nope' }), snapshot)).toEqual({ ok: false, missing: [{ source: 'dev', key: 'nope', reason: 'not available' }], errors: [] });
    expect(renderSecret(value({ source: 'vault', key: 'kv/app', field: 'zz' }), snapshot)).toEqual({
      ok: false,
      missing: [{ source: 'vault', key: 'kv/app', field: 'zz', reason: 'has no such field' }],
      errors: [],
    });
    expect(renderSecret(value({ source: 'vault', key: 'kv/app' }), snapshot)).toEqual({
      ok: false,
      missing: [],
      errors: ['vault:kv/app is a map of fields; name one with field:, or use format json, yaml or env'],
    });
  });
});

describe('env', () => {
  it('names a store value after the last segment of its key', () => {
    expect(ok(value({ format: 'env', key: 'demo/api-key' }))).toBe("API_KEY='key-123'\n");
  });

  it('puts a value with a single quote (and no sh-special character) in double quotes', () => {
    const text = ok(value({ format: 'env', key: 'multi' }));
    expect(text).toBe(`MULTI="it's\nmulti line"\n`);
    expect(parseEnvLikeDotenv(text)).toEqual({ MULTI: "it's\nmulti line" });
  });

  it('picks and renames fields in the order written', () => {
    const text = ok(value({ format: 'env', source: 'vault', key: 'database/creds/webapp', fields: [['DB_USER', 'username'], ['DB_PASS', 'password']] }));
    expect(text).toBe(`DB_USER='v-user'\nDB_PASS='p#w"d$ \`x\` \\n'\n`);
    expect(parseEnvLikeDotenv(text)).toEqual({ DB_USER: 'v-user', DB_PASS: 'p#w"d$ `x` \\n' });
  });

  it('writes all fields of a map sorted, and refuses field names that are no variable names', () => {
    const r = renderSecret(value({ format: 'env', source: 'vault', key: 'kv/app' }), snapshot);
    expect(r).toEqual({ ok: false, missing: [], errors: ['"bad-name" is not a valid variable name; rename it with fields:'] });
    const text = ok(value({ format: 'env', source: 'vault', key: 'database/creds/webapp' }));
    expect(Object.keys(parseEnvLikeDotenv(text))).toEqual(['password', 'username']);
  });

  it('refuses a value no quoting reads back in both sh and dotenv, naming the variable, not the value', () => {
    const r = renderSecret(value({ format: 'env', key: 'evil' }), snapshot);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors).toEqual([
      'the value of EVIL contains a single quote together with one of " $ ` \\, which no quoting reads back the same in both sh and dotenv',
    ]);
    expect(JSON.stringify(r)).not.toContain('HOME');
  });

  it('reports a missing field of a map', () => {
    const r = renderSecret(value({ format: 'env', source: 'vault', key: 'kv/app', fields: [['A', 'zz'], ['B', 'api_key']] }), snapshot);
    expect(r).toEqual({ ok: false, missing: [{ source: 'vault', key: 'kv/app', field: 'zz', reason: 'has no such field' }], errors: [] });
  });
});

describe('json and yaml', () => {
  it('json of a map: sorted keys, types kept', () => {
    const text = ok(value({ format: 'json', source: 'vault', key: 'kv/app' }));
    expect(text.endsWith('\n')).toBe(true);
    expect(JSON.parse(text)).toEqual({ api_key: 'ak', 'bad-name': 'x', nested: { a: [1, 2] }, port: 5432, tls: true });
    expect(Object.keys(JSON.parse(text))).toEqual(['api_key', 'bad-name', 'nested', 'port', 'tls']);
  });

  it('json of a store value: one entry named after the key', () => {
    expect(JSON.parse(ok(value({ format: 'json', key: 'demo/api-key' })))).toEqual({ 'api-key': 'key-123' });
  });

  it('yaml with renamed fields reads back the same', () => {
    const text = ok(value({ format: 'yaml', source: 'vault', key: 'database/creds/webapp', fields: [['user', 'username'], ['pass', 'password']] }));
    expect(YAML.parse(text)).toEqual({ user: 'v-user', pass: 'p#w"d$ `x` \\n' });
  });

  it('yaml keeps strings that look like numbers as strings', () => {
    const snap = snapshotFromMap(new Map([['v:k', { a: '0400', b: 'true', c: '1e3' }]]));
    const r = renderSecret(value({ format: 'yaml', source: 'v', key: 'k' }), snap);
    expect(r.ok && YAML.parse(dec(r.bytes))).toEqual({ a: '0400', b: 'true', c: '1e3' });
  });

  it('refuses a binary store value', () => {
    expect(renderSecret(value({ format: 'json', key: 'bin' }), snapshot)).toEqual({
      ok: false,
      missing: [],
      errors: ['dev:bin is not UTF-8 text; use format raw'],
    });
  });
});

describe('template', () => {
  it.each<[string, string]>([
    ['{{secret "dev:db/password"}}', 's3cr3t-pa55'],
    ['{{ secret "vault:database/creds/webapp" "username" }}', 'v-user'],
    ['{{secret "vault:kv/app" "port"}}', '5432'],
    ['{{secret "vault:kv/app" "nested"}}', '{"a":[1,2]}'],
    ['{{json (secret "vault:database/creds/webapp" "password")}}', JSON.stringify('p#w"d$ `x` \\n')],
    ['{{toJSON (secret "vault:kv/app" "nested")}}', '{"a":[1,2]}'],
    ['{{secret "vault:kv/app"}}', JSON.stringify({ api_key: 'ak', port: 5432, tls: true, nested: { a: [1, 2] }, 'bad-name': 'x' })],
    ['{{base64 (secret "dev:db/password")}}', Buffer.from('s3cr3t-pa55').toString('base64')],
    ['{{base64 (secret "dev:bin")}}', Buffer.from([0xff, 0, 0xfe]).toString('base64')],
    ['{{base64decode "aGk="}}', 'hi'],
    ['{{trim "  x  "}}', 'x'],
    ['{{default (secret "dev:nope") "fallback"}}', 'fallback'],
    ['{{default (secret "dev:empty") "fallback"}}', 'fallback'],
    ['{{default (base64 (secret "dev:nope")) "fb"}}', 'fb'],
    ['{{secret "dev:nope" default="fb"}}', 'fb'],
    ['{{secret "vault:kv/app" "zz" default=""}}!', '!'],
    ['{{#if (has "dev:nope")}}yes{{else}}no{{/if}}', 'no'],
    ['{{#if (has "vault:kv/app" "tls")}}yes{{else}}no{{/if}}', 'yes'],
    ['<{{secret "dev:demo/api-key"}}>&', '<key-123>&'],
  ])('%s', (t, expected) => {
    expect(ok(template(t))).toBe(expected);
  });

  it('reports every missing value after running the whole template', () => {
    const r = renderSecret(template('{{secret "dev:a"}} {{secret "vault:kv/app" "zz"}} {{secret "dev:bin" "f"}} {{default (secret "dev:b") "x"}}'), snapshot);
    expect(r).toEqual({
      ok: false,
      missing: [{ source: 'dev', key: 'a', reason: 'not available' }, { source: 'vault', key: 'kv/app', field: 'zz', reason: 'has no such field' }, { source: 'dev', key: 'bin', field: 'f', reason: 'is a single value and has no fields' }],
      errors: [],
    });
  });

  it('reports a runtime error with its line and without values', () => {
    const r = renderTemplate('ok\n{{#with (secret "vault:kv/app")}}{{nothere}}{{/with}}', snapshot);
    expect(r).toEqual({ ok: false, missing: [], errors: ['line 2: "nothere" is not defined'] });
    const b = renderTemplate('a\n\n{{secret "dev:bin"}}', snapshot);
    expect(b).toEqual({ ok: false, missing: [], errors: ['dev:bin is not UTF-8 text; print it with base64'] });
  });

  it('has no prototype access and no helpers but ours', () => {
    expect(renderTemplate('{{constructor}}', snapshot)).toEqual({ ok: true, text: '' });
    expect(renderTemplate('{{#with (secret "vault:kv/app")}}{{constructor.name}}{{/with}}', snapshot).ok).toBe(false);
    expect(checkTemplate('{{log "x"}}').errors).toEqual(['line 1: You specified knownHelpersOnly, but used the unknown helper log']);
    expect(checkTemplate('{{lookup . "x"}}').errors).toEqual(['line 1: You specified knownHelpersOnly, but used the unknown helper lookup']);
    expect(checkTemplate('{{> foo}}').errors).toEqual(['line 1: partials are not supported']);
  });

  it('templateRefs lists each (source, key) once, from nested expressions and blocks', () => {
    expect(
      templateRefs('{{secret "a:x" "f"}}{{secret "a:x" "g"}}{{#if (has "b:y")}}{{base64 (secret "c:z/w")}}{{/if}}'),
    ).toEqual([
      { source: 'a', key: 'x' },
      { source: 'b', key: 'y' },
      { source: 'c', key: 'z/w' },
    ]);
  });

  it('a syntax error names its line', () => {
    expect(checkTemplate('a\nb\n{{#if x}}').errors).toEqual(['line 3: syntax error: unexpected end of template']);
  });
});

describe('resolveEnv', () => {
  it('resolves whole values and fields; reports what is missing', () => {
    expect(
      resolveEnv(
        [
          { name: 'A', ref: { source: 'dev', key: 'db/password' } },
          { name: 'B', ref: { source: 'vault', key: 'kv/app', field: 'port' } },
        ],
        snapshot,
      ),
    ).toEqual({ ok: true, env: { A: 's3cr3t-pa55', B: '5432' } });
    expect(resolveEnv([{ name: 'A', ref: { source: 'dev', key: 'x' } }, { name: 'B', ref: { source: 'vault', key: 'kv/app' } }], snapshot)).toEqual({
      ok: false,
      missing: [{ source: 'dev', key: 'x', reason: 'not available' }, { source: 'vault', key: 'kv/app', reason: 'is a map of fields; name one with field:' }],
      errors: [],
    });
  });
});
