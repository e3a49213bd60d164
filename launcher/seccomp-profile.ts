// Pure: a Docker/OCI seccomp profile (JSON) → what the addon compiles with libseccomp. The
// profile is checked field by field; a bad one is refused with one line naming the field.
// Entries are resolved against the app's capabilities, the machine's architecture and kernel
// (Docker's `includes`/`excludes`), and actions become libseccomp's values.

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

export class SeccompProfileError extends Error {
  override readonly name = 'SeccompProfileError';
  readonly code = 'HUSH_ERR_RUN_SECCOMP_PROFILE';
}

const operators = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'];
/** libseccomp's SCMP_ARCH_* → its name for seccomp_arch_resolve_name. */
const architectures: Record<string, string> = {
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

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

class Checker {
  constructor(private readonly source: string) {}
  fail(field: string, message: string): never {
    throw new SeccompProfileError(`${this.source}: ${field}: ${message}`);
  }
  object(v: Json, field: string, keys: readonly string[]): Record<string, Json> {
    if (!isObject(v)) this.fail(field, 'expected an object');
    for (const key of Object.keys(v)) if (!keys.includes(key)) this.fail(field ? `${field}.${key}` : key, 'unknown field');
    return v;
  }
  string(v: Json, field: string): string {
    if (typeof v !== 'string' || v === '') this.fail(field, `expected a string, got ${JSON.stringify(v)}`);
    return v;
  }
  strings(v: Json, field: string): string[] {
    if (!Array.isArray(v)) this.fail(field, 'expected an array of strings');
    return v.map((item, i) => this.string(item, `${field}[${i}]`));
  }
  integer(v: Json, field: string, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max) this.fail(field, `expected an integer 0..${max}, got ${JSON.stringify(v)}`);
    return v;
  }
  condition(v: Json, field: string): SeccompFilterCondition {
    const o = this.object(v, field, ['caps', 'arches', 'minKernel']);
    return {
      caps: o.caps === undefined ? undefined : this.strings(o.caps, `${field}.caps`),
      arches: o.arches === undefined ? undefined : this.strings(o.arches, `${field}.arches`),
      minKernel: o.minKernel === undefined ? undefined : this.kernel(o.minKernel, `${field}.minKernel`),
    };
  }
  kernel(v: Json, field: string): string {
    const text = this.string(v, field);
    if (!/^\d+\.\d+$/.test(text)) this.fail(field, `expected a kernel version like "5.8", got ${JSON.stringify(text)}`);
    return text;
  }
  action(v: Json, field: string): string {
    const text = this.string(v, field);
    if (text === 'SCMP_ACT_NOTIFY') this.fail(field, 'SCMP_ACT_NOTIFY needs a listener, which hush does not run');
    if (!(text in actionBase)) this.fail(field, `expected one of ${Object.keys(actionBase).join(', ')}, got "${text}"`);
    return text;
  }
}

const actionBase: Record<string, number> = {
  SCMP_ACT_KILL: 0x00000000, SCMP_ACT_KILL_THREAD: 0x00000000, SCMP_ACT_KILL_PROCESS: 0x80000000,
  SCMP_ACT_TRAP: 0x00030000, SCMP_ACT_ERRNO: 0x00050000, SCMP_ACT_TRACE: 0x7ff00000,
  SCMP_ACT_LOG: 0x7ffc0000, SCMP_ACT_ALLOW: 0x7fff0000,
};

/** Parses and checks a profile file's text; `source` names it in errors. */
export function parseSeccompProfile(text: string, source: string): SeccompProfile {
  const c = new Checker(source);
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return c.fail('(file)', `not JSON: ${(err as Error).message}`);
  }
  const o = c.object(json, '', ['defaultAction', 'defaultErrnoRet', 'architectures', 'archMap', 'syscalls', 'flags', 'listenerPath', 'listenerMetadata']);
  if (o.defaultAction === undefined) c.fail('defaultAction', 'missing');
  if (o.listenerPath !== undefined) c.fail('listenerPath', 'a seccomp notify listener is not supported');
  if (o.flags !== undefined && c.strings(o.flags, 'flags').length > 0) c.fail('flags', 'filter flags are not supported');
  const archMap = o.archMap === undefined ? undefined : arrayOf(c, o.archMap, 'archMap', (v, field) => {
    const entry = c.object(v, field, ['architecture', 'subArchitectures']);
    return {
      architecture: archName(c, entry.architecture, `${field}.architecture`),
      subArchitectures: entry.subArchitectures === undefined || entry.subArchitectures === null ? undefined : c.strings(entry.subArchitectures, `${field}.subArchitectures`).map((a, i) => archName(c, a, `${field}.subArchitectures[${i}]`)),
    };
  });
  const syscalls = o.syscalls === undefined || o.syscalls === null ? [] : arrayOf(c, o.syscalls, 'syscalls', (v, field) => parseSyscall(c, v, field));
  return {
    defaultAction: c.action(o.defaultAction, 'defaultAction'),
    defaultErrnoRet: o.defaultErrnoRet === undefined ? undefined : c.integer(o.defaultErrnoRet, 'defaultErrnoRet', 4095),
    architectures: o.architectures === undefined || o.architectures === null ? undefined : c.strings(o.architectures, 'architectures').map((a, i) => archName(c, a, `architectures[${i}]`)),
    archMap,
    syscalls,
  };
}

function arrayOf<T>(c: Checker, v: Json, field: string, each: (item: Json, field: string) => T): T[] {
  if (!Array.isArray(v)) c.fail(field, 'expected an array');
  return v.map((item, i) => each(item, `${field}[${i}]`));
}

function archName(c: Checker, v: Json, field: string): string {
  const name = c.string(v, field);
  if (!(name in architectures)) c.fail(field, `unknown architecture "${name}"`);
  return name;
}

function parseSyscall(c: Checker, v: Json, field: string): SeccompSyscall {
  const o = c.object(v, field, ['names', 'name', 'action', 'errnoRet', 'args', 'comment', 'includes', 'excludes']);
  const names = o.names !== undefined ? c.strings(o.names, `${field}.names`) : o.name !== undefined ? [c.string(o.name, `${field}.name`)] : c.fail(`${field}.names`, 'missing');
  const args = o.args === undefined || o.args === null ? undefined : arrayOf(c, o.args, `${field}.args`, (a, argField) => {
    const arg = c.object(a, argField, ['index', 'value', 'valueTwo', 'op']);
    const op = c.string(arg.op, `${argField}.op`);
    if (!operators.includes(op)) c.fail(`${argField}.op`, `expected one of ${operators.join(', ')}, got "${op}"`);
    return {
      index: c.integer(arg.index, `${argField}.index`, 5),
      value: c.integer(arg.value, `${argField}.value`),
      valueTwo: arg.valueTwo === undefined ? undefined : c.integer(arg.valueTwo, `${argField}.valueTwo`),
      op: op as SeccompArg['op'],
    };
  });
  return {
    names,
    action: c.action(o.action, `${field}.action`),
    errnoRet: o.errnoRet === undefined ? undefined : c.integer(o.errnoRet, `${field}.errnoRet`, 4095),
    args,
    includes: o.includes === undefined ? undefined : c.condition(o.includes, `${field}.includes`),
    excludes: o.excludes === undefined ? undefined : c.condition(o.excludes, `${field}.excludes`),
  };
}

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
  if (!native) throw new SeccompProfileError(`seccomp: no filter for this machine's architecture (${machine.arch}); use --seccomp unconfined`);
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
