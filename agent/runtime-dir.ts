// hush's runtime directory: `$XDG_RUNTIME_DIR/hush` when the session has one; else `/run/hush`
// for root, and `/dev/shm/hush-UID` for anyone else (who cannot write /run), much as podman
// falls back to a per-user directory under /tmp.

import * as fs from 'node:fs/promises';
import * as path from 'node:path';

export function hushRuntimeDir(env: NodeJS.ProcessEnv, fallback?: string): string {
  if (env.XDG_RUNTIME_DIR) return path.join(env.XDG_RUNTIME_DIR, 'hush');
  if (fallback !== undefined) return fallback;
  const uid = process.getuid?.() ?? 0;
  return uid === 0 ? '/run/hush' : `/dev/shm/hush-${uid}`;
}

/**
 * Creates `dir` (0700) when missing. In a shared sticky directory such as /dev/shm or /tmp,
 * anyone could have made it first: there it must be a private directory of our own.
 */
export async function ensureRuntimeDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const parent = await fs.stat(path.dirname(dir));
  if ((parent.mode & 0o1000) === 0) return;
  const stat = await fs.lstat(dir);
  const uid = process.getuid?.() ?? stat.uid;
  if (!stat.isDirectory() || stat.uid !== uid || (stat.mode & 0o077) !== 0) {
    throw new Error(`${dir} is not a private (0700) directory owned by uid ${uid}; refusing to put the agent's socket there`);
  }
}
