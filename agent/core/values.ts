// Fetched data as the renderer sees it: a snapshot that answers (source, key) lookups from
// memory, and the conversions from a fetched value to text. Nothing here fetches.

/** One fetched value: a byte string (store) or a map of fields (Vault). */
export type SecretData = Uint8Array | Readonly<Record<string, unknown>>;

/** What rendering reads from. `source` is the name the policy uses. */
export interface Snapshot {
  get(source: string, key: string): SecretData | undefined;
}

export function isBytes(data: unknown): data is Uint8Array {
  return data instanceof Uint8Array;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes UTF-8 text; undefined when the bytes are not valid UTF-8. */
export function decodeText(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Every string inside a fetched value, for the redactor. */
export function* secretStrings(data: SecretData): Generator<string | Uint8Array> {
  if (isBytes(data)) {
    yield data;
    return;
  }
  const stack: unknown[] = [data];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') yield value;
    else if (value && typeof value === 'object') stack.push(...Object.values(value));
  }
}

/** The last segment of a key ("demo/db_password" → "db_password"). */
export function keyBaseName(key: string): string {
  const parts = key.split('/').filter((p) => p.length > 0);
  return parts[parts.length - 1] ?? key;
}

/** A variable name made from a key: "demo/db-password" → "DB_PASSWORD". */
export function envNameFromKey(key: string): string {
  const name = keyBaseName(key).toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

export const envNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
