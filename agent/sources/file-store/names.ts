// Entry names: `segment/segment/...`, each segment of [A-Za-z0-9._-], never `.` or `..`, never
// empty, never starting with `..` (reserved by atomic-writer style renderers) and never
// starting with `-` (it would read as a command-line flag). At most 255 bytes in all.

import { E } from './errors';

const segmentPattern = /^[A-Za-z0-9._-]+$/;
export const maxNameLength = 255;

/** Why `name` is not a valid entry name, or undefined when it is. */
const commonName = /^[A-Za-z0-9_][A-Za-z0-9._-]*(?:\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/;

export function nameProblem(name: string): string | undefined {
  // Fast path: no segment starts with '.' or '-', so none is '.', '..' or '..x'.
  if (name.length <= maxNameLength && commonName.test(name)) return undefined;
  if (name.length === 0) return 'a name cannot be empty';
  if (name.length > maxNameLength) return `longer than ${maxNameLength} characters`;
  if (name.startsWith('-')) return "a name cannot start with '-'";
  for (const segment of name.split('/')) {
    if (segment === '') return "empty segment (a leading, trailing or doubled '/')";
    if (segment === '.' || segment === '..') return `'${segment}' is not allowed as a segment`;
    if (segment.startsWith('..')) return "a segment cannot start with '..'";
    if (!segmentPattern.test(segment)) return 'only letters, digits, ".", "_", "-" and "/" between segments are allowed';
  }
  return undefined;
}

export function checkName(name: string): string {
  const problem = nameProblem(name);
  if (problem) throw E.HUSH_ERR_STORE_BAD_NAME(name, problem);
  return name;
}

export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
