// Rendering: one secret of a policy plus a snapshot of fetched values → the bytes of its file,
// or the list of what was missing and what went wrong. Pure; never throws for bad data and
// never puts a value in a message.

import YAML from 'yaml';
import type { EnvVar, Secret, ValueSecret } from '../config/normalize';
import { quoteEnvValue } from './env-quote';
import { missing, refId, type MissingValue, type Ref } from './refs';
import { renderTemplate } from './template';
import { decodeText, envNameFromKey, envNamePattern, isBytes, keyBaseName, type SecretData, type Snapshot } from './values';

export type RenderResult =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; missing: MissingValue[]; errors: string[] };

const encoder = new TextEncoder();
const fail = (missing: MissingValue[], errors: string[] = []): RenderResult => ({ ok: false, missing, errors });
const text = (t: string): RenderResult => ({ ok: true, bytes: encoder.encode(t) });
/** The ref of a value secret, or of one of its fields, for a missing-value record. */
const fieldRef = (secret: ValueSecret, field?: string): Ref => (field === undefined ? { source: secret.source, key: secret.key } : { source: secret.source, key: secret.key, field });

export function renderSecret(secret: Secret, snapshot: Snapshot): RenderResult {
  if (secret.format === 'template') {
    const r = renderTemplate(secret.template, snapshot);
    return r.ok ? text(r.text) : fail(r.missing, r.errors);
  }
  const data = snapshot.get(secret.source, secret.key);
  if (data === undefined) return fail([missing(fieldRef(secret), 'not available')]);
  switch (secret.format) {
    case 'raw':
      return renderRaw(secret, data);
    case 'env':
      return withEntries(secret, data, true, renderEnvEntries);
    case 'json':
      return withEntries(secret, data, false, (e) => text(JSON.stringify(Object.fromEntries(e), null, 2) + '\n'));
    case 'yaml':
      return withEntries(secret, data, false, (e) => text(YAML.stringify(Object.fromEntries(e))));
  }
}

function renderRaw(secret: ValueSecret, data: SecretData): RenderResult {
  const name = refId(secret.source, secret.key);
  if (isBytes(data)) {
    if (secret.field !== undefined) return fail([missing(fieldRef(secret, secret.field), 'is a single value and has no fields')]);
    return { ok: true, bytes: data };
  }
  if (secret.field === undefined) {
    return fail([], [`${name} is a map of fields; name one with field:, or use format json, yaml or env`]);
  }
  if (!Object.prototype.hasOwnProperty.call(data, secret.field)) return fail([missing(fieldRef(secret, secret.field), 'has no such field')]);
  const value = data[secret.field];
  if (typeof value === 'string') return text(value);
  return text(value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value ?? ''));
}

type Entries = [string, unknown][];


/**
 * The named values of a secret: `fields` picks and renames; without it a map gives all its
 * fields (sorted, so output bytes are stable) and a single value gives one entry named after
 * the key's last segment (upper-cased for env).
 */
function withEntries(
  secret: ValueSecret,
  data: SecretData,
  forEnv: boolean,
  out: (entries: Entries) => RenderResult,
): RenderResult {
  const name = refId(secret.source, secret.key);
  if (isBytes(data)) {
    if (secret.fields) return fail([missing(fieldRef(secret), 'is a single value and has no fields')]);
    const value = decodeText(data);
    if (value === undefined) return fail([], [`${name} is not UTF-8 text; use format raw`]);
    return out([[forEnv ? envNameFromKey(secret.key) : keyBaseName(secret.key), value]]);
  }
  if (!secret.fields) return out(Object.keys(data).sort().map((k) => [k, data[k]]));
  const absent = secret.fields
    .filter(([, field]) => !Object.prototype.hasOwnProperty.call(data, field))
    .map(([, field]) => missing(fieldRef(secret, field), 'has no such field'));
  if (absent.length) return fail(absent);
  return out(secret.fields.map(([outName, field]) => [outName, data[field]]));
}

function envText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isBytes(value)) return decodeText(value);
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value ?? '');
}

/** `NAME='value'` lines; refuses names that are not variable names and unquotable values. */
export function renderEnvEntries(entries: Entries): RenderResult {
  const errors: string[] = [];
  const lines: string[] = [];
  for (const [name, value] of entries) {
    if (!envNamePattern.test(name)) {
      errors.push(`${JSON.stringify(name)} is not a valid variable name; rename it with fields:`);
      continue;
    }
    const t = envText(value);
    const q = t === undefined ? ({ ok: false, reason: 'is not UTF-8 text' } as const) : quoteEnvValue(t);
    if (!q.ok) errors.push(`the value of ${name} ${q.reason}`);
    else lines.push(`${name}=${q.text}\n`);
  }
  return errors.length ? fail([], errors) : text(lines.join(''));
}

export type EnvResult = { ok: true; env: Record<string, string> } | { ok: false; missing: MissingValue[]; errors: string[] };

/** The `env:` section of a policy → variables for the app's environment at start. */
export function resolveEnv(vars: readonly EnvVar[], snapshot: Snapshot): EnvResult {
  const env: Record<string, string> = {};
  const absent: MissingValue[] = [];
  const errors: string[] = [];
  for (const { name, ref } of vars) {
    const r = refValue(ref, snapshot);
    if ('missing' in r) absent.push(r.missing);
    else if (r.value.includes('\0')) errors.push(`the value of ${name} contains a NUL character`);
    else env[name] = r.value;
  }
  return absent.length || errors.length ? { ok: false, missing: absent, errors } : { ok: true, env };
}

function refValue(ref: Ref, snapshot: Snapshot): { value: string } | { missing: MissingValue } {
  const data = snapshot.get(ref.source, ref.key);
  if (data === undefined) return { missing: missing(ref, 'not available') };
  if (isBytes(data)) {
    if (ref.field !== undefined) return { missing: missing(ref, 'is a single value and has no fields') };
    const value = decodeText(data);
    return value === undefined ? { missing: missing(ref, 'is not UTF-8 text') } : { value };
  }
  if (ref.field === undefined) return { missing: missing(ref, 'is a map of fields; name one with field:') };
  if (!Object.prototype.hasOwnProperty.call(data, ref.field)) return { missing: missing(ref, 'has no such field') };
  return { value: envText(data[ref.field]) ?? '' };
}
