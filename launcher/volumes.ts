// --volume: each host tree cloned as a detached mount here (native/src/volumes.c), attached in
// the container at its target, which the child resolves inside the root (RESOLVE_IN_ROOT).

import * as fs from 'node:fs';
import { native } from '../native';
import type { VolumeRequest } from './container-spec';

export interface OpenedVolumes {
  mounts: { fd: number; target: string }[];
  close(): void;
}

export class VolumeError extends Error {
  override readonly name = 'VolumeError';
}

/** Whether each host path is a directory (the mount point to make) or a file. */
export function volumeKinds(volumes: readonly VolumeRequest[]): { dirs: string[]; files: string[] } {
  const dirs: string[] = [];
  const files: string[] = [];
  for (const volume of volumes) {
    let st: fs.Stats;
    try {
      st = fs.statSync(volume.host);
    } catch (err) {
      throw new VolumeError(`--volume ${volume.host}: ${(err as NodeJS.ErrnoException).code}`);
    }
    (st.isDirectory() ? dirs : files).push(volume.target);
  }
  return { dirs, files };
}

/** With idmapUsernsFd (--userns auto), each is idmapped: ids on disk are the ids inside. */
export function openVolumes(volumes: readonly VolumeRequest[], idmapUsernsFd?: number): OpenedVolumes {
  const addon = native();
  const mounts: { fd: number; target: string }[] = [];
  const close = () => {
    for (const mount of mounts.splice(0)) addon.closeFd(mount.fd);
  };
  for (const volume of volumes) {
    try {
      mounts.push({ fd: addon.openVolume(volume.host, volume.readOnly), target: volume.target });
      if (idmapUsernsFd !== undefined) addon.idmapMount(mounts[mounts.length - 1].fd, idmapUsernsFd, volume.host);
    } catch (err) {
      close();
      throw new VolumeError(`--volume ${volume.host}: ${volumeFailure(err as NodeJS.ErrnoException)}`);
    }
  }
  return { mounts, close };
}

function volumeFailure(err: NodeJS.ErrnoException): string {
  const code = err.code ?? err.message;
  if (err.syscall !== 'idmap') return code;
  const why = code === 'EINVAL' ? ': its filesystem does not support idmapped mounts' : '';
  return `cannot be idmapped for --userns auto (${code}${why}); use --userns host`;
}
