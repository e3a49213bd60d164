// Keeps the agent's error registry honest (STYLE.md, "Errors"): every key is its code, no code is
// defined twice, every code reads HUSH_ERR_<AREA>_<WHAT>, and docs/errors.md (which the README
// links to) has a row for every code and no row for a code that does not exist.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentErrors, errorAreas, HushError, type AgentErrorCode } from '../../agent/errors';

const registry = Object.entries(agentErrors);
const codeForm = /^HUSH_ERR_[A-Z][A-Z0-9]*_[A-Z][A-Z0-9_]*[A-Z0-9]$/;

/** The codes in the first column of docs/errors.md's tables. */
function documentedCodes(): string[] {
  const text = readFileSync(join(__dirname, '..', '..', 'docs', 'errors.md'), 'utf8');
  return [...text.matchAll(/^\|\s*`(HUSH_ERR_[A-Z0-9_]+)`\s*\|/gm)].map((m) => m[1]);
}

describe('agent error registry', () => {
  it('holds every area', () => {
    expect(registry.length).toBeGreaterThan(40);
    for (const [area, definitions] of Object.entries(errorAreas)) {
      for (const code of Object.keys(definitions)) expect(agentErrors, `${area}: ${code}`).toHaveProperty(code);
    }
  });

  it.each(registry)('%s: key equals code', (key, definition) => {
    expect(definition.code).toBe(key);
    // Arrays stand in for every argument type: they interpolate, join, map and slice.
    const err = (definition as (...args: unknown[]) => HushError)(['x'], ['y'], ['z']);
    expect(err).toBeInstanceOf(HushError);
    expect(err.code).toBe(key);
    expect(definition.is(err)).toBe(true);
    const cause = new Error('underneath');
    const caused = (definition as { withCause(cause: unknown, ...args: unknown[]): HushError }).withCause(cause, ['x'], ['y'], ['z']);
    expect(caused.code).toBe(key);
    expect(caused.message).toBe(err.message);
    expect(caused.cause).toBe(cause);
    expect(definition.is(caused)).toBe(true);
  });

  it('defines no code twice, across areas', () => {
    const all = Object.values(errorAreas).flatMap((definitions) => Object.values(definitions).map((d) => d.code));
    const seen = new Set<string>();
    const twice = all.filter((code) => seen.size === seen.add(code).size);
    expect(twice).toEqual([]);
    expect(all.length).toBe(registry.length);
  });

  it.each(registry.map(([code]) => code))('%s has the form HUSH_ERR_<AREA>_<WHAT>', (code) => {
    expect(code).toMatch(codeForm);
  });

  it('every code has a row in docs/errors.md, and every row is a code', () => {
    const documented = documentedCodes();
    const codes: string[] = registry.map(([code]) => code);
    expect(codes.filter((code) => !documented.includes(code))).toEqual([]);
    expect(documented.filter((code) => !codes.includes(code))).toEqual([]);
    expect(documented.filter((code, i) => documented.indexOf(code) !== i)).toEqual([]);
  });

  it.each<[string, HushError]>([
    ['a message with arguments', agentErrors.HUSH_ERR_SINK_WRITE.withCause(new Error('EIO: i/o error'), 'db_password', 'EIO')],
    ['a message without arguments', agentErrors.HUSH_ERR_API_EMPTY_TOKEN.withCause(new Error('EIO: i/o error'))],
  ])('keeps the cause given to withCause: %s', (_what, err) => {
    expect((err.cause as Error).message).toBe('EIO: i/o error');
    expect(err.message).not.toContain('[object Object]');
  });

  it('builds without a cause when none is given', () => {
    const err = agentErrors.HUSH_ERR_SINK_WRITE('db_password', 'EIO');
    expect(err.message).toBe('cannot write "db_password": EIO');
    expect(err.cause).toBeUndefined();
  });

  it('types codes as a literal union', () => {
    const code: AgentErrorCode = 'HUSH_ERR_SINK_WRITE';
    // @ts-expect-error: not a code of the registry
    const notACode: AgentErrorCode = 'HUSH_ERR_SINK_NOPE';
    expect(agentErrors[code].code).toBe(code);
    expect(notACode in agentErrors).toBe(false);
  });
});
