// Which ids a rootless container's user namespace maps. Pure but for `readIdMapSources`.
//
// With newuidmap/newgidmap (Debian `uidmap`) and a /etc/subuid and /etc/subgid range for the
// caller, the full range is mapped as podman does: 0 is the caller, 1.. the range. Otherwise
// one id: 0 is the caller and nothing else exists in the container.
// `--userns auto` for root: 0.. is an unprivileged host range, the `hush` entry of
// /etc/subuid or 2147483648:65536 (podman's auto default), so container root is not host root.

import * as fs from 'node:fs';

export interface IdRange {
  start: number;
  count: number;
}

export interface IdMapPlan {
  /** (inside, outside, count) triples, as decimal strings. */
  uidMap: string[];
  gidMap: string[];
  newuidmap?: string;
  newgidmap?: string;
  denySetgroups: boolean;
  /** The most ids inside (1 with a one-id map). */
  size: number;
  /** One line for the log: what was mapped and why. */
  note: string;
}

const autoDefaultRange: IdRange = { start: 2147483648, count: 65536 };

/** The first range of `name` (or of its uid) in a /etc/subuid-format text. */
export function findSubordinateRange(text: string | undefined, name: string, id: number): IdRange | undefined {
  for (const line of (text ?? '').split('\n')) {
    const [owner, start, count] = line.trim().split(':');
    if ((owner !== name && owner !== String(id)) || !/^\d+$/.test(start ?? '') || !/^\d+$/.test(count ?? '')) continue;
    if (Number(count) > 0) return { start: Number(start), count: Number(count) };
  }
  return undefined;
}

export interface IdMapSources {
  subuid: string | undefined;
  subgid: string | undefined;
  newuidmap: string | undefined;
  newgidmap: string | undefined;
}

export function readIdMapSources(env: NodeJS.ProcessEnv): IdMapSources {
  const read = (file: string) => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  };
  const helper = (name: string) =>
    (env.PATH ?? '/usr/bin:/bin').split(':').map((dir) => `${dir}/${name}`).find((file) => {
      try {
        fs.accessSync(file, fs.constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  return { subuid: read('/etc/subuid'), subgid: read('/etc/subgid'), newuidmap: helper('newuidmap'), newgidmap: helper('newgidmap') };
}

const triple = (inside: number, outside: number, count: number) => [inside, outside, count].map(String);

/** An ordinary user: the caller is root inside. */
export function planRootlessMaps(user: { name: string; uid: number; gid: number }, sources: IdMapSources): IdMapPlan {
  const uids = findSubordinateRange(sources.subuid, user.name, user.uid);
  const gids = findSubordinateRange(sources.subgid, user.name, user.uid);
  if (uids && gids && sources.newuidmap && sources.newgidmap) {
    return {
      uidMap: [...triple(0, user.uid, 1), ...triple(1, uids.start, uids.count)],
      gidMap: [...triple(0, user.gid, 1), ...triple(1, gids.start, gids.count)],
      newuidmap: sources.newuidmap,
      newgidmap: sources.newgidmap,
      denySetgroups: false,
      size: 1 + Math.min(uids.count, gids.count),
      note: `user namespace: 0 is uid ${user.uid}, 1-${uids.count} are ${user.name}'s /etc/subuid range from ${uids.start}`,
    };
  }
  const why = !sources.newuidmap || !sources.newgidmap ? 'newuidmap/newgidmap not found (Debian: uidmap)' : `no /etc/subuid and /etc/subgid range for ${user.name}`;
  return {
    uidMap: triple(0, user.uid, 1),
    gidMap: triple(0, user.gid, 1),
    denySetgroups: true,
    size: 1,
    note: `user namespace: one uid mapped (0 is uid ${user.uid}): ${why}`,
  };
}

/** Root with `--userns auto`: an unprivileged host range, never host root. */
export function planAutoMaps(sources: IdMapSources): IdMapPlan {
  const uids = findSubordinateRange(sources.subuid, 'hush', -1) ?? autoDefaultRange;
  const gids = findSubordinateRange(sources.subgid, 'hush', -1) ?? autoDefaultRange;
  const from = findSubordinateRange(sources.subuid, 'hush', -1) ? "the 'hush' entry of /etc/subuid" : 'the default range';
  return {
    uidMap: triple(0, uids.start, uids.count),
    gidMap: triple(0, gids.start, gids.count),
    denySetgroups: false,
    size: Math.min(uids.count, gids.count),
    note: `user namespace (--userns auto): 0-${uids.count - 1} are host uids from ${uids.start} (${from})`,
  };
}

/** The host id that `inside` maps to, or undefined when it is not mapped. */
export function hostId(map: readonly string[], inside: number): number | undefined {
  for (let i = 0; i + 2 < map.length; i += 3) {
    const [start, outside, count] = [Number(map[i]), Number(map[i + 1]), Number(map[i + 2])];
    if (inside >= start && inside < start + count) return outside + inside - start;
  }
  return undefined;
}
