// Import and export: .env, JSON and YAML. Nested objects map to `a/b` names and back. Values
// must be text in JSON/YAML (binary values stay in the store; `get` prints them), and must
// hold no NUL in env form (execve cannot carry NUL).

import { E } from './errors';
import { decodeUtf8 } from './encoding';
import { formatDotenv, parseDotenv } from './dotenv';
import { compareNames, nameProblem } from './names';

export type InterchangeFormat = 'env' | 'json' | 'yaml';

export function formatFromFileName(file: string): InterchangeFormat | undefined {
  if (/\.ya?ml$/i.test(file)) return 'yaml';
  if (/\.json$/i.test(file)) return 'json';
  if (/(^|[/.])env$/i.test(file) || /\.env\./i.test(file) || /^\.env/i.test(file.split('/').pop() ?? '')) return 'env';
  return undefined;
}

export function parseInterchange(text: string, format: InterchangeFormat, where: string): Map<string, Uint8Array> {
  if (format === 'env') return parseDotenv(text, where);
  let data: unknown;
  try {
    if (format === 'json') data = JSON.parse(text);
    else {
      const yaml = require('yaml') as typeof import('yaml');
      data = yaml.parse(text, { uniqueKeys: true });
    }
  } catch (err) {
    throw E.HUSH_ERR_STORE_PARSE_INPUT(where, 0, `not valid ${format.toUpperCase()}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw E.HUSH_ERR_STORE_PARSE_INPUT(where, 0, 'expected an object of names to values at the top level');
  }
  const out = new Map<string, Uint8Array>();
  flatten(data as Record<string, unknown>, '', out, where);
  return out;
}

function flatten(obj: Record<string, unknown>, prefix: string, out: Map<string, Uint8Array>, where: string): void {
  for (const [key, value] of Object.entries(obj)) {
    const name = prefix + key;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      flatten(value as Record<string, unknown>, name + '/', out, where);
      continue;
    }
    const problem = nameProblem(name);
    if (problem) throw E.HUSH_ERR_STORE_PARSE_INPUT(where, 0, `bad name ${JSON.stringify(name.slice(0, 80))}: ${problem}`);
    if (out.has(name)) throw E.HUSH_ERR_STORE_PARSE_INPUT(where, 0, `"${name}" appears twice`);
    let text: string;
    if (typeof value === 'string') text = value;
    else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
    else throw E.HUSH_ERR_STORE_PARSE_INPUT(where, 0, `"${name}": expected a string, number or boolean (got ${Array.isArray(value) ? 'a list' : 'null'})`);
    out.set(name, new Uint8Array(Buffer.from(text, 'utf8')));
  }
}

export function formatInterchange(values: ReadonlyMap<string, Uint8Array>, format: InterchangeFormat): string {
  const sorted = new Map([...values].sort(([a], [b]) => compareNames(a, b)));
  if (format === 'env') {
    for (const [name, value] of sorted) {
      if (value.includes(0)) throw E.HUSH_ERR_STORE_EXPORT(name, 'contains a NUL byte, which an environment variable cannot carry');
    }
    return formatDotenv(sorted);
  }
  const tree: Record<string, unknown> = Object.create(null);
  for (const [name, value] of sorted) {
    const text = decodeUtf8(value);
    if (text === undefined) throw E.HUSH_ERR_STORE_EXPORT(name, `is binary (not UTF-8) and cannot go into ${format.toUpperCase()}; use 'hush store get'`);
    const parts = name.split('/');
    let node = tree;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i]!;
      const next = node[part];
      if (typeof next === 'string') throw E.HUSH_ERR_STORE_EXPORT(name, `"${parts.slice(0, i + 1).join('/')}" is both a value and a folder; use --format env`);
      if (next === undefined) node[part] = Object.create(null);
      node = node[part] as Record<string, unknown>;
    }
    const leaf = parts[parts.length - 1]!;
    if (node[leaf] !== undefined) throw E.HUSH_ERR_STORE_EXPORT(name, 'is both a value and a folder; use --format env');
    node[leaf] = text;
  }
  if (format === 'json') return JSON.stringify(tree, null, 2) + '\n';
  const yaml = require('yaml') as typeof import('yaml');
  return yaml.stringify(tree);
}
