// References to fetched values. A ref names a source (as the policy calls it), a key in that
// source, and optionally one field of a map value. "SOURCE:KEY" splits at the first colon, so
// Vault paths and store names may hold colons after it.

export interface Ref {
  source: string;
  key: string;
  field?: string;
}

/** Parses "SOURCE:KEY"; returns undefined when either side is empty. */
export function parseRef(text: string, field?: string): Ref | undefined {
  const at = text.indexOf(':');
  if (at <= 0 || at === text.length - 1) return undefined;
  const ref: Ref = { source: text.slice(0, at), key: text.slice(at + 1) };
  if (field !== undefined) ref.field = field;
  return ref;
}

/** The identity of a fetched value (no field): "SOURCE:KEY". */
export function refId(source: string, key: string): string {
  return `${source}:${key}`;
}

/** "SOURCE:KEY" or "SOURCE:KEY#FIELD", for messages (never a value). */
export function describeRef(ref: Ref): string {
  return ref.field === undefined ? refId(ref.source, ref.key) : `${refId(ref.source, ref.key)}#${ref.field}`;
}

/** A value a render needed and did not find: which one, and why (never the value). */
export interface MissingValue extends Ref {
  /** "not available", "has no such field", ... */
  reason: string;
}

export function missing(ref: Ref, reason: string): MissingValue {
  return ref.field === undefined ? { source: ref.source, key: ref.key, reason } : { source: ref.source, key: ref.key, field: ref.field, reason };
}

/** "SOURCE:KEY[#FIELD] (reason)". */
export function describeMissing(m: MissingValue): string {
  return `${describeRef(m)} (${m.reason})`;
}
