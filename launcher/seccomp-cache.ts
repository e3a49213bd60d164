// Compiled seccomp programs, kept on tmpfs between runs: libseccomp takes about 10 ms to build
// the default filter for three ABIs, reading it back takes a few microseconds. The key is a
// SHA-256 of libseccomp's version and the resolved profile (capabilities and architecture are
// part of it), so a changed profile or library compiles again. The directory is the caller's
// runtime directory (agent/runtime-dir.ts; root: /run/hush/seccomp). Whoever can write an entry there decides the
// filter, so the cache is used only when that directory and its parent are ours alone (0700,
// no symlinks) and the entry is a regular file of ours that no one else may write; otherwise
// every run compiles. An entry of the wrong size is compiled again.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hushRuntimeDir } from '../agent/runtime-dir';
import type { ResolvedSeccomp } from './seccomp-profile';

export interface SeccompCompiler {
  compileSeccomp(program: ResolvedSeccomp): Uint8Array;
  seccompVersion(): string;
}

const maxProgramBytes = 4096 * 8;
/** Changes when the way hush compiles does (seccomp-build.c), so that old entries are not used. */
const cacheFormat = 'tree-1';

export function seccompCacheDir(env: NodeJS.ProcessEnv): string {
  return path.join(hushRuntimeDir(env), 'seccomp');
}

const ours = (st: fs.Stats, othersMask: number) => st.uid === process.getuid!() && (st.mode & othersMask) === 0;

/** The cache directory, created if needed, when it and its parent are private to us. */
function privateDir(dir: string): boolean {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    return [path.dirname(dir), dir].every((d) => {
      const st = fs.lstatSync(d);
      return st.isDirectory() && ours(st, 0o077);
    });
  } catch {
    return false;
  }
}

function readEntry(file: string): Uint8Array | undefined {
  try {
    const st = fs.lstatSync(file);
    if (!st.isFile() || !ours(st, 0o022) || st.size === 0 || st.size > maxProgramBytes || st.size % 8 !== 0) return undefined;
    return new Uint8Array(fs.readFileSync(file));
  } catch {
    return undefined; // not compiled yet
  }
}

export function compiledSeccomp(program: ResolvedSeccomp, compiler: SeccompCompiler, dir: string): Uint8Array {
  const key = createHash('sha256').update(`${cacheFormat}\0${compiler.seccompVersion()}\0`).update(JSON.stringify(program)).digest('hex');
  const file = path.join(dir, `${key}.bpf`);
  const usable = privateDir(dir);
  const cached = usable ? readEntry(file) : undefined;
  if (cached) return cached;
  const compiled = compiler.compileSeccomp(program);
  if (usable) {
    const temp = `${file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(temp, compiled, { mode: 0o600, flag: 'wx' });
      fs.renameSync(temp, file);
    } catch {
      fs.rmSync(temp, { force: true });
    }
  }
  return compiled;
}
