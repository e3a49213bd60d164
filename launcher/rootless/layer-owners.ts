// Who owns an image layer's files on disk in the store of this mapping (docs/rootless.md). Pure.
//
// Root keeps the tar's owners as they are. An ordinary user's container sees the store through
// its user namespace, so a layer is written shifted by the maps: with the full /etc/subuid
// range, id 0 is the caller and N >= 1 is the range's start + N - 1 (the unpack runs as root of
// a user namespace with those maps, hush-userns, so the kernel does the shift); with one mapped
// id nothing but 0 exists inside, and every owner is stored as the caller (0 inside).

import type { IdMapPlan } from './id-maps';
import { hostId } from './id-maps';

export type LayerOwnersKind = 'host' | 'userns' | 'caller';

export interface LayerOwners {
  kind: LayerOwnersKind;
  /** The store's directory of unpacked layers for this mapping: layers written under one
   * mapping mean other owners under another, so they never mix. */
  layersDir: string;
  /** Ids that exist inside (0..size-1); Infinity for the host. */
  size: number;
  uidMap?: readonly string[];
  gidMap?: readonly string[];
  /** With the full range: the setuid helpers hush-userns maps it with. */
  newuidmap?: string;
  newgidmap?: string;
}

/** `plan` undefined: root, no user namespace. */
export function layerOwners(plan: IdMapPlan | undefined): LayerOwners {
  if (!plan) return { kind: 'host', layersDir: 'layers', size: Infinity };
  const tag = (map: readonly string[]) => map.join('.');
  const layersDir = `layers-u${tag(plan.uidMap)}-g${tag(plan.gidMap)}`;
  const kind = plan.size > 1 ? 'userns' : 'caller';
  return { kind, layersDir, size: plan.size, uidMap: plan.uidMap, gidMap: plan.gidMap, newuidmap: plan.newuidmap, newgidmap: plan.newgidmap };
}

/** The host ids a tar entry's owner is stored as, or why it cannot be. */
export function storedOwner(owners: LayerOwners, uid: number, gid: number): { uid: number; gid: number } | { refused: string } {
  if (owners.kind === 'host') return { uid, gid };
  if (owners.kind === 'caller') return { uid: hostId(owners.uidMap!, 0)!, gid: hostId(owners.gidMap!, 0)! };
  const hostUid = hostId(owners.uidMap!, uid);
  const hostGid = hostId(owners.gidMap!, gid);
  if (hostUid === undefined || hostGid === undefined) {
    return { refused: `owner ${uid}:${gid} is outside the user namespace's ${owners.size} ids (0-${owners.size - 1}): the /etc/subuid and /etc/subgid ranges are too small` };
  }
  return { uid: hostUid, gid: hostGid };
}
