// The one loader of the native addon. Everything the launcher needs from the kernel that Node
// does not offer goes through here; see binding.d.ts for the surface.

import * as path from 'node:path';
import type { NativeBinding } from './binding';

export type { SpawnSpec, SpawnedContainer, ExitStatus, NativeError, ControlEvent, TmpfsMount, UsernsSpec, UsernsRoot, CgroupViewMount } from './binding';

let binding: NativeBinding | undefined;
let buildDir = '';

function load(): NativeBinding {
  // From dist/native/index.js (the built CLI) and from native/index.ts (tests).
  const candidates = [
    path.join(__dirname, '..', '..', 'native', 'build', 'Release'),
    path.join(__dirname, 'build', 'Release'),
  ];
  const failures: string[] = [];
  for (const dir of candidates) {
    const candidate = path.join(dir, 'hush_native.node');
    try {
      const loaded = require(candidate) as NativeBinding;
      buildDir = dir;
      return loaded;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      failures.push(`${candidate}: ${code === 'MODULE_NOT_FOUND' ? 'not found' : (err as Error).message}`);
    }
  }
  throw new Error(`cannot load the native addon (run 'npm install' to build it); tried:\n  ${failures.join('\n  ')}`);
}

export function native(): NativeBinding {
  binding ??= load();
  return binding;
}

/** The hush-init executable built beside the addon. */
export function initPath(): string {
  native();
  return path.join(buildDir, 'hush-init');
}

/** The hush-userns executable built beside the addon (native/src/userns-exec-main.c). */
export function usernsExecPath(): string {
  native();
  return path.join(buildDir, 'hush-userns');
}
