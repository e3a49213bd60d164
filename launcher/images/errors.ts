// The image machinery's part of the launcher's error registry (launcher/errors.ts; codes
// HUSH_ERR_IMAGE_*). Messages name what and where; the command that catches one prefixes the
// image reference, so a failure reads as one line: `hush: pull REF: cause`. docs/errors.md
// lists every code; test/unit/errors-registry.test.ts keeps the two in step.

import { defineError, HushError } from '../../agent/errors';

const e = defineError;

export const imageErrors = Object.freeze({
  HUSH_ERR_IMAGE_BAD_REF: e('HUSH_ERR_IMAGE_BAD_REF', (ref: string, why: string) => `'${ref}' is not an image reference: ${why}`),
  HUSH_ERR_IMAGE_NOT_FOUND: e('HUSH_ERR_IMAGE_NOT_FOUND', (what: string) => `${what} not found`),
  HUSH_ERR_IMAGE_NOT_PULLED: e('HUSH_ERR_IMAGE_NOT_PULLED', (name: string) => `${name} is not in the image store and --pull never forbids fetching it`),
  HUSH_ERR_IMAGE_FORMAT: e('HUSH_ERR_IMAGE_FORMAT', (where: string, why: string) => `${where}: ${why}`),
  HUSH_ERR_IMAGE_DIGEST: e('HUSH_ERR_IMAGE_DIGEST', (what: string, expected: string, got: string) => `${what}: digest mismatch: expected ${expected}, got ${got}`),
  HUSH_ERR_IMAGE_TRUNCATED: e('HUSH_ERR_IMAGE_TRUNCATED', (what: string, why: string) => `${what} is truncated: ${why}`),
  HUSH_ERR_IMAGE_MISSING_BLOB: e('HUSH_ERR_IMAGE_MISSING_BLOB', (what: string, digest: string) => `${what}: blob ${digest} is missing`),
  HUSH_ERR_IMAGE_PLATFORM: e('HUSH_ERR_IMAGE_PLATFORM', (want: string, have: string[]) => `no manifest for ${want} (the index has ${have.join(', ') || 'none'})`),
  HUSH_ERR_IMAGE_UNSAFE_ENTRY: e('HUSH_ERR_IMAGE_UNSAFE_ENTRY', (layer: string, entry: string, why: string) => `layer ${layer}: refusing entry ${JSON.stringify(entry)}: ${why}`),
  HUSH_ERR_IMAGE_REGISTRY_AUTH: e('HUSH_ERR_IMAGE_REGISTRY_AUTH', (url: string, status: number) => `${url}: ${status} unauthorized (check the credentials in $REGISTRY_AUTH_FILE, ~/.docker/config.json or auth.json)`),
  HUSH_ERR_IMAGE_REGISTRY_NOT_FOUND: e('HUSH_ERR_IMAGE_REGISTRY_NOT_FOUND', (url: string) => `${url}: 404 not found`),
  HUSH_ERR_IMAGE_REGISTRY_SERVER: e('HUSH_ERR_IMAGE_REGISTRY_SERVER', (url: string, status: number, attempts: number) => `${url}: server error ${status} (after ${attempts} attempts)`),
  HUSH_ERR_IMAGE_REGISTRY_NETWORK: e('HUSH_ERR_IMAGE_REGISTRY_NETWORK', (url: string, why: string, attempts: number) => `${url}: ${why} (after ${attempts} attempts)`),
  HUSH_ERR_IMAGE_INSECURE: e('HUSH_ERR_IMAGE_INSECURE', (host: string, why: string) => `${host}: HTTPS failed (${why}); plain HTTP is used only for 127.0.0.0/8, ::1 and localhost, or with --insecure-registry ${host}`),
  HUSH_ERR_IMAGE_USER: e('HUSH_ERR_IMAGE_USER', (user: string, why: string) => `user '${user}': ${why}`),
  HUSH_ERR_IMAGE_STORE: e('HUSH_ERR_IMAGE_STORE', (where: string, why: string) => `image store ${where}: ${why}`),
  HUSH_ERR_IMAGE_IN_USE: e('HUSH_ERR_IMAGE_IN_USE', (what: string) => `${what} is busy: a pull is running (try again when it ends)`),
});

export type ImageErrorCode = keyof typeof imageErrors;
export { HushError };

export function isImageError(err: unknown): err is HushError<ImageErrorCode> {
  return err instanceof HushError && err.code.startsWith('HUSH_ERR_IMAGE_');
}
