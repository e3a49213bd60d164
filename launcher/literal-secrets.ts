// `--secret NAME=VALUE`: literal files in the secrets tmpfs, for trying hush without a store.

import * as fs from 'node:fs';
import * as path from 'node:path';

export function writeLiteralSecrets(root: string, secrets: ReadonlyMap<string, string>, uid: number, gid: number): void {
  for (const [name, value] of secrets) {
    const target = path.join(root, name);
    const dir = path.dirname(target);
    if (dir !== root) {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      for (let d = dir; d !== root; d = path.dirname(d)) fs.chownSync(d, uid, gid);
    }
    const fd = fs.openSync(target, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o400);
    try {
      fs.writeSync(fd, value);
      fs.fchownSync(fd, uid, gid);
    } finally {
      fs.closeSync(fd);
    }
  }
}
