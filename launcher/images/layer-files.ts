// A small file of an image read straight from its stored layers, for a rootless run whose
// overlay only the container's child can mount (the image's /etc/passwd and /etc/group, for
// its User). As the overlay shows it: the topmost layer that has the path, or anything other
// than a directory on its way (a whiteout, a file, a symlink), decides. Every component is
// opened O_NOFOLLOW (SafeDir), so a layer's symlink is never followed from the host: a file
// reached through one is not found. (Opaque directories are not looked at: one above /etc
// would be unusual.)

import * as fs from 'node:fs';
import { pathComponents, SafeDir } from './safe-dir';

export function readFromLayers(lowerDirs: readonly string[], target: string): string | undefined {
  const parts = pathComponents(target);
  for (const layer of lowerDirs) {
    let root: SafeDir | undefined;
    try {
      root = SafeDir.open(layer);
    } catch {
      continue;
    }
    try {
      const found = lookUp(root, parts);
      if (found !== 'absent') return found;
    } finally {
      root.close();
    }
  }
  return undefined;
}

/** The file's text, undefined when this layer hides it, 'absent' when a lower layer decides. */
function lookUp(root: SafeDir, parts: string[]): string | undefined | 'absent' {
  for (let i = 0; i < parts.length; i++) {
    let st: fs.Stats | undefined;
    let parent: number;
    try {
      parent = root.dir(parts.slice(0, i), false);
      st = SafeDir.lstat(parent, parts[i]);
    } catch {
      return undefined; // unreadable by the caller (a directory a subordinate id keeps 0700): not found
    }
    if (!st) return 'absent';
    if (i < parts.length - 1) {
      if (!st.isDirectory()) return undefined;
      continue;
    }
    if (!st.isFile()) return undefined;
    try {
      return SafeDir.readText(parent, parts[i]);
    } catch {
      return undefined;
    }
  }
  return 'absent';
}
