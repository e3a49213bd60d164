// The store file format, version 1: bytes <-> StoreDoc. Pure: no I/O, no clock, no randomness.
// The layout is fixed (see docs/store.md): one entry per line, names sorted, so a save that
// changes one value changes one line, and unchanged entries keep their exact bytes.

import { E } from './errors';
import { bytesEqual, decodeUtf8, fromB64, toB64 } from './encoding';
import { compareNames, nameProblem } from './names';
import { JsonObject, JsonProblem, JsonValue, parseStrictJson } from './strict-json';
import { checkKdfParams } from './kdf-params';

export const FORMAT = 'hush-store';
export const VERSION = 1;
export const AEAD = 'xsalsa20poly1305';
export const maxFileBytes = 16 * 1024 * 1024;

export interface ScryptWrap {
  mode: 'scrypt';
  logN: number;
  r: number;
  p: number;
  salt: Uint8Array; // 16
  nonce: Uint8Array; // 24
  key: Uint8Array; // 48: secretbox(file key)
}
export interface RecipientStanza {
  pk: Uint8Array; // 32: the recipient's X25519 public key (public; lets rotate re-wrap without asking)
  epk: Uint8Array; // 32: ephemeral X25519 public key
  nonce: Uint8Array; // 24
  key: Uint8Array; // 48: box(file key)
}
export interface X25519Wrap {
  mode: 'x25519';
  recipients: RecipientStanza[];
}
export type Wrap = ScryptWrap | X25519Wrap;
export interface SealedEntry {
  n: Uint8Array; // 24
  c: Uint8Array; // secretbox(frame)
  /** The base64 text of n and c, when known (parsed or just sealed): saves re-encoding. */
  text?: { n: string; c: string };
}
export interface Signature {
  kid: Uint8Array; // 32: the writer's Ed25519 public key
  sig: Uint8Array; // 64
}
export interface StoreDoc {
  wrap: Wrap;
  generation: number;
  entries: Map<string, SealedEntry>;
  sig?: Signature;
  mac: Uint8Array; // 32
}

// ---- serialise -------------------------------------------------------------------------

export function serializeWrap(wrap: Wrap): string {
  if (wrap.mode === 'scrypt') {
    return `{"mode":"scrypt","logN":${wrap.logN},"r":${wrap.r},"p":${wrap.p},"salt":"${toB64(wrap.salt)}",` +
      `"nonce":"${toB64(wrap.nonce)}","key":"${toB64(wrap.key)}"}`;
  }
  const lines = wrap.recipients.map(
    (s) => `    {"pk":"${toB64(s.pk)}","epk":"${toB64(s.epk)}","nonce":"${toB64(s.nonce)}","key":"${toB64(s.key)}"}`,
  );
  return `{"mode":"x25519","recipients":[\n${lines.join(',\n')}\n  ]}`;
}

export function entryText(entry: SealedEntry): { n: string; c: string } {
  entry.text ??= { n: toB64(entry.n), c: toB64(entry.c) };
  return entry.text;
}

export function serializeEntry(name: string, entry: SealedEntry): string {
  const t = entryText(entry);
  return `"${name}": {"n":"${t.n}","c":"${t.c}"}`;
}

export function serializeStore(doc: StoreDoc): string {
  const names = [...doc.entries.keys()].sort(compareNames);
  const entryLines = names.map((name) => '    ' + serializeEntry(name, doc.entries.get(name)!));
  const entries = entryLines.length === 0 ? '{}' : `{\n${entryLines.join(',\n')}\n  }`;
  const sig = doc.sig ? `  "sig": {"kid":"${toB64(doc.sig.kid)}","sig":"${toB64(doc.sig.sig)}"},\n` : '';
  return (
    '{\n' +
    `  "format": "${FORMAT}",\n` +
    `  "version": ${VERSION},\n` +
    `  "aead": "${AEAD}",\n` +
    `  "wrap": ${serializeWrap(doc.wrap)},\n` +
    `  "generation": ${doc.generation},\n` +
    `  "entries": ${entries},\n` +
    sig +
    `  "mac": "${toB64(doc.mac)}"\n` +
    '}\n'
  );
}

// ---- parse -----------------------------------------------------------------------------

const conflictMarker = /^(?:<{7}|={7}|>{7}|\|{7})(?: |$)/m;

