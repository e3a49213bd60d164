// A small file of an image read straight from its stored layers, for a rootless run whose
// overlay only the container's child can mount (the image's /etc/passwd and /etc/group, for
// its User). As the overlay shows it: the topmost layer that has it wins, and a whiteout
// above hides it; every component is opened O_NOFOLLOW (SafeDir), so a layer's symlink is
// never followed from the host: a path reached through one is not found. (Opaque
// directories are not looked at: one above /etc would be unusual.)

import * as fs from 'node:fs';
import { pathComponents, SafeDir } from './safe-dir';

export function readFromLayers(lowerDirs: readonly string[], target: string): string | undefined {
  const parts = pathComponents(target);
  for (const layer of lowerDirs) {
    let root: SafeDir | undefined;
    try {
      root = SafeDir.open(layer);
      const parent = root.dir(parts.slice(0, -1), false);
      const name = parts[parts.length - 1];
      const st = SafeDir.lstat(parent, name);
      if (!st) continue;
      if (st.isCharacterDevice() && st.rdev === 0) return undefined; // a whiteout
      if (!st.isFile()) return undefined;
      const fd = fs.openSync(SafeDir.at(parent, name), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
      try {
        return fs.readFileSync(fd, 'utf8');
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      continue; // not in this layer (or behind a symlink, or unreadable)
    } finally {
      root?.close();
    }
  }
  return undefined;
}
