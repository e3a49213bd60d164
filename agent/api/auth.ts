// Bearer-token check in constant time. Both sides are hashed first so that the comparison
// takes the same time whatever the lengths are.

import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** A checker for `Authorization` header values against `token`. */
export function bearerChecker(token: string): (header: string | undefined) => boolean {
  const expected = digest(token);
  return (header) => {
    const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
    const given = digest(match ? match[1]! : '');
    // Always compare, then also require that a token was present.
    return timingSafeEqual(given, expected) && match !== null;
  };
}
