// Pure: the filesystem hardening flags of `hush run` (--tmpfs, --mask, --unmask, the secrets
// directory's shape) → the sized tmpfs mounts and the mask list the native side applies.

import * as path from 'node:path';
import { UsageError } from './flags';
import type { TmpfsMount } from '../native';

const MiB = 1024 * 1024;

/** The writable places every container gets, each capped (tmpfs uses memory only for content). */
const defaultTmpfs: readonly TmpfsMount[] = [
  { path: '/tmp', sizeBytes: 256 * MiB, mode: 0o1777, noexec: false },
  { path: '/run', sizeBytes: 32 * MiB, mode: 0o755, noexec: true },
  { path: '/dev/shm', sizeBytes: 64 * MiB, mode: 0o1777, noexec: true },
];
/** The size of a `--tmpfs PATH` without `:size=` that is not one of the defaults. */
const defaultTmpfsSize = 64 * MiB;

/**
 * With the host's / as root, what a root app must not read (systemd's ProtectHome= and the
 * host's secrets): users' homes, password hashes, host keys, TLS keys, hush's own state.
 */
export const hostRootMasks: readonly string[] = [
  '/home', '/root', '/run/user', '/etc/shadow', '/etc/gshadow', '/etc/ssh/ssh_host_*_key', '/etc/ssl/private', '/var/lib/hush',
];

/** Lexically normalised (`//proc` → `/proc`, `/./dev/` → `/dev`); the caller has refused `..`. */
export function normalizeAbsolute(value: string): string {
  const normal = path.posix.normalize(value).replace(/\/+$/, '');
  return normal === '' ? '/' : normal;
}

const kernelDirs = ['/proc', '/sys', '/dev'];
const isUnder = (p: string, dir: string) => p === dir || p.startsWith(dir === '/' ? '/' : `${dir}/`);

/** The secrets directory must not cover the root or a kernel filesystem (checked again, after symlinks, natively). */
export function checkSecretsDir(dir: string): string {
  const normal = normalizeAbsolute(dir);
  if (normal === '/' || kernelDirs.some((k) => isUnder(normal, k))) {
    throw new UsageError(`--secrets-dir cannot be '${dir}' (${normal}): it would cover / or lie in /proc, /sys or /dev`);
  }
  return normal;
}

const units: Record<string, number> = { '': 1, k: 1024, m: MiB, g: 1024 * MiB };

function parseSize(text: string, flag: string): number {
  const match = /^(\d+)([kmg]?)$/i.exec(text);
  const bytes = match ? Number(match[1]) * units[match[2].toLowerCase()] : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 4096) throw new UsageError(`${flag}: size must be a number of bytes (at least 4096) with an optional k, m or g, got '${text}'`);
  return bytes;
}

/** `--tmpfs PATH[:size=N]` (repeatable) over the defaults; a default's path keeps its mode and cap unless size= says otherwise. */
export function tmpfsMounts(flags: readonly string[]): TmpfsMount[] {
  const mounts = new Map(defaultTmpfs.map((m) => [m.path, { ...m }]));
  for (const flag of flags) {
    const [rawPath, ...options] = flag.split(':');
    if (!rawPath.startsWith('/') || rawPath.includes('\0') || rawPath.split('/').includes('..')) {
      throw new UsageError(`--tmpfs ${flag}: PATH must be absolute, without '..'`);
    }
    const mountPath = normalizeAbsolute(rawPath);
    if (mountPath === '/' || mountPath === '/dev' || isUnder(mountPath, '/proc') || isUnder(mountPath, '/sys') || isUnder(mountPath, '/dev/pts')) {
      throw new UsageError(`--tmpfs ${flag}: cannot cover ${mountPath}`);
    }
    const mount = mounts.get(mountPath) ?? { path: mountPath, sizeBytes: defaultTmpfsSize, mode: 0o1777, noexec: false };
    for (const option of options) {
      if (!option.startsWith('size=')) throw new UsageError(`--tmpfs ${flag}: unknown option '${option}' (only size=N)`);
      mount.sizeBytes = parseSize(option.slice('size='.length), `--tmpfs ${flag}`);
    }
    mounts.set(mountPath, mount);
  }
  // Parents before children, so that /run/x lands in /run's tmpfs.
  return [...mounts.values()].sort((a, b) => a.path.split('/').length - b.path.split('/').length);
}

/** The masks for this run: the host-root defaults (with the host's / only), plus --mask, minus --unmask. */
export function maskList(hostRoot: boolean, add: readonly string[], remove: readonly string[]): string[] {
  const masks = new Set(hostRoot ? hostRootMasks : []);
  for (const item of add) {
    if (!item.startsWith('/') || item.includes('\0') || item.split('/').includes('..')) throw new UsageError(`--mask ${item}: PATH must be absolute, without '..'`);
    masks.add(normalizeAbsolute(item));
  }
  for (const item of remove) {
    const normal = normalizeAbsolute(item);
    if (!masks.delete(normal)) {
      throw new UsageError(`--unmask ${item}: not a hidden path; hidden are: ${[...masks].join(' ') || 'none'}`);
    }
  }
  return [...masks];
}

/** A mask pattern (`*`: any characters but '/') as a regular expression matching the path and what lies under it. */
export function maskPattern(mask: string): RegExp {
  return new RegExp(`^${mask.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}(/|$)`);
}

function maskCovering(target: string, masks: readonly string[]): string | undefined {
  return masks.find((mask) => (mask.includes('*') ? maskPattern(mask).test(target) : isUnder(target, mask)));
}

/** Refuses a --workdir or an absolute command that a mask hides: the app would see only an empty stand-in. */
export function checkNotMasked(workdir: string, command: string | undefined, masks: readonly string[]): void {
  const targets: [string, string][] = [['--workdir', workdir]];
  if (command?.startsWith('/')) targets.push(['the command', command]);
  for (const [what, target] of targets) {
    const mask = maskCovering(normalizeAbsolute(target), masks);
    if (mask) throw new UsageError(`${what} ${target} is under ${mask}, which is hidden in the container (--unmask ${mask} shows it)`);
  }
}
