// What the container sees at /sys/fs/cgroup (cgroupView, launcher/cgroups/layout.ts), and when a rootless run
// may make a cgroup: a delegated cgroup v2 subtree (launcher/cgroups/delegation.ts).

import { describe, expect, it } from 'vitest';
import { checkDelegation, type DelegationProbe } from '../../launcher/cgroups/delegation';
import { cgroupLayout, cgroupView } from '../../launcher/cgroups/layout';
import { parseLimits } from '../../launcher/cgroups/limits';

const hybrid = cgroupLayout(
  `31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
38 31 0:35 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
`,
  '8:pids:/\n4:memory:/a\n1:cpu,cpuacct:/\n0::/\n',
);
const v2 = cgroupLayout('25 1 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n', '0::/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope\n');

describe('cgroupView', () => {
  it('on a hybrid: a tmpfs of one mount per joined hierarchy, named as the host names it', () => {
    expect(cgroupView([...hybrid.v1, hybrid.unified!])).toEqual([
      { dir: 'pids', fsType: 'cgroup', options: ['pids'] },
      { dir: 'memory', fsType: 'cgroup', options: ['memory'] },
      { dir: 'cpu,cpuacct', fsType: 'cgroup', options: ['cpu', 'cpuacct'] },
      { dir: 'unified', fsType: 'cgroup2', options: [] },
    ]);
  });

  it('leaves out a hierarchy the container was not placed in', () => {
    expect(cgroupView([hybrid.v1[1]]).map((m) => m.dir)).toEqual(['memory']);
    expect(cgroupView([])).toEqual([]);
  });

  it('on cgroup2 alone: one cgroup2 mount at /sys/fs/cgroup itself', () => {
    expect(cgroupView([v2.unified!])).toEqual([{ dir: '', fsType: 'cgroup2', options: [] }]);
  });

  it('rootless on a hybrid (the unified hierarchy only): the tmpfs with unified in it', () => {
    expect(cgroupView([hybrid.unified!])).toEqual([{ dir: 'unified', fsType: 'cgroup2', options: [] }]);
  });
});

const own = v2.unified!.ownDir;
const probe = (writable: string[], controllers: string[]): DelegationProbe => ({
  writable: (path) => writable.includes(path),
  controllers: (dir) => (dir === own ? controllers : []),
});
const delegated = [own, `${own}/cgroup.procs`, `${own}/cgroup.subtree_control`];
const ownPath = '/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope';

describe('checkDelegation', () => {
  it('accepts the own cgroup when it, its cgroup.procs and cgroup.subtree_control are writable and hold the controllers', () => {
    expect(checkDelegation(v2.unified, ownPath, parseLimits({ memory: '64m', cpus: '1', pidsLimit: '9' }), probe(delegated, ['cpu', 'memory', 'pids']))).toEqual({
      ok: true,
      hierarchy: v2.unified,
    });
    expect(checkDelegation(v2.unified, ownPath, parseLimits({}), probe(delegated, []))).toMatchObject({ ok: true });
  });

  it('says there is no cgroup2 mounted, naming the flag asked for', () => {
    expect(checkDelegation(undefined, '/', parseLimits({ cpus: '1' }), probe([], []))).toEqual({
      ok: false,
      reason: 'no cgroup2 filesystem is mounted where your cgroup (0::/) is',
      limit: { flag: '--cpus', controller: 'cpu' },
    });
  });

  it.each([[[own]], [[own, `${own}/cgroup.procs`]], [[`${own}/cgroup.procs`, `${own}/cgroup.subtree_control`]]])(
    'says the own cgroup is not delegated unless all three are writable: %j',
    (writable) => {
      expect(checkDelegation(v2.unified, ownPath, parseLimits({ memory: '64m' }), probe(writable, ['memory']))).toEqual({
        ok: false,
        reason: `your cgroup ${own} is not writable by you (not delegated to you, as systemd's Delegate=yes does)`,
        limit: { flag: '--memory', controller: 'memory' },
      });
    },
  );

  it('names the controller that is not delegated, and the flag that needs it', () => {
    expect(checkDelegation(v2.unified, ownPath, parseLimits({ memory: '64m', pidsLimit: '5' }), probe(delegated, ['memory']))).toEqual({
      ok: false,
      reason: `the pids controller is not delegated to your cgroup ${own} (its cgroup.controllers: memory)`,
      limit: { flag: '--pids-limit', controller: 'pids' },
    });
    expect(checkDelegation(v2.unified, ownPath, parseLimits({ memory: '64m' }), probe(delegated, []))).toMatchObject({
      reason: `the memory controller is not delegated to your cgroup ${own} (its cgroup.controllers: none)`,
    });
  });

  it('without an asked limit a missing subtree costs only the default pids limit (no flag)', () => {
    expect(checkDelegation(v2.unified, ownPath, parseLimits({}), probe([], []))).toMatchObject({ ok: false, limit: undefined });
  });
});
