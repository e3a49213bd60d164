// The cgroup errors (launcher/cgroups/errors.ts): every code reads HUSH_ERR_CGROUP_<WHAT> and is
// one isCgroupError knows (errors-registry.test.ts checks them against docs/errors.md).

import { describe, expect, it } from 'vitest';
import { cgroupErrors, isCgroupError } from '../../launcher/cgroups/errors';

describe('cgroup error registry', () => {
  it.each(Object.entries(cgroupErrors))('%s: key equals code, and it is a cgroup error', (key, definition) => {
    expect(definition.code).toBe(key);
    expect(key).toMatch(/^HUSH_ERR_CGROUP_[A-Z][A-Z0-9_]*[A-Z0-9]$/);
    const err = (definition as (...args: unknown[]) => Error)('--memory', 'memory', '/x', 'EBUSY');
    expect(isCgroupError(err)).toBe(true);
  });

  it('explains EBUSY from cgroup v2 delegation', () => {
    expect(cgroupErrors.HUSH_ERR_CGROUP_DELEGATE('--memory', 'memory', '/sys/fs/cgroup/a.scope', 'EBUSY').message).toBe(
      '--memory cannot be applied: cgroup v2 does not give memory to children of /sys/fs/cgroup/a.scope (EBUSY): that cgroup holds processes (hush itself), and below the root of the hierarchy such a cgroup cannot hand controllers to children',
    );
  });
});
