// The agent's error base. Every error that crosses a module boundary is a HushError with a
// stable code (HUSH_ERR_<AREA>_<WHAT>), so the CLI can map it to an exit status and tests can
// match on it. Messages name what and where, and never carry a secret value.

export class HushError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HushError';
    this.code = code;
  }
}

export interface ErrorDefinition<Args extends unknown[]> {
  readonly code: string;
  (...args: Args): HushError;
  is(err: unknown): err is HushError;
}

/** Defines one entry of an error registry: a code and a function that builds its message. */
export function defineError<Args extends unknown[]>(
  code: string,
  message: (...args: Args) => string,
): ErrorDefinition<Args> {
  const make = (...args: Args) => new HushError(code, message(...args));
  return Object.assign(make, {
    code,
    is: (err: unknown): err is HushError => err instanceof HushError && err.code === code,
  });
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
