// The image error registry against the table in docs/images.md, as errors-registry.test.ts
// does for the agent's.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HushError, imageErrors } from '../../launcher/images/errors';

const documented = [...readFileSync(join(__dirname, '..', '..', 'docs', 'images.md'), 'utf8').matchAll(/^\|\s*`(HUSH_ERR_[A-Z0-9_]+)`\s*\|/gm)].map((m) => m[1]);

describe('image error registry', () => {
  it.each(Object.entries(imageErrors))('%s: key equals code, form HUSH_ERR_IMAGE_*', (key, definition) => {
    expect(definition.code).toBe(key);
    expect(key).toMatch(/^HUSH_ERR_IMAGE_[A-Z][A-Z0-9_]*[A-Z0-9]$/);
    const err = (definition as (...args: unknown[]) => HushError)(['x'], ['y'], ['z']);
    expect(err.code).toBe(key);
  });

  it('every code has a row in docs/images.md, and every row is a code', () => {
    const codes = Object.keys(imageErrors);
    expect(codes.filter((c) => !documented.includes(c))).toEqual([]);
    expect(documented.filter((c) => !codes.includes(c))).toEqual([]);
  });
});
