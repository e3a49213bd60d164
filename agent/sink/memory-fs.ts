// Is a directory on a memory-only filesystem? `hush agent --out DIR` refuses anything else
// (unless --allow-disk), because whatever is written there could otherwise reach a disk.

import { statfs } from 'node:fs/promises';

export const TMPFS_MAGIC = 0x01021994;
export const RAMFS_MAGIC = 0x858458f6;

export interface MemoryFsCheck {
  memory: boolean;
  /** "tmpfs", "ramfs", or the magic number in hex. */
  fsType: string;
  magic: number;
}

export async function checkMemoryFs(dir: string): Promise<MemoryFsCheck> {
  const { type } = await statfs(dir);
  const magic = Number(type) >>> 0;
  if (magic === TMPFS_MAGIC) return { memory: true, fsType: 'tmpfs', magic };
  if (magic === RAMFS_MAGIC) return { memory: true, fsType: 'ramfs', magic };
  return { memory: false, fsType: `filesystem 0x${magic.toString(16)}`, magic };
}
