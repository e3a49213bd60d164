// A strict JSON parser for the store file. JSON.parse keeps the last of two duplicate keys and
// reports positions loosely; this one refuses duplicates, lone surrogates and deep nesting, and
// tells a file that ends early (truncated) from one that is malformed or has trailing data.
// Objects come back with a null prototype, so "__proto__" is just a key.

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export type JsonProblemKind = 'truncated' | 'syntax' | 'trailing' | 'duplicate' | 'depth' | 'surrogate';

export class JsonProblem extends Error {
  constructor(
    readonly kind: JsonProblemKind,
    readonly offset: number,
    readonly detail: string,
  ) {
    super(`${kind} at ${offset}: ${detail}`);
  }
}

const maxDepth = 16;

export function parseStrictJson(text: string): JsonValue {
  let pos = 0;
  const n = text.length;

  const fail = (kind: JsonProblemKind, detail: string, at = pos): never => {
    throw new JsonProblem(kind, at, detail);
  };
  const end = (what: string): never => fail('truncated', `the file ends inside ${what}`, n);
  const skipWs = () => {
    while (pos < n) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else break;
    }
  };

  const plainRun = /[^"\\\u0000-\u001f\ud800-\udfff]*/y;
  const parseString = (): string => {
    pos++; // opening quote
    let out = '';
    let start = pos;
    for (;;) {
      plainRun.lastIndex = pos;
      plainRun.test(text);
      pos = plainRun.lastIndex;
      if (pos >= n) end('a string');
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(start, pos);
        pos++;
        return out;
      }
      if (c < 0x20) fail('syntax', 'control character inside a string');
      if (c >= 0xd800 && c <= 0xdfff) {
        const hi = c <= 0xdbff;
        const next = text.charCodeAt(pos + 1);
        if (!hi || !(next >= 0xdc00 && next <= 0xdfff)) fail('surrogate', 'lone surrogate in a string');
        pos += 2;
        continue;
      }
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      out += text.slice(start, pos);
      if (pos + 1 >= n) end('a string escape');
      const esc = text[pos + 1];
      pos += 2;
      switch (esc) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const code = readHex4();
          if (code >= 0xd800 && code <= 0xdbff) {
            if (pos + 6 > n) end('a string escape');
            if (text[pos] !== '\\' || text[pos + 1] !== 'u') fail('surrogate', 'lone surrogate escape in a string');
            pos += 2;
            const low = readHex4();
            if (low < 0xdc00 || low > 0xdfff) fail('surrogate', 'lone surrogate escape in a string');
            out += String.fromCharCode(code, low);
          } else if (code >= 0xdc00 && code <= 0xdfff) {
            fail('surrogate', 'lone surrogate escape in a string');
          } else {
            out += String.fromCharCode(code);
          }
          break;
        }
        default:
          fail('syntax', 'bad escape in a string', pos - 1);
      }
      start = pos;
    }
  };

  const readHex4 = (): number => {
    if (pos + 4 > n) end('a string escape');
    const hex = text.slice(pos, pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('syntax', 'bad \\u escape');
    pos += 4;
    return parseInt(hex, 16);
  };

  const numberPattern = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
  const parseNumber = (): number => {
    numberPattern.lastIndex = pos;
    const m = numberPattern.exec(text);
    if (!m || m[0] === '' || m[0] === '-') {
      if (pos + 1 >= n) end('a number');
      fail('syntax', 'bad number');
    }
    const literal = m![0];
    const after = pos + literal.length;
    if (after >= n) end('a number'); // a number cannot end a valid store file
    const next = text[after];
    if (next === '.' || next === 'e' || next === 'E') fail('syntax', 'bad number', after);
    pos = after;
    return Number(literal);
  };

  const parseLiteral = (word: string, value: JsonValue): JsonValue => {
    const got = text.slice(pos, pos + word.length);
    if (got === word) {
      pos += word.length;
      return value;
    }
    if (word.startsWith(got) && pos + got.length >= n) end('a literal');
    return fail('syntax', `unexpected character ${JSON.stringify(text[pos])}`);
  };

  const parseValue = (depth: number): JsonValue => {
    if (depth > maxDepth) fail('depth', `nested deeper than ${maxDepth} levels`);
    skipWs();
    if (pos >= n) end('a value');
    const c = text[pos];
    if (c === '{') return parseObject(depth);
    if (c === '[') return parseArray(depth);
    if (c === '"') return parseString();
    if (c === 't') return parseLiteral('true', true);
    if (c === 'f') return parseLiteral('false', false);
    if (c === 'n') return parseLiteral('null', null);
    if (c === '-' || (c >= '0' && c <= '9')) return parseNumber();
    return fail('syntax', `unexpected character ${JSON.stringify(c)}`);
  };

  const parseObject = (depth: number): JsonObject => {
    pos++;
    const obj = Object.create(null) as JsonObject;
    skipWs();
    if (pos >= n) end('an object');
    if (text[pos] === '}') {
      pos++;
      return obj;
    }
    for (;;) {
      skipWs();
      if (pos >= n) end('an object');
      if (text[pos] !== '"') fail('syntax', 'expected a key in double quotes');
      const keyAt = pos;
      const key = parseString();
      if (Object.prototype.hasOwnProperty.call(obj, key)) fail('duplicate', key, keyAt);
      skipWs();
      if (pos >= n) end('an object');
      if (text[pos] !== ':') fail('syntax', "expected ':' after a key");
      pos++;
      obj[key] = parseValue(depth + 1);
      skipWs();
      if (pos >= n) end('an object');
      const sep = text[pos];
      pos++;
      if (sep === '}') return obj;
      if (sep !== ',') fail('syntax', "expected ',' or '}'", pos - 1);
    }
  };

  const parseArray = (depth: number): JsonValue[] => {
    pos++;
    const arr: JsonValue[] = [];
    skipWs();
    if (pos >= n) end('an array');
    if (text[pos] === ']') {
      pos++;
      return arr;
    }
    for (;;) {
      arr.push(parseValue(depth + 1));
      skipWs();
      if (pos >= n) end('an array');
      const sep = text[pos];
      pos++;
      if (sep === ']') return arr;
      if (sep !== ',') fail('syntax', "expected ',' or ']'", pos - 1);
    }
  };

  const value = parseValue(0);
  skipWs();
  if (pos < n) fail('trailing', 'data after the end of the document');
  return value;
}
