// Turns a parsed policy file into the Policy the agent runs: durations in ms, modes as numbers,
// refs split, on_change as a tagged union, relative store paths resolved against the policy
// file's directory. Runs only on files that passed the schema and the rules.

import * as path from 'node:path';
import type { OnChangeFile, PolicyFile, SignalName, SourceFile, VaultSourceFile } from './schema';
import { parseRef, type Ref } from '../core/refs';

export type FileSourceConfig = { type: 'file'; /** absolute, or undefined: --store / $HUSH_STORE */ path?: string };
export type VaultSourceConfig = Omit<VaultSourceFile, 'timeout'> & { timeoutMs?: number };
export type SourceConfig = FileSourceConfig | VaultSourceConfig;

interface SecretBase {
  /** Relative path under the secrets directory. */
  file: string;
  /** Numeric file mode, e.g. 0o400. */
  mode: number;
  optional: boolean;
}
export interface ValueSecret extends SecretBase {
  format: 'raw' | 'env' | 'json' | 'yaml';
  source: string;
  key: string;
  field?: string;
  /** Output name → field name, in the order written. */
  fields?: [string, string][];
}
export interface TemplateSecret extends SecretBase {
  format: 'template';
  template: string;
  /** Every ref the template reads, deduplicated. */
  refs: Ref[];
}
export type Secret = ValueSecret | TemplateSecret;

export interface EnvVar {
  name: string;
  ref: Ref;
}

export type OnChange =
  | { action: 'none' }
  | { action: 'signal'; signal: SignalName }
  | { action: 'restart'; timeoutMs: number }
  | { action: 'command'; argv: string[]; timeoutMs: number };

export interface Policy {
  name: string;
  /** The policy file as given on the command line. */
  file: string;
  sources: Record<string, SourceConfig>;
  secrets: Secret[];
  env: EnvVar[];
  rotate: { everyMs: number; jitter: number };
  onChange: OnChange;
  wait?: { minMs: number; maxMs: number };
}

export const defaults = {
  rotate: { everyMs: 5 * 60_000, jitter: 0.1 },
  restartTimeoutMs: 10_000,
  commandTimeoutMs: 30_000,
} as const;

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "1h30m" → 5400000. Throws on text that is not a duration (the schema checked it before). */
export function parseDuration(text: string): number {
  let total = 0;
  let rest = text;
  while (rest.length > 0) {
    const m = /^(\d+)(ms|s|m|h|d)/.exec(rest);
    if (!m) throw new Error(`not a duration: ${text}`);
    total += Number(m[1]) * unitMs[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  if (text.length === 0) throw new Error('empty duration');
  return total;
}

function normalizeSource(src: SourceFile, baseDir: string): SourceConfig {
  if (src.type === 'file') {
    return src.path === undefined ? { type: 'file' } : { type: 'file', path: path.resolve(baseDir, src.path) };
  }
  // Vault: credential and CA files are relative to the policy file, like a file store's path.
  const at = (file: string | undefined) => (file === undefined ? undefined : path.resolve(baseDir, file));
  const { timeout, ...rest } = src;
  const auth = { ...rest.auth };
  if (auth.method === 'token' && auth.token_file !== undefined) auth.token_file = at(auth.token_file);
  if (auth.method === 'approle') Object.assign(auth, { role_id_file: at(auth.role_id_file), secret_id_file: at(auth.secret_id_file) });
  if (auth.method === 'kubernetes' && auth.jwt_file !== undefined) auth.jwt_file = at(auth.jwt_file);
  const files = { ...rest, auth, ...(rest.ca_cert === undefined ? {} : { ca_cert: at(rest.ca_cert) }) };
  return timeout === undefined ? files : { ...files, timeoutMs: parseDuration(timeout) };
}

function normalizeOnChange(oc: OnChangeFile): OnChange {
  if (oc === 'none') return { action: 'none' };
  if ('signal' in oc) return { action: 'signal', signal: oc.signal };
  if ('restart' in oc) {
    return { action: 'restart', timeoutMs: oc.timeout ? parseDuration(oc.timeout) : defaults.restartTimeoutMs };
  }
  return {
    action: 'command',
    argv: [...oc.command],
    timeoutMs: oc.timeout ? parseDuration(oc.timeout) : defaults.commandTimeoutMs,
  };
}

/**
 * Builds the Policy from a checked file. `fileName` is the policy's path as given; relative
 * store paths resolve against `baseDir` (the policy file's directory). `templateRefs` lists a
 * template's refs.
 */
export function normalizePolicy(
  file: PolicyFile,
  fileName: string,
  baseDir: string,
  templateRefs: (template: string) => Ref[],
): Policy {
  const sources: Record<string, SourceConfig> = {};
  for (const [name, src] of Object.entries(file.sources)) sources[name] = normalizeSource(src, baseDir);

  const secrets: Secret[] = file.secrets.map((s) => {
    const base = { file: s.file, mode: parseInt(s.mode, 8), optional: s.optional };
    if (s.format === 'template') {
      return { ...base, format: 'template', template: s.template ?? '', refs: templateRefs(s.template ?? '') };
    }
    const out: ValueSecret = { ...base, format: s.format, source: s.source ?? '', key: s.key ?? '' };
    if (s.field !== undefined) out.field = s.field;
    if (s.fields !== undefined) out.fields = Object.entries(s.fields);
    return out;
  });

  const env: EnvVar[] = Object.entries(file.env ?? {}).map(([name, value]) => {
    const ref = typeof value === 'string' ? parseRef(value) : parseRef(value.ref, value.field);
    return { name, ref: ref! };
  });

  const policy: Policy = {
    name: file.name,
    file: fileName,
    sources,
    secrets,
    env,
    rotate: file.rotate
      ? { everyMs: parseDuration(file.rotate.every), jitter: file.rotate.jitter }
      : { ...defaults.rotate },
    onChange: normalizeOnChange(file.on_change),
  };
  if (file.wait) {
    const minMs = parseDuration(file.wait.min);
    policy.wait = { minMs, maxMs: file.wait.max ? parseDuration(file.wait.max) : 4 * minMs };
  }
  return deepFreeze(policy);
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}
