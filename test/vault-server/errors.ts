// Vault's error envelope: every status >= 400 answers {"errors": [...]}, often an empty array.
// Handlers throw VaultError; the server turns it into the wire shape.

export class VaultError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
    readonly headers: Record<string, string> = {},
  ) {
    super(errors.length > 0 ? errors.join('; ') : `status ${status}`);
    this.name = 'VaultError';
  }
}

/** go-multierror's text for one wrapped error, as Vault sends it for ACL and operation errors. */
export function multierror(message: string): string {
  return `1 error occurred:\n\t* ${message}\n\n`;
}

/** Bad, expired, revoked or missing token. */
export const permissionDenied = (): VaultError => new VaultError(403, ['permission denied']);
/** A valid token whose policies do not grant the capability. */
export const policyDenied = (): VaultError => new VaultError(403, [multierror('permission denied')]);
export const badRequest = (message: string): VaultError => new VaultError(400, [message]);
/** A read or list with nothing to return: 404 with an empty errors array. */
export const notFound = (): VaultError => new VaultError(404, []);
export const unsupportedOperation = (): VaultError => new VaultError(405, [multierror('unsupported operation')]);
export const unsupportedPath = (): VaultError => new VaultError(404, [multierror('unsupported path')]);
export const noRoute = (path: string): VaultError =>
  new VaultError(404, [`no handler for route "${path}". route entry not found.`]);
