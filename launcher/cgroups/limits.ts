// Pure: `--memory`, `--cpus` and `--pids-limit` → the limits a container's cgroup gets.

import { UsageError } from '../flags';

/** CFS period: `--cpus N` becomes a quota of N periods' worth of CPU time per period. */
export const cpuPeriodUs = 100_000;
/** podman's default: enough for any sane app, and a fork bomb stops there. */
const defaultPidsLimit = 2048;
/** docker and podman refuse less: the kernel and the init need some memory of their own. */
const minimumMemory = 6 * 1024 * 1024;

export interface ResourceLimits {
  /** memory (RAM and swap together) in bytes, or undefined for none */
  memoryBytes: number | undefined;
  /** CPU time per `cpuPeriodUs`, in µs, or undefined for none */
  cpuQuotaUs: number | undefined;
  /** the `--cpus` value as given, for messages */
  cpus: number | undefined;
  /** the most processes and threads, or undefined for unlimited */
  pidsMax: number | undefined;
  /** the user gave --pids-limit (a requested limit is never skipped; the default may be) */
  pidsRequested: boolean;
}

const unitShift: Record<string, number> = { '': 0, k: 10, m: 20, g: 30 };

function parseMemory(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([kmg]?)$/i.exec(text);
  const fail = (why: string) => new UsageError(`--memory: ${why}, got '${text}'`);
  if (!match) throw fail('expected a size in bytes, or with k, m or g (64m, 1.5g)');
  const [, number, unit] = match;
  if (unit === '' && number.includes('.')) throw fail('a size in bytes is a whole number');
  const bytes = Math.floor(Number(number) * 2 ** unitShift[unit.toLowerCase()]);
  if (!Number.isSafeInteger(bytes)) throw fail('too large');
  if (bytes < minimumMemory) throw fail('at least 6m is needed');
  return bytes;
}

function parseCpus(text: string): number {
  const cpus = /^(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : NaN;
  if (!(cpus >= 0.01) || !Number.isFinite(cpus)) {
    throw new UsageError(`--cpus: expected a number of CPUs of at least 0.01 (0.5, 2), got '${text}'`);
  }
  return cpus;
}

/** 0 means unlimited; the answer is undefined then. */
function parsePidsLimit(text: string): number | undefined {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`--pids-limit: expected a whole number of processes (0 for no limit), got '${text}'`);
  }
  const limit = Number(text);
  return limit === 0 ? undefined : limit;
}

export function parseLimits(flags: { memory?: string; cpus?: string; pidsLimit?: string }): ResourceLimits {
  const cpus = flags.cpus === undefined ? undefined : parseCpus(flags.cpus);
  return {
    memoryBytes: flags.memory === undefined ? undefined : parseMemory(flags.memory),
    cpuQuotaUs: cpus === undefined ? undefined : Math.round(cpus * cpuPeriodUs),
    cpus,
    pidsMax: flags.pidsLimit === undefined ? defaultPidsLimit : parsePidsLimit(flags.pidsLimit),
    pidsRequested: flags.pidsLimit !== undefined,
  };
}

/** 64 MiB, 1.5 GiB, 6000000 bytes: for messages. */
export function formatBytes(bytes: number): string {
  for (const [unit, shift] of [['GiB', 30], ['MiB', 20], ['KiB', 10]] as const) {
    const value = bytes / 2 ** shift;
    if (value >= 1 && Number.isInteger(value * 10)) return `${value} ${unit}`;
  }
  return `${bytes} bytes`;
}
