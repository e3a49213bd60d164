// `--userns auto` as root (docs/userns.md): the container's user namespace maps an
// unprivileged host range, so container root is not host root. Pure: the caller reads the
// id-map sources (id-maps.ts readIdMapSources).

import type { NativeError, UsernsSpec } from '../../native';
import type { RunOptions, VolumeRequest } from '../container-spec';
import { hostId, planAutoMaps, type IdMapSources, type IdMapPlan } from './id-maps';

export interface UsernsAutoRun {
  plan: IdMapPlan;
  /** The host ids the secret files get: --user as the namespace maps it. */
  owner: { uid: number; gid: number };
  userns: UsernsSpec;
}

/** The maps, the secrets' owner and the spawn's user namespace spec; or a refusal line. */
export function planUsernsAuto(options: Pick<RunOptions, 'uid' | 'gid'>, sources: IdMapSources): UsernsAutoRun | string {
  const plan = planAutoMaps(sources);
  const uid = hostId(plan.uidMap, options.uid);
  const gid = hostId(plan.gidMap, options.gid);
  if (uid === undefined || gid === undefined) {
    return `--user ${options.uid}:${options.gid} is outside the --userns auto range (0-${plan.size - 1})`;
  }
  return {
    plan,
    owner: { uid, gid },
    // The launcher makes the tmpfs (secretsFd >= 0): the child's tmpfs fields go unused.
    userns: { uidMap: plan.uidMap, gidMap: plan.gidMap, secretsSizeBytes: 0, secretsUid: 0, secretsGid: 0, denySetgroups: false, idmapMounts: true },
  };
}

/** The one line for a volume (or an image root) the kernel would not idmap, or undefined. */
export function idmapFailureLine(err: NativeError, volumes: readonly VolumeRequest[]): string | undefined {
  if (err.syscall !== 'idmap') return undefined;
  const volume = volumes.find((v) => v.target === err.path);
  const what = volume ? `--volume ${volume.host}:${volume.target}` : err.path ? `--volume ...:${err.path}` : 'the image root';
  const why = err.code === 'EINVAL' ? ': its filesystem does not support idmapped mounts' : '';
  return `run: --userns auto: ${what} cannot be idmapped (${err.code}${why}); use --userns host`;
}
