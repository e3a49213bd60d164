// The policy file format (version 1), as one zod schema. This is the source of truth: the
// TypeScript type of a parsed file is inferred from it, policies/schema.json is generated from
// it (scripts/gen-policy-schema.js), and unknown keys are rejected everywhere. Checks that need
// more than one field (a secret's source exists, file names are unique across policies...)
// live in rules.ts; turning strings into numbers lives in normalize.ts.

import { appSignals, type SignalName } from '../core/signals';
import { z } from 'zod';

// Messages say what was expected; the loader appends what it found (", got 777"), taken from
// the YAML source text so that the user sees what they wrote.

/** `15m`, `30s`, `1h30m`, `250ms`: one or more number+unit groups. */
export const durationPattern = /^(\d+(ms|s|m|h|d))+$/;
const duration = z
  .string({ error: 'expected a duration like "30s", "15m" or "1h"' })
  .regex(durationPattern, { error: 'expected a duration like "30s", "15m" or "1h"' });

const modeMessage = 'expected an octal string like "0400"';
/** File modes are octal strings ("0400", "0640"); numbers are refused because YAML reads 0400 as 400. */
export const modePattern = /^0?[0-7]{3}$/;

/** Source names are used in refs (`SOURCE:KEY`), so they cannot hold a colon. */
export const sourceNamePattern = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** A reference to one value: the source's name, a colon, the source's key. */
export const refPattern = /^[A-Za-z_][A-Za-z0-9_.-]*:.+$/;
const ref = z
  .string({ error: 'expected a reference like "SOURCE:KEY"' })
  .regex(refPattern, { error: 'expected a reference like "SOURCE:KEY"' });

export const fileSourceSchema = z.strictObject({
  type: z.literal('file'),
  /** The encrypted store; relative to the policy file's directory. Absent: --store or $HUSH_STORE. */
  path: z.string().min(1).optional(),
});

export const vaultAuthSchema = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('token'), token_file: z.string().min(1).optional() }),
  z.strictObject({
    method: z.literal('approle'),
    role_id_file: z.string().min(1),
    secret_id_file: z.string().min(1),
    secret_id_wrapping_path: z.string().min(1).optional(),
  }),
  z.strictObject({
    method: z.literal('kubernetes'),
    role: z.string().min(1),
    jwt_file: z.string().min(1).optional(),
    mount: z.string().min(1).optional(),
  }),
]);

/** Kept as its own object so that the Vault source can grow fields without touching the rest. */
export const vaultSourceSchema = z.strictObject({
  type: z.literal('vault'),
  address: z.url({ error: 'expected a URL like https://vault.internal:8200' }).optional(),
  namespace: z.string().min(1).optional(),
  ca_cert: z.string().min(1).optional(),
  tls_skip_verify: z.boolean().optional(),
  timeout: duration.optional(),
  auth: vaultAuthSchema,
  revoke_on_exit: z.boolean().optional(),
});

export const sourceSchema = z.discriminatedUnion('type', [fileSourceSchema, vaultSourceSchema]);

export const formats = ['raw', 'env', 'json', 'yaml', 'template'] as const;

export const secretSchema = z.strictObject({
  /** Path under the secrets directory (checked in rules.ts). */
  file: z.string(),
  /** Not used with format: template (the template names its own refs). */
  source: z.string().optional(),
  key: z.string().min(1).optional(),
  /** Picks one field of a map value (Vault) for format raw. */
  field: z.string().min(1).optional(),
  /** Output name → field name, for env/json/yaml; picks and renames fields of a map value. */
  fields: z.record(z.string(), z.string().min(1)).optional(),
  format: z.enum(formats).default('raw'),
  template: z.string().optional(),
  mode: z.string({ error: modeMessage }).regex(modePattern, { error: modeMessage }).default('0400'),
  optional: z.boolean().default(false),
});

/** `VAR: "SOURCE:KEY"` for a whole value, or `VAR: { ref: "SOURCE:KEY", field: NAME }` for one field. */
export const envValueSchema = z.union([ref, z.strictObject({ ref, field: z.string().min(1).optional() })], {
  error: 'expected "SOURCE:KEY" or { ref: "SOURCE:KEY", field: NAME }',
});


export const onChangeSchema = z.union(
  [
    z.literal('none'),
    z.strictObject({ signal: z.enum(appSignals) }),
    z.strictObject({ restart: z.literal(true), timeout: duration.optional() }),
    z.strictObject({ command: z.array(z.string().min(1)).min(1), timeout: duration.optional() }),
  ],
  { error: 'expected none, { signal: SIGHUP }, { restart: true } or { command: [ARGV...] }' },
);

export const policyFileSchema = z.strictObject({
  version: z.literal(1, { error: 'expected 1' }),
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, {
    error: `expected a name of letters, digits, '_', '.', '-'`,
  }),
  sources: z.record(z.string(), sourceSchema).default({}),
  secrets: z.array(secretSchema).default([]),
  env: z.record(z.string(), envValueSchema).optional(),
  rotate: z
    .strictObject({
      every: duration,
      jitter: z.number().min(0).max(1).default(0.1),
    })
    .optional(),
  on_change: onChangeSchema.default('none'),
  /** Debounce (consul-template's wait): act min after the last change, at most max after the first. */
  wait: z.strictObject({ min: duration, max: duration.optional() }).optional(),
});

/** A policy file as written (after defaults). */
export type PolicyFile = z.output<typeof policyFileSchema>;
export type SourceFile = z.output<typeof sourceSchema>;
export type FileSourceFile = z.output<typeof fileSourceSchema>;
export type VaultSourceFile = z.output<typeof vaultSourceSchema>;
export type SecretFile = z.output<typeof secretSchema>;
export type OnChangeFile = z.output<typeof onChangeSchema>;
export type Format = (typeof formats)[number];
export type { SignalName };

/** The JSON Schema of policy files, for editors (written to policies/schema.json). */
export function policyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(policyFileSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    title: 'hush policy (version 1)',
    ...schema,
  };
}