/** Parses and validates the bytes of a store file. Does not decrypt or check the MAC. */
export function parseStore(bytes: Uint8Array, where: string): StoreDoc {
  if (bytes.length > maxFileBytes) throw E.HUSH_ERR_STORE_TOO_LARGE(where, bytes.length, maxFileBytes);
  if (bytes.length === 0) throw E.HUSH_ERR_STORE_EMPTY(where);
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw E.HUSH_ERR_STORE_ENCODING(where, 'the file starts with a byte-order mark');
  }
  const text = decodeUtf8(bytes);
  if (text === undefined) throw E.HUSH_ERR_STORE_ENCODING(where, 'the file is not valid UTF-8');
  if (text.trim() === '') throw E.HUSH_ERR_STORE_EMPTY(where);
  const marker = conflictMarker.exec(text);
  if (marker) {
    const line = text.slice(0, marker.index).split('\n').length;
    throw E.HUSH_ERR_STORE_MERGE_CONFLICT(where, line);
  }
  // Fast path: the native parser, then a check that the file is exactly what we would write
  // for the parsed document. A file that passes cannot hide duplicate keys or anything else
  // the native parser glosses over. Anything else goes through the strict parser, which
  // names the problem (or accepts a valid file laid out differently, e.g. re-indented).
  let fast: StoreDoc | undefined;
  try {
    fast = readDoc(JSON.parse(text) as JsonValue, where);
  } catch {
    fast = undefined;
  }
  if (fast && text.endsWith('\n') && serializeStore(fast) === text) return fast;
  let root: JsonValue;
  try {
    root = parseStrictJson(text);
  } catch (err) {
    if (!(err instanceof JsonProblem)) throw err;
    const at = Buffer.byteLength(text.slice(0, err.offset));
    switch (err.kind) {
      case 'truncated': throw E.HUSH_ERR_STORE_TRUNCATED(where, at);
      case 'trailing': throw E.HUSH_ERR_STORE_TRAILING_DATA(where, at);
      case 'duplicate': throw E.HUSH_ERR_STORE_DUPLICATE_KEY(where, err.detail, at);
      case 'surrogate': throw E.HUSH_ERR_STORE_ENCODING(where, `${err.detail} at byte ${at}`);
      default: throw E.HUSH_ERR_STORE_SYNTAX(where, at, err.detail);
    }
  }
  // hush always ends the file with a newline: a missing one means the tail was cut off.
  if (!text.endsWith('\n')) throw E.HUSH_ERR_STORE_TRUNCATED(where, bytes.length);
  return readDoc(root, where);
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: JsonValue | undefined): string {
  if (v === undefined) return 'missing';
  const text = JSON.stringify(v);
  return text.length > 40 ? text.slice(0, 40) + '...' : text;
}

function readDoc(root: JsonValue, where: string): StoreDoc {
  const schema = (field: string, what: string) => E.HUSH_ERR_STORE_SCHEMA(where, field, what);
  if (!isObject(root)) throw schema('(top level)', 'expected a JSON object');
  if (root.format !== FORMAT) throw schema('format', `expected "${FORMAT}", got ${describe(root.format)} (not a hush store)`);
  if (root.version !== VERSION) throw E.HUSH_ERR_STORE_VERSION(where, 'version', describe(root.version));
  if (root.aead !== AEAD) throw E.HUSH_ERR_STORE_VERSION(where, 'aead', describe(root.aead));
  onlyKeys(root, ['format', 'version', 'aead', 'wrap', 'generation', 'entries', 'sig', 'mac'], '', schema);

  const wrap = readWrap(root.wrap, where, schema);
  const generation = root.generation;
  if (typeof generation !== 'number' || !Number.isSafeInteger(generation) || generation < 0) {
    throw schema('generation', `expected a non-negative integer, got ${describe(generation)}`);
  }
  if (!isObject(root.entries)) throw schema('entries', `expected an object, got ${describe(root.entries)}`);
  const entries = new Map<string, SealedEntry>();
  for (const name of Object.keys(root.entries)) {
    const problem = nameProblem(name);
    if (problem) throw schema(`entries[${JSON.stringify(name)}]`, `bad entry name: ${problem}`);
    const raw = root.entries[name];
    if (!isObject(raw)) throw schema(`entries["${name}"]`, 'expected an object {"n","c"}');
    onlyKeys(raw, entryKeys, `entries["${name}"].`, schema);
    const n = b64Field(raw.n, 24, 'n', schema, name);
    const c = b64Field(raw.c, -1, 'c', schema, name);
    if (c.length < 16 + 2) throw schema(`entries["${name}"].c`, 'ciphertext too short');
    entries.set(name, { n, c, text: { n: raw.n as string, c: raw.c as string } });
  }
  let sig: Signature | undefined;
  if (root.sig !== undefined) {
    if (!isObject(root.sig)) throw schema('sig', 'expected an object {"kid","sig"}');
    onlyKeys(root.sig, ['kid', 'sig'], 'sig.', schema);
    sig = { kid: b64Field(root.sig.kid, 32, 'sig.kid', schema), sig: b64Field(root.sig.sig, 64, 'sig.sig', schema) };
  }
  const mac = b64Field(root.mac, 32, 'mac', schema);
  const doc: StoreDoc = { wrap, generation, entries, mac };
  if (sig) doc.sig = sig;
  checkNonces(doc, where);
  return doc;
}

