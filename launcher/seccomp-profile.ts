// Pure: a Docker/OCI seccomp profile → what the addon compiles with libseccomp. Entries are
// resolved against the app's capabilities, the machine's architecture and kernel (Docker's
// `includes`/`excludes`), and actions become libseccomp's values. Reading a profile file's
// JSON, field by field, is seccomp-profile-parse.ts.

import { runErrors } from './errors';

export interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: 'SCMP_CMP_NE' | 'SCMP_CMP_LT' | 'SCMP_CMP_LE' | 'SCMP_CMP_EQ' | 'SCMP_CMP_GE' | 'SCMP_CMP_GT' | 'SCMP_CMP_MASKED_EQ';
}

export interface SeccompFilterCondition {
  caps?: string[];
  arches?: string[];
  minKernel?: string;
}

export interface SeccompSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: SeccompArg[];
  includes?: SeccompFilterCondition;
  excludes?: SeccompFilterCondition;
}

export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures?: string[] }[];
  syscalls?: SeccompSyscall[];
}

/** What the addon takes (binding.d.ts `SeccompProgram`). */
export interface ResolvedSeccomp {
  defaultAction: number;
  architectures: string[];
  syscalls: { index: number; names: string[]; action: number; args: { index: number; op: number; value: number; valueTwo: number }[] }[];
}

export interface Machine {
  /** process.arch */
  arch: string;
  /** os.release(), e.g. "6.18.0" */
  kernel: string;
  /** Granted capabilities, as CAP_NAME. */
  capabilities: readonly string[];
}


export const operators = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'];
/** libseccomp's SCMP_ARCH_* → its name for seccomp_arch_resolve_name. */
export const architectures: Record<string, string> = {
  SCMP_ARCH_X86_64: 'x86_64', SCMP_ARCH_X86: 'x86', SCMP_ARCH_X32: 'x32', SCMP_ARCH_AARCH64: 'aarch64',
  SCMP_ARCH_ARM: 'arm', SCMP_ARCH_MIPS: 'mips', SCMP_ARCH_MIPS64: 'mips64', SCMP_ARCH_MIPS64N32: 'mips64n32',
  SCMP_ARCH_MIPSEL: 'mipsel', SCMP_ARCH_MIPSEL64: 'mipsel64', SCMP_ARCH_MIPSEL64N32: 'mipsel64n32',
  SCMP_ARCH_PPC: 'ppc', SCMP_ARCH_PPC64: 'ppc64', SCMP_ARCH_PPC64LE: 'ppc64le', SCMP_ARCH_S390: 's390',
  SCMP_ARCH_S390X: 's390x', SCMP_ARCH_RISCV64: 'riscv64', SCMP_ARCH_LOONGARCH64: 'loongarch64',
};
/** Node's process.arch → libseccomp's native SCMP_ARCH_* and the Go name Docker's `arches` use. */
const nativeArch: Record<string, [scmp: string, docker: string]> = {
  x64: ['SCMP_ARCH_X86_64', 'amd64'], arm64: ['SCMP_ARCH_AARCH64', 'arm64'], ia32: ['SCMP_ARCH_X86', '386'],
  arm: ['SCMP_ARCH_ARM', 'arm'], ppc64: ['SCMP_ARCH_PPC64LE', 'ppc64le'], s390x: ['SCMP_ARCH_S390X', 's390x'],
  riscv64: ['SCMP_ARCH_RISCV64', 'riscv64'], loong64: ['SCMP_ARCH_LOONGARCH64', 'loong64'],
};

export const actionBase: Record<string, number> = {
  SCMP_ACT_KILL: 0x00000000, SCMP_ACT_KILL_THREAD: 0x00000000, SCMP_ACT_KILL_PROCESS: 0x80000000,
  SCMP_ACT_TRAP: 0x00030000, SCMP_ACT_ERRNO: 0x00050000, SCMP_ACT_TRACE: 0x7ff00000,
  SCMP_ACT_LOG: 0x7ffc0000, SCMP_ACT_ALLOW: 0x7fff0000,
};

function actionValue(action: string, errno: number | undefined, fallbackErrno: number): number {
  const base = actionBase[action];
  if (action === 'SCMP_ACT_ERRNO') return base | (errno ?? fallbackErrno);
  if (action === 'SCMP_ACT_TRACE') return base | (errno ?? 0);
  return base;
}

function kernelAtLeast(kernel: string, min: string): boolean {
  const [major, minor] = kernel.split(/[.-]/).map(Number);
  const [minMajor, minMinor] = min.split('.').map(Number);
  return major > minMajor || (major === minMajor && minor >= minMinor);
}

function matches(condition: SeccompFilterCondition, machine: Machine, dockerArch: string): boolean[] {
  const out: boolean[] = [];
  if (condition.caps) out.push(condition.caps.every((cap) => machine.capabilities.includes(cap.toUpperCase())));
  if (condition.arches) out.push(condition.arches.includes(dockerArch));
  if (condition.minKernel) out.push(kernelAtLeast(machine.kernel, condition.minKernel));
  return out;
}

/** The profile, for this machine and these capabilities, in the addon's terms. */
export function resolveSeccompProfile(profile: SeccompProfile, machine: Machine): ResolvedSeccomp {
  const native = nativeArch[machine.arch];
  if (!native) throw runErrors.HUSH_ERR_RUN_SECCOMP_PROFILE(`seccomp: no filter for this machine's architecture (${machine.arch}); use --seccomp unconfined`);
  const [scmpArch, dockerArch] = native;
  const arches = new Set<string>([scmpArch, ...(profile.architectures ?? [])]);
  for (const entry of profile.archMap ?? []) {
    if (entry.architecture === scmpArch) for (const sub of entry.subArchitectures ?? []) arches.add(sub);
  }
  // ERRNO with no errno is EPERM, as in Docker.
  const defaultAction = actionValue(profile.defaultAction, profile.defaultErrnoRet, 1);
  const syscalls: ResolvedSeccomp['syscalls'] = [];
  (profile.syscalls ?? []).forEach((entry, index) => {
    if (entry.includes && !matches(entry.includes, machine, dockerArch).every(Boolean)) return;
    // Docker skips an entry when any of its excludes holds.
    if (entry.excludes && matches(entry.excludes, machine, dockerArch).some(Boolean)) return;
    syscalls.push({
      index,
      names: entry.names,
      action: actionValue(entry.action, entry.errnoRet, 1),
      args: (entry.args ?? []).map((arg) => ({ index: arg.index, op: operators.indexOf(arg.op) + 1, value: arg.value, valueTwo: arg.valueTwo ?? 0 })),
    });
  });
  return { defaultAction, architectures: [...arches].map((name) => architectures[name]), syscalls };
}
