// The agent's error registry: every error the agent executable raises is defined here, with a
// stable code (HUSH_ERR_<AREA>_<WHAT>), a message template and a literal code type, so that the
// CLI can map it to an exit status and tests can match on it. Messages name what and where, and
// never carry a secret value. docs/errors.md lists every code; test/unit/errors-registry.test.ts
// keeps the two in step. Each area's file (sink/errors.ts, sources/file-store/errors.ts, ...)
// re-exports its part, so call sites import from next door.

export class HushError<C extends string = string> extends Error {
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HushError';
    this.code = code;
  }
}

export interface ErrorDefinition<Args extends unknown[], C extends string = string> {
  readonly code: C;
  (...args: Args): HushError<C>;
  /** The same error, keeping the one that led to it as its `cause`. */
  withCause(cause: unknown, ...args: Args): HushError<C>;
  is(err: unknown): err is HushError<C>;
}

/** Defines one entry of the registry: a code and a function that builds its message. */
export function defineError<C extends string, Args extends unknown[]>(
  code: C,
  message: (...args: Args) => string,
): ErrorDefinition<Args, C> {
  const make = (...args: Args) => new HushError(code, message(...args));
  return Object.assign(make, {
    code,
    withCause: (cause: unknown, ...args: Args) => new HushError(code, message(...args), { cause }),
    is: (err: unknown): err is HushError<C> => err instanceof HushError && err.code === code,
  });
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** One area's definitions; the type checks that every key is its definition's code. */
function area<T extends { readonly [K in keyof T]: { readonly code: K } }>(definitions: T): Readonly<T> {
  return Object.freeze(definitions);
}

const e = defineError;

/** Policy files (agent/config, read by agent/main.ts's readPolicies; PolicyLoadError there). */
export const policyErrors = area({
  HUSH_ERR_POLICY_INVALID: e('HUSH_ERR_POLICY_INVALID', (errors: readonly string[]) => errors.join('\n')),
});

/** Building the source adapters (agent/sources/index.ts). */
export const sourceErrors = area({
  HUSH_ERR_SOURCE_NO_STORE: e(
    'HUSH_ERR_SOURCE_NO_STORE',
    (users: string) => `${users}: a 'type: file' source without a path needs --store FILE or $HUSH_STORE`,
  ),
  HUSH_ERR_SOURCE_UNKNOWN: e('HUSH_ERR_SOURCE_UNKNOWN', (type: string) => `unknown source type '${type}'`),
});

/** The encrypted file store (agent/sources/file-store/). `where` is the store path as the user gave it. */
export const storeErrors = area({
  HUSH_ERR_STORE_NOT_FOUND: e('HUSH_ERR_STORE_NOT_FOUND', (where: string) =>
    `${where}: no store here (create one with 'hush store init')`),
  HUSH_ERR_STORE_EXISTS: e('HUSH_ERR_STORE_EXISTS', (where: string) =>
    `${where}: a file already exists here; refusing to overwrite it`),
  HUSH_ERR_STORE_NOT_REGULAR: e('HUSH_ERR_STORE_NOT_REGULAR', (where: string, what: string) =>
    `${where}: is ${what}, not a regular file; refusing to use it as a store`),
  HUSH_ERR_STORE_IO: e('HUSH_ERR_STORE_IO', (where: string, what: string) => `${where}: ${what}`),
  HUSH_ERR_STORE_TOO_LARGE: e('HUSH_ERR_STORE_TOO_LARGE', (where: string, size: number, cap: number) =>
    `${where}: file is ${size} bytes, over the ${cap}-byte limit; refusing to parse it`),
  HUSH_ERR_STORE_EMPTY: e('HUSH_ERR_STORE_EMPTY', (where: string) =>
    `${where}: file is empty (a save was interrupted or the file was cleared; restore it from git)`),
  HUSH_ERR_STORE_TRUNCATED: e('HUSH_ERR_STORE_TRUNCATED', (where: string, offset: number) =>
    `${where}: file ends early at byte ${offset} (truncated)`),
  HUSH_ERR_STORE_SYNTAX: e('HUSH_ERR_STORE_SYNTAX', (where: string, offset: number, what: string) =>
    `${where}: not valid JSON at byte ${offset}: ${what}`),
  HUSH_ERR_STORE_TRAILING_DATA: e('HUSH_ERR_STORE_TRAILING_DATA', (where: string, offset: number) =>
    `${where}: unexpected data after the end of the store at byte ${offset}`),
  HUSH_ERR_STORE_MERGE_CONFLICT: e('HUSH_ERR_STORE_MERGE_CONFLICT', (where: string, line: number) =>
    `${where}: line ${line}: contains a git merge-conflict marker; resolve it with ` +
    `'hush store merge BASE OURS THEIRS' (or set up the merge driver, see docs/store.md)`),
  HUSH_ERR_STORE_DUPLICATE_KEY: e('HUSH_ERR_STORE_DUPLICATE_KEY', (where: string, key: string, offset: number) =>
    `${where}: duplicate key "${key}" at byte ${offset}`),
  HUSH_ERR_STORE_ENCODING: e('HUSH_ERR_STORE_ENCODING', (where: string, what: string) =>
    `${where}: bad encoding: ${what}`),
  HUSH_ERR_STORE_SCHEMA: e('HUSH_ERR_STORE_SCHEMA', (where: string, field: string, what: string) =>
    `${where}: ${field}: ${what}`),
  HUSH_ERR_STORE_VERSION: e('HUSH_ERR_STORE_VERSION', (where: string, field: string, got: string) =>
    `${where}: ${field} ${got} is not supported by this hush (a newer hush is required)`),
  HUSH_ERR_STORE_KDF_PARAMS: e('HUSH_ERR_STORE_KDF_PARAMS', (where: string, what: string) =>
    `${where}: refusing scrypt parameters: ${what}`),
  HUSH_ERR_STORE_NO_KEY: e('HUSH_ERR_STORE_NO_KEY', (where: string, what: string) =>
    `${where}: ${what}`),
  HUSH_ERR_STORE_WRONG_KEY: e('HUSH_ERR_STORE_WRONG_KEY', (where: string, what: string) =>
    `${where}: cannot decrypt the file key: ${what}`),
  HUSH_ERR_STORE_ENTRY_CORRUPT: e('HUSH_ERR_STORE_ENTRY_CORRUPT', (where: string, name: string) =>
    `${where}: entry "${name}" does not decrypt (damaged or tampered)`),
  HUSH_ERR_STORE_ENTRY_SWAPPED: e('HUSH_ERR_STORE_ENTRY_SWAPPED', (where: string, name: string) =>
    `${where}: entry "${name}" holds a value sealed for another name (entries were swapped)`),
  HUSH_ERR_STORE_NONCE_REUSE: e('HUSH_ERR_STORE_NONCE_REUSE', (where: string, a: string, b: string) =>
    `${where}: entries "${a}" and "${b}" share a nonce; refusing the file`),
  HUSH_ERR_STORE_MAC: e('HUSH_ERR_STORE_MAC', (where: string) =>
    `${where}: the file MAC does not match: entries, the key section or the generation were ` +
    `added, removed, replaced or altered outside hush`),
  HUSH_ERR_STORE_SIGNATURE: e('HUSH_ERR_STORE_SIGNATURE', (where: string, what: string) =>
    `${where}: writer signature check failed: ${what}`),
  HUSH_ERR_STORE_BAD_NAME: e('HUSH_ERR_STORE_BAD_NAME', (name: string, what: string) =>
    `bad entry name ${JSON.stringify(name.length > 80 ? name.slice(0, 80) + '...' : name)}: ${what}`),
  HUSH_ERR_STORE_NO_ENTRY: e('HUSH_ERR_STORE_NO_ENTRY', (where: string, name: string) =>
    `${where}: no entry named "${name}"`),
  HUSH_ERR_STORE_VALUE_TOO_LARGE: e('HUSH_ERR_STORE_VALUE_TOO_LARGE', (name: string, size: number, cap: number) =>
    `entry "${name}": value is ${size} bytes, over the ${cap}-byte limit`),
  HUSH_ERR_STORE_BAD_PASSPHRASE: e('HUSH_ERR_STORE_BAD_PASSPHRASE', (what: string) => `passphrase: ${what}`),
  HUSH_ERR_STORE_BAD_KEY_TEXT: e('HUSH_ERR_STORE_BAD_KEY_TEXT', (where: string, what: string) =>
    `${where}: ${what}`),
  HUSH_ERR_STORE_RECIPIENTS: e('HUSH_ERR_STORE_RECIPIENTS', (where: string, what: string) =>
    `${where}: ${what}`),
  HUSH_ERR_STORE_LOCKED: e('HUSH_ERR_STORE_LOCKED', (lock: string, holder: string) =>
    `${lock}: the store is locked by ${holder}; try again (remove the lock file if that process is gone)`),
  HUSH_ERR_STORE_MERGE_ENTRY: e('HUSH_ERR_STORE_MERGE_ENTRY', (where: string, names: string[]) =>
    `${where}: both sides changed ${names.map((n) => `"${n}"`).join(', ')}; resolve by hand ` +
    `('hush store set' on the merged file) and commit`),
  HUSH_ERR_STORE_PARSE_INPUT: e('HUSH_ERR_STORE_PARSE_INPUT', (where: string, line: number, what: string) =>
    `${where}${line > 0 ? `: line ${line}` : ''}: ${what}`),
  HUSH_ERR_STORE_EXPORT: e('HUSH_ERR_STORE_EXPORT', (name: string, what: string) => `entry "${name}": ${what}`),
  HUSH_ERR_STORE_TEMP_DIR: e('HUSH_ERR_STORE_TEMP_DIR', (dir: string, what: string) => `${dir}: ${what}`),
  HUSH_ERR_STORE_EDITOR: e('HUSH_ERR_STORE_EDITOR', (what: string) => `editor: ${what}`),
});

/** The Vault source (agent/sources/vault/). Messages name paths and methods, never a token. */
export const vaultErrors = area({
  HUSH_ERR_VAULT_NO_ADDRESS: e('HUSH_ERR_VAULT_NO_ADDRESS', (source: string) => `${source}: no Vault address: set 'address' in the policy or $VAULT_ADDR`),
  HUSH_ERR_VAULT_WRAPPING: e(
    'HUSH_ERR_VAULT_WRAPPING',
    (file: string, why: string) => `security: the response-wrapped secret_id in ${file} was refused (${why}); it may have been intercepted. Put a fresh wrapping token in the file; hush will not retry this one`,
  ),
  HUSH_ERR_VAULT_BAD_KEY: e('HUSH_ERR_VAULT_BAD_KEY', (key: string, why: string) => `Vault key '${key}': ${why}`),
  HUSH_ERR_VAULT_ADDRESS_SCHEME: e('HUSH_ERR_VAULT_ADDRESS_SCHEME', (scheme: string) => `unsupported Vault address scheme '${scheme}'`),
  HUSH_ERR_VAULT_REQUEST: e('HUSH_ERR_VAULT_REQUEST', (where: string, status: number, errors: readonly string[]) =>
    `${where}${status === 0 ? '' : `Vault answered ${status}`}${errors.length > 0 ? `${status === 0 ? '' : ': '}${errors.join('; ')}` : ''}`),
  HUSH_ERR_VAULT_BYPASS: e('HUSH_ERR_VAULT_BYPASS', () => 'Vault request refused: it did not come through the hush adapter'),
  HUSH_ERR_VAULT_PATH_MISMATCH: e('HUSH_ERR_VAULT_PATH_MISMATCH', (where: string, built: string) =>
    `${where}not sent: node-vault built ${built}, not the path the adapter asked for`),
  HUSH_ERR_VAULT_NOT_SENT: e('HUSH_ERR_VAULT_NOT_SENT', (where: string, why: string) => `${where}node-vault did not send the request: ${why}`),
  HUSH_ERR_VAULT_NO_TOKEN: e('HUSH_ERR_VAULT_NO_TOKEN', (why: string) => why),
  HUSH_ERR_VAULT_CREDENTIAL: e('HUSH_ERR_VAULT_CREDENTIAL', (what: string, file: string, why: string) =>
    why === 'empty' ? `the ${what} file ${file} is empty` : `cannot read the ${what} file ${file}: ${why}`),
  HUSH_ERR_VAULT_LOGIN: e('HUSH_ERR_VAULT_LOGIN', (what: string) => `${what}: Vault returned no client_token`),
});

/** The agent's API (agent/api/). */
export const apiErrors = area({
  HUSH_ERR_API_ADDRESS: e('HUSH_ERR_API_ADDRESS', (address: string, why: string) => `listen address '${address}': ${why}`),
  HUSH_ERR_API_NOT_SOCKET: e('HUSH_ERR_API_NOT_SOCKET', (socketPath: string) => `${socketPath} exists and is not a socket; not replacing it`),
  HUSH_ERR_API_IN_USE: e('HUSH_ERR_API_IN_USE', (socketPath: string) => `another agent is listening on ${socketPath}`),
  HUSH_ERR_API_NEEDS_TOKEN: e('HUSH_ERR_API_NEEDS_TOKEN', (address: string) =>
    `listen address '${address}': a TCP listener needs a bearer token (build the app with apiToken())`),
  HUSH_ERR_API_EMPTY_TOKEN: e('HUSH_ERR_API_EMPTY_TOKEN', () => 'the API token must not be empty'),
});

/** The tmpfs sink (agent/sink/). Messages name the file under the secrets directory, never content. */
export const sinkErrors = area({
  HUSH_ERR_SINK_ROOT: e('HUSH_ERR_SINK_ROOT', (root: string, why: string) => `secrets directory ${root}: ${why}`),
  HUSH_ERR_SINK_PATH: e('HUSH_ERR_SINK_PATH', (file: string, why: string) => `refusing to write ${JSON.stringify(file)}: ${why}`),
  HUSH_ERR_SINK_SYMLINK: e(
    'HUSH_ERR_SINK_SYMLINK',
    (file: string, at: string) => `refusing to write ${JSON.stringify(file)}: ${JSON.stringify(at)} is a symlink or not a directory`,
  ),
  HUSH_ERR_SINK_WRITE: e('HUSH_ERR_SINK_WRITE', (file: string, code: string) => `cannot write ${JSON.stringify(file)}: ${code}`),
  HUSH_ERR_SINK_NOT_MEMORY: e(
    'HUSH_ERR_SINK_NOT_MEMORY',
    (dir: string, fsType: string) => `${dir} is on ${fsType}, not tmpfs or ramfs: secrets would reach a disk (use --allow-disk to override)`,
  ),
});

/** Every area, by name: the registry test counts codes across them to catch a duplicate. */
export const errorAreas = {
  policy: policyErrors,
  source: sourceErrors,
  store: storeErrors,
  vault: vaultErrors,
  api: apiErrors,
  sink: sinkErrors,
} as const;

/** The registry: every definition of the agent executable, keyed by its code. */
export const agentErrors = Object.freeze({
  ...policyErrors,
  ...sourceErrors,
  ...storeErrors,
  ...vaultErrors,
  ...apiErrors,
  ...sinkErrors,
});

export type AgentErrorCode = keyof typeof agentErrors;