type SchemaError = (field: string, what: string) => Error;

const entryKeys = ['n', 'c'];

function onlyKeys(obj: JsonObject, allowed: string[], prefix: string, schema: SchemaError): void {
  for (const key in obj) {
    if (!allowed.includes(key)) throw schema(prefix + key, 'unknown field');
  }
}

/** `entry`, when given, names the entry the field belongs to (the field path is built only on error). */
function b64Field(v: JsonValue | undefined, length: number, field: string, schema: SchemaError, entry?: string): Uint8Array {
  const path = () => (entry === undefined ? field : `entries["${entry}"].${field}`);
  if (typeof v !== 'string') throw schema(path(), `expected a base64 string, got ${describe(v)}`);
  const bytes = fromB64(v);
  if (!bytes) throw schema(path(), 'not canonical base64');
  if (length >= 0 && bytes.length !== length) throw schema(path(), `expected ${length} bytes, got ${bytes.length}`);
  return bytes;
}

function readWrap(v: JsonValue | undefined, where: string, schema: SchemaError): Wrap {
  if (!isObject(v)) throw schema('wrap', `expected an object, got ${describe(v)}`);
  if (v.mode === 'scrypt') {
    onlyKeys(v, ['mode', 'logN', 'r', 'p', 'salt', 'nonce', 'key'], 'wrap.', schema);
    checkKdfParams(v.logN, v.r, v.p, 'read', where);
    return {
      mode: 'scrypt',
      logN: v.logN as number,
      r: v.r as number,
      p: v.p as number,
      salt: b64Field(v.salt, 16, 'wrap.salt', schema),
      nonce: b64Field(v.nonce, 24, 'wrap.nonce', schema),
      key: b64Field(v.key, 48, 'wrap.key', schema),
    };
  }
  if (v.mode === 'x25519') {
    onlyKeys(v, ['mode', 'recipients'], 'wrap.', schema);
    const list = v.recipients;
    if (!Array.isArray(list) || list.length === 0) throw schema('wrap.recipients', 'expected a non-empty list');
    const recipients = list.map((s, i) => {
      const f = `wrap.recipients[${i}]`;
      if (!isObject(s)) throw schema(f, 'expected an object');
      onlyKeys(s, ['pk', 'epk', 'nonce', 'key'], f + '.', schema);
      return {
        pk: b64Field(s.pk, 32, f + '.pk', schema),
        epk: b64Field(s.epk, 32, f + '.epk', schema),
        nonce: b64Field(s.nonce, 24, f + '.nonce', schema),
        key: b64Field(s.key, 48, f + '.key', schema),
      };
    });
    for (let i = 0; i < recipients.length; i++) {
      for (let j = 0; j < i; j++) {
        if (bytesEqual(recipients[i]!.pk, recipients[j]!.pk)) throw schema(`wrap.recipients[${i}]`, 'duplicate recipient');
      }
    }
    return { mode: 'x25519', recipients };
  }
  throw E.HUSH_ERR_STORE_VERSION(where, 'wrap.mode', describe(v.mode));
}

function checkNonces(doc: StoreDoc, where: string): void {
  const seen = new Set<string>();
  for (const [name, entry] of doc.entries) {
    const key = entryText(entry).n;
    if (seen.has(key)) {
      const other = [...doc.entries].find(([, e]) => entryText(e).n === key)![0];
      throw E.HUSH_ERR_STORE_NONCE_REUSE(where, other, name);
    }
    seen.add(key);
  }
}
