// Secret file names: relative paths under the secrets directory. Checked when a policy loads
// and again by the sink before it touches the filesystem.

/** Temporary and probe files of the sink start with this; secrets may not. */
export const reservedPrefix = '.hush-';

/** Why a secret file name is unsafe, or undefined when it is fine. */
export function fileNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.startsWith('/')) return 'must be a relative path under the secrets directory, not an absolute path';
  if (/[\x00-\x1f\x7f]/.test(name)) return 'must not contain control characters';
  const segments = name.split('/');
  if (segments.some((s) => s === '..')) return "must not contain '..'";
  if (segments.some((s) => s === '.')) return "must not contain '.' segments";
  if (segments.some((s) => s === '')) return "must not contain empty segments ('//' or a trailing '/')";
  if (segments.some((s) => Buffer.byteLength(s) > 255)) return 'has a segment longer than 255 bytes';
  if (segments.some((s) => s.startsWith(reservedPrefix))) return `must not start with '${reservedPrefix}' (reserved for the agent)`;
  return undefined;
}
