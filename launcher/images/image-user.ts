// `User` of an image (or --user with an image): NAME or UID, optionally :GROUP or :GID, with
// names looked up in the image's own /etc/passwd and /etc/group (never the host's).

import { imageErrors } from './errors';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

function parsePasswd(text: string): PasswdEntry[] {
  return text.split('\n').flatMap((line) => {
    const f = line.split(':');
    if (f.length < 7 || !/^\d+$/.test(f[2]) || !/^\d+$/.test(f[3])) return [];
    return [{ name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5] }];
  });
}

function parseGroup(text: string): { name: string; gid: number }[] {
  return text.split('\n').flatMap((line) => {
    const f = line.split(':');
    if (f.length < 3 || !/^\d+$/.test(f[2])) return [];
    return [{ name: f[0], gid: Number(f[2]) }];
  });
}

const maxId = 0xfffffffe;

function numeric(text: string): number | undefined {
  return /^\d+$/.test(text) && Number(text) <= maxId ? Number(text) : undefined;
}

/** uid and gid for `spec`; a numeric UID not in passwd gets GID = UID (hush's --user rule). */
export function resolveUser(spec: string, passwd: string | undefined, group: string | undefined): { uid: number; gid: number; home?: string } {
  const [userPart, groupPart, extra] = spec.split(':');
  if (extra !== undefined || userPart === '') throw imageErrors.HUSH_ERR_IMAGE_USER(spec, 'expected USER[:GROUP]');
  const users = parsePasswd(passwd ?? '');
  const byNumber = numeric(userPart);
  const entry = byNumber !== undefined ? users.find((u) => u.uid === byNumber) : users.find((u) => u.name === userPart);
  if (byNumber === undefined && !entry) throw imageErrors.HUSH_ERR_IMAGE_USER(spec, `no user '${userPart}' in the image's /etc/passwd`);
  const uid = byNumber ?? entry!.uid;
  let gid = entry?.gid ?? uid;
  if (groupPart !== undefined) {
    const gidNumber = numeric(groupPart);
    if (gidNumber !== undefined) gid = gidNumber;
    else {
      const found = parseGroup(group ?? '').find((g) => g.name === groupPart);
      if (!found) throw imageErrors.HUSH_ERR_IMAGE_USER(spec, `no group '${groupPart}' in the image's /etc/group`);
      gid = found.gid;
    }
  }
  return entry ? { uid, gid, home: entry.home } : { uid, gid };
}
