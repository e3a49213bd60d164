// `--userns auto` as root (docs/userns.md): the container's user namespace maps an
// unprivileged host range, so container root is not host root. Pure but for `openUsernsAuto`,
// which makes the namespace that volumes and image layers are idmapped with.

import { native, type SpawnSpec, type UsernsSpec } from '../../native';
import type { RunOptions } from '../container-spec';
import { hostId, planAutoMaps, readIdMapSources, type IdMapPlan, type IdMapSources } from './id-maps';

export interface UsernsAutoPlan {
  plan: IdMapPlan;
  /** For the spawn: the launcher makes the tmpfs (secretsFd >= 0), so its tmpfs fields go unused. */
  userns: UsernsSpec;
}

export function planUsernsAuto(sources: IdMapSources): UsernsAutoPlan {
  const plan = planAutoMaps(sources);
  return { plan, userns: { uidMap: plan.uidMap, gidMap: plan.gidMap, secretsSizeBytes: 0, denySetgroups: false } };
}

/** The host ids of container uid:gid (the secret files' owner), or a refusal line. */
export function mappedOwner(plan: IdMapPlan, uid: number, gid: number): { uid: number; gid: number } | string {
  const hostUid = hostId(plan.uidMap, uid);
  const hostGid = hostId(plan.gidMap, gid);
  if (hostUid === undefined || hostGid === undefined) return `--user ${uid}:${gid} is outside the --userns auto range (0-${plan.size - 1})`;
  return { uid: hostUid, gid: hostGid };
}

/** What idmaps a mount: an open user namespace with the container's maps, and the host ids of its root. */
export interface Idmap {
  usernsFd: number;
  root: { uid: number; gid: number };
}

export interface UsernsAuto extends UsernsAutoPlan {
  /** Made only when something is to be idmapped (a volume, an image, a --rootfs). */
  idmap: Idmap | undefined;
  close(): void;
}

export function openUsernsAuto(env: NodeJS.ProcessEnv, idmapNeeded: boolean): UsernsAuto {
  const planned = planUsernsAuto(readIdMapSources(env));
  if (!idmapNeeded) return { ...planned, idmap: undefined, close: () => {} };
  const addon = native();
  const usernsFd = addon.createIdmapUserns(planned.plan.uidMap, planned.plan.gidMap);
  const root = mappedOwner(planned.plan, 0, 0) as { uid: number; gid: number };
  let open = true;
  return {
    ...planned,
    idmap: { usernsFd, root },
    close() {
      if (open) addon.closeFd(usernsFd);
      open = false;
    },
  };
}

/**
 * What --userns auto adds to the spawn once the image root and the volumes are open: the
 * secrets' owner (throws the line when --user is outside the range), an idmapped --rootfs (the
 * host's root is never idmapped), and the user namespace.
 */
export function usernsAutoSpawn(auto: UsernsAuto, options: RunOptions, imageRootFd: number | undefined) {
  const owner = mappedOwner(auto.plan, options.uid, options.gid);
  if (typeof owner === 'string') throw new Error(owner);
  const rootfsFd = imageRootFd === undefined && !options.hostRoot ? openIdmappedRootfs(options.rootfs, auto.idmap!) : undefined;
  const fields: Partial<SpawnSpec> = { userns: auto.userns, ...(rootfsFd !== undefined ? { rootfsFd, sealRootfsFd: true } : {}) };
  return { owner, fields, close: () => rootfsFd !== undefined && native().closeFd(rootfsFd) };
}

/** A --rootfs as an idmapped, still writable clone: the child makes its mount points, then seals it. */
function openIdmappedRootfs(rootfs: string, idmap: Idmap): number {
  const addon = native();
  const fd = addon.openVolume(rootfs, false);
  try {
    addon.idmapMount(fd, idmap.usernsFd, rootfs);
  } catch (err) {
    addon.closeFd(fd);
    const code = (err as { code?: string }).code;
    const why = code === 'EINVAL' ? ': its filesystem does not support idmapped mounts' : '';
    throw new Error(`--rootfs ${rootfs}: cannot be idmapped for --userns auto (${code}${why}); use --userns host`);
  }
  return fd;
}
