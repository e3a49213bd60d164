// scrypt parameter policy. On write: logN 15..20 (default 17). On read: the same window, so a
// file cannot make us spend minutes and gigabytes (logN 64) or accept a trivially weak key
// (logN 1). r and p are bounded so that memory stays under 1 GiB.

import { E } from './errors';

export const defaultLogN = 17;
export const minLogN = 15;
export const maxLogN = 20;
const maxMemory = 1024 * 1024 * 1024;

export interface KdfParams {
  logN: number;
  r: number;
  p: number;
}

export function checkKdfParams(logN: unknown, r: unknown, p: unknown, _use: 'read' | 'write', where: string): KdfParams {
  const bad = (what: string) => E.HUSH_ERR_STORE_KDF_PARAMS(where, what);
  if (typeof logN !== 'number' || !Number.isInteger(logN)) throw bad(`logN must be an integer, got ${String(logN)}`);
  if (logN < minLogN || logN > maxLogN) throw bad(`logN ${logN} is outside ${minLogN}..${maxLogN}`);
  if (typeof r !== 'number' || !Number.isInteger(r) || r < 1 || r > 32) throw bad(`r must be an integer in 1..32, got ${String(r)}`);
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > 16) throw bad(`p must be an integer in 1..16, got ${String(p)}`);
  if (128 * 2 ** logN * r > maxMemory) throw bad(`logN ${logN} with r ${r} needs more than 1 GiB`);
  return { logN, r, p };
}

/** Memory budget to hand to crypto.scrypt: Node's 32 MiB default already fails at logN 15. */
export function scryptMaxmem(params: KdfParams): number {
  return 2 * 128 * 2 ** params.logN * params.r * params.p + 16 * 1024 * 1024;
}

/** The write-side logN: HUSH_STORE_SCRYPT_LOGN (tests, benchmarks) or the default. */
export function logNFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.HUSH_STORE_SCRYPT_LOGN;
  if (raw === undefined || raw === '') return defaultLogN;
  const logN = Number(raw);
  checkKdfParams(logN, 8, 1, 'write', 'HUSH_STORE_SCRYPT_LOGN');
  return logN;
}
