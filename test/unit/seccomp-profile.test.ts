import { describe, expect, it } from 'vitest';
import { defaultSeccompProfile } from '../../launcher/seccomp-default';
import { parseSeccompProfile } from '../../launcher/seccomp-profile-parse';
import { resolveSeccompProfile } from '../../launcher/seccomp-profile';
import { runErrors } from '../../launcher/errors';

const machine = { arch: 'x64', kernel: '6.18.0', capabilities: ['CAP_CHOWN'] };

describe('resolveSeccompProfile', () => {
  it('covers x86-64, i386 and x32 with the default profile, answering unknown calls with ENOSYS', () => {
    const resolved = resolveSeccompProfile(defaultSeccompProfile, machine);
    expect(resolved.architectures).toEqual(['x86_64', 'x86', 'x32']);
    expect(resolved.defaultAction).toBe(0x00050000 | 38);
  });

  it('applies includes and excludes by capability, architecture and kernel', () => {
    const profile = parseSeccompProfile(
      JSON.stringify({
        defaultAction: 'SCMP_ACT_ERRNO',
        syscalls: [
          { names: ['a'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
          { names: ['b'], action: 'SCMP_ACT_ALLOW', excludes: { caps: ['CAP_SYS_ADMIN'] } },
          { names: ['c'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['arm64'] } },
          { names: ['d'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '6.19' } },
          { names: ['e'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '4.8', arches: ['amd64'] } },
          { name: 'f', action: 'SCMP_ACT_ERRNO', errnoRet: 38, args: [{ index: 1, value: 4, valueTwo: 2, op: 'SCMP_CMP_MASKED_EQ' }] },
        ],
      }),
      'p.json',
    );
    const resolved = resolveSeccompProfile(profile, machine);
    expect(resolved.defaultAction).toBe(0x00050001);
    expect(resolved.syscalls.map((s) => s.names[0])).toEqual(['b', 'e', 'f']);
    expect(resolved.syscalls[2]).toEqual({ index: 5, names: ['f'], action: 0x00050026, args: [{ index: 1, op: 7, value: 4, valueTwo: 2 }] });
  });

  it('refuses an architecture it has no filter for', () => {
    expect(() => resolveSeccompProfile(defaultSeccompProfile, { ...machine, arch: 'mips' })).toThrow(expect.objectContaining({ code: runErrors.HUSH_ERR_RUN_SECCOMP_PROFILE.code }));
  });
});

describe('parseSeccompProfile', () => {
  it("reads Docker's shapes: null subArchitectures and args, a comment, MASKED_EQ without valueTwo, combined excludes", () => {
    const profile = parseSeccompProfile(
      JSON.stringify({
        defaultAction: 'SCMP_ACT_ERRNO',
        defaultErrnoRet: 1,
        archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }, { architecture: 'SCMP_ARCH_RISCV64', subArchitectures: null }],
        syscalls: [
          { names: ['read'], action: 'SCMP_ACT_ALLOW', args: null },
          { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2114060288, op: 'SCMP_CMP_MASKED_EQ' }], excludes: { caps: ['CAP_SYS_ADMIN'], arches: ['s390', 's390x'] } },
          { names: ['clone'], action: 'SCMP_ACT_ALLOW', comment: 's390 argument order', args: [{ index: 1, value: 2114060288, op: 'SCMP_CMP_MASKED_EQ' }], includes: { arches: ['s390', 's390x'] } },
        ],
      }),
      'docker.json',
    );
    const resolved = resolveSeccompProfile(profile, machine);
    expect(resolved.architectures).toEqual(['x86_64', 'x86', 'x32']);
    expect(resolved.syscalls.map((s) => [s.names[0], s.args])).toEqual([
      ['read', []],
      ['clone', [{ index: 0, op: 7, value: 2114060288, valueTwo: 0 }]],
    ]);
  });

  it.each([
    [{ defaultAction: 'SCMP_ACT_NOTIFY' }, 'p.json: defaultAction: SCMP_ACT_NOTIFY needs a listener, which hush does not run'],
    [{ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_Z80'] }, 'p.json: architectures[0]: unknown architecture "SCMP_ARCH_Z80"'],
    [{ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ action: 'SCMP_ACT_ALLOW' }] }, 'p.json: syscalls[0].names: missing'],
    [{ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['x'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: -1, op: 'SCMP_CMP_EQ' }] }] }, /syscalls\[0\]\.args\[0\]\.value: expected an integer/],
    [{ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['x'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: 'five' } }] }, /syscalls\[0\]\.includes\.minKernel: expected a kernel version/],
  ])('refuses %j', (profile, message) => {
    expect(() => parseSeccompProfile(JSON.stringify(profile), 'p.json')).toThrow(message);
  });
});
