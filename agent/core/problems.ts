// What stops a secret (or a policy's env) from rendering, as records: the policy, the secret's
// index and file, each missing value (source, key, field, why, and the source's own words when
// its fetch failed), and other errors. The lines people read are made from them here, once.

import { describeMissing, describeRef, type MissingValue } from './refs';

export interface MissingInput extends MissingValue {
  /** Why the source gave no value, when its last fetch failed or found nothing. */
  fetchError?: string;
}

export interface RenderProblem {
  policy: string;
  policyFile: string;
  /** The secret that did not render; absent for the policy's env section. */
  secret?: { index: number; file: string };
  missing: MissingInput[];
  errors: string[];
}

/** "dev:db/password: no entry 'db/password' in store ..." or "vault:kv/app#zz (has no such field)". */
function describeMissingInput(m: MissingInput): string {
  if (m.fetchError === undefined) return describeMissing(m);
  return `${m.reason === 'not available' ? describeRef(m) : describeMissing(m)}: ${m.fetchError}`;
}

/** Everything wrong with one secret, in one text (its status entry). */
export function problemText(p: RenderProblem): string {
  return [...p.missing.map(describeMissingInput), ...p.errors].join('; ');
}

/** The lines start() reports: one per secret, one per item of the env section. */
export function problemLines(p: RenderProblem): string[] {
  if (p.secret) return [`${p.policyFile}: secrets[${p.secret.index}] (${p.secret.file}): ${problemText(p)}`];
  return [...p.missing.map(describeMissingInput), ...p.errors].map((e) => `${p.policyFile}: env: ${e}`);
}
