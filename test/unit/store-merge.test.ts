import { describe, it, expect } from 'vitest';
import { mergeEntries } from '../../agent/sources/file-store/merge';
import { formatDotenv, formatDotenvValue, parseDotenv } from '../../agent/sources/file-store/dotenv';
import { formatInterchange, parseInterchange } from '../../agent/sources/file-store/interchange';
import { bytesOf, codeOf, values } from './store-fixtures';

const text = (m: ReadonlyMap<string, { value: Uint8Array }>) => Object.fromEntries([...m].map(([k, v]) => [k, Buffer.from(v.value).toString()]));

describe('three-way merge by entry', () => {
  const base = values({ keep: '1', ours: '1', theirs: '1', both: '1', gone: '1', clash: '1', delmod: '1' });
  const ours = values({ keep: '1', ours: '2', theirs: '1', both: '2', clash: 'A', delmod: '1', addO: 'o' });
  const theirs = values({ keep: '1', ours: '1', theirs: '3', both: '2', gone: '1', clash: 'B', addT: 't' });

  it('takes one-sided changes, agrees on identical ones, and reports true conflicts', () => {
    const r = mergeEntries(base, ours, theirs);
    expect(r.conflicts).toEqual(['clash']);
    expect(text(r.merged)).toEqual({ keep: '1', ours: '2', theirs: '3', both: '2', addO: 'o', addT: 't' });
    expect(r.from.get('theirs')).toBe('theirs');
    expect(r.from.get('ours')).toBe('ours');
  });

  it('treats delete on one side and modify on the other as a conflict', () => {
    const r = mergeEntries(values({ x: '1' }), values({}), values({ x: '2' }));
    expect(r.conflicts).toEqual(['x']);
  });
});

describe('dotenv', () => {
  it('parses plain, quoted, escaped, exported and multi-line values', () => {
    const parsed = parseDotenv(
      [
        '# comment',
        'A=plain value # trailing comment',
        'export B="two\\nlines\\t\\"q\\" \\x00\\xff"',
        "C='single $NOT #expanded'",
        'D="real',
        'multi line"',
        'E=',
        'dir/name=x',
        '',
      ].join('\n'),
      'in.env',
    );
    expect(Buffer.from(parsed.get('A')!).toString()).toBe('plain value');
    expect(Buffer.from(parsed.get('B')!)).toEqual(Buffer.concat([Buffer.from('two\nlines\t"q" '), Buffer.from([0, 0xff])]));
    expect(Buffer.from(parsed.get('C')!).toString()).toBe('single $NOT #expanded');
    expect(Buffer.from(parsed.get('D')!).toString()).toBe('real\nmulti line');
    expect(parsed.get('E')!.length).toBe(0);
    expect(parsed.has('dir/name')).toBe(true);
  });

  it('refuses duplicates, bad names, unterminated quotes and conflict markers, naming the line', async () => {
    expect(await codeOf(() => parseDotenv('A=1\nA=2\n', 'x'))).toBe('HUSH_ERR_STORE_PARSE_INPUT');
    expect(await codeOf(() => parseDotenv('../A=1\n', 'x'))).toBe('HUSH_ERR_STORE_PARSE_INPUT');
    expect(await codeOf(() => parseDotenv('A="open\n', 'x'))).toBe('HUSH_ERR_STORE_PARSE_INPUT');
    expect(await codeOf(() => parseDotenv('<<<<<<< yours\nA=1\n', 'x'))).toBe('HUSH_ERR_STORE_PARSE_INPUT');
    expect(await codeOf(() => parseDotenv('just words\n', 'x'))).toBe('HUSH_ERR_STORE_PARSE_INPUT');
    try {
      parseDotenv('A=1\nA=SECRETVALUE\n', 'in.env');
    } catch (err) {
      expect((err as Error).message).toBe('in.env: line 2: "A" appears twice');
    }
  });

  it('formats any bytes so that they parse back to the same bytes', () => {
    const samples = [
      'plain', '', ' leading', 'trailing ', 'has "quotes"', "it's", 'back\\slash', 'multi\nline\r\n', '#hash', 'a # b', 'tab\there',
      '$HOME', 'ünïcödé', '\u0000nul',
    ].map((s) => bytesOf(s));
    samples.push(Uint8Array.from({ length: 256 }, (_, i) => i));
    const map = new Map(samples.map((v, i) => [`k${i}`, v]));
    const back = parseDotenv(formatDotenv(map), 'x');
    for (const [k, v] of map) expect(Buffer.from(back.get(k)!)).toEqual(Buffer.from(v));
    expect(formatDotenvValue(bytesOf('simple-token_1'))).toBe('simple-token_1');
  });
});

describe('import and export formats', () => {
  const map = new Map([
    ['db/password', bytesOf('pw "x"\n')],
    ['db/user', bytesOf('app')],
    ['top', bytesOf('ünï')],
  ]);

  it.each(['env', 'json', 'yaml'] as const)('round-trips through %s', (format) => {
    const back = parseInterchange(formatInterchange(map, format), format, `x.${format}`);
    expect([...back.keys()].sort()).toEqual([...map.keys()].sort());
    for (const [k, v] of map) expect(Buffer.from(back.get(k)!)).toEqual(Buffer.from(v));
  });

  it('nests a/b names as objects in JSON and YAML', () => {
    expect(JSON.parse(formatInterchange(map, 'json'))).toEqual({ db: { password: 'pw "x"\n', user: 'app' }, top: 'ünï' });
    expect(formatInterchange(map, 'yaml')).toContain('db:\n  password:');
    const parsed = parseInterchange('a:\n  b: 1\n  c: true\nd: text\n', 'yaml', 'x.yaml');
    expect(Object.fromEntries([...parsed].map(([k, v]) => [k, Buffer.from(v).toString()]))).toEqual({ 'a/b': '1', 'a/c': 'true', d: 'text' });
  });

  it('refuses what a format cannot carry', async () => {
    expect(await codeOf(() => formatInterchange(new Map([['bin', new Uint8Array([0xff])]]), 'json'))).toBe('HUSH_ERR_STORE_EXPORT');
    expect(await codeOf(() => formatInterchange(new Map([['nul', new Uint8Array([0x61, 0])]]), 'env'))).toBe('HUSH_ERR_STORE_EXPORT');
    expect(await codeOf(() => formatInterchange(new Map([['a', bytesOf('1')], ['a/b', bytesOf('2')]]), 'json'))).toBe('HUSH_ERR_STORE_EXPORT');
    expect(await codeOf(() => parseInterchange('{"a": [1]}', 'json', 'x.json'))).toBe('HUSH_ERR_STORE_PARSE_INPUT');
    expect(await codeOf(() => parseInterchange('a: 1\na: 2\n', 'yaml', 'x.yaml'))).toBe('HUSH_ERR_STORE_PARSE_INPUT');
    expect(await codeOf(() => parseInterchange('{"../x": "1"}', 'json', 'x.json'))).toBe('HUSH_ERR_STORE_PARSE_INPUT');
  });
});
