// Keeps the cgroup error registry (launcher/cgroups/errors.ts) honest, as the agent's is: every
// key is its code, every code reads HUSH_ERR_CGROUP_<WHAT>, and docs/limits.md lists each one.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cgroupErrors, isCgroupError } from '../../launcher/cgroups/errors';

const documented = [...readFileSync(join(__dirname, '..', '..', 'docs', 'limits.md'), 'utf8').matchAll(/^\|\s*`(HUSH_ERR_[A-Z0-9_]+)`\s*\|/gm)].map((m) => m[1]);

describe('cgroup error registry', () => {
  it.each(Object.entries(cgroupErrors))('%s: key equals code, and it is a cgroup error', (key, definition) => {
    expect(definition.code).toBe(key);
    expect(key).toMatch(/^HUSH_ERR_CGROUP_[A-Z][A-Z0-9_]*[A-Z0-9]$/);
    const err = (definition as (...args: unknown[]) => Error)('--memory', 'memory', '/x', 'EBUSY');
    expect(isCgroupError(err)).toBe(true);
  });

  it('docs/limits.md lists every code, and no other', () => {
    expect([...documented].sort()).toEqual(Object.keys(cgroupErrors).sort());
  });

  it('explains EBUSY from cgroup v2 delegation', () => {
    expect(cgroupErrors.HUSH_ERR_CGROUP_DELEGATE('--memory', 'memory', '/sys/fs/cgroup/a.scope', 'EBUSY').message).toBe(
      '--memory cannot be applied: cgroup v2 does not give memory to children of /sys/fs/cgroup/a.scope (EBUSY): that cgroup holds processes, so it cannot hand controllers down; start hush in a cgroup of its own with them delegated',
    );
  });
});
