// The one loader of the native addon. Everything the launcher needs from the kernel that Node
// does not offer goes through here; see binding.d.ts for the surface.

import * as path from 'node:path';
import type { NativeBinding } from './binding';

export type { SpawnSpec, SpawnedContainer, ExitStatus, NativeError, ControlEvent } from './binding';

let binding: NativeBinding | undefined;

function load(): NativeBinding {
  // From native/index.ts (tests) and from dist/native/index.js (the built CLI).
  const candidates = [
    path.join(__dirname, 'build', 'Release', 'hush_native.node'),
    path.join(__dirname, '..', '..', 'native', 'build', 'Release', 'hush_native.node'),
  ];
  const failures: string[] = [];
  for (const candidate of candidates) {
    try {
      return require(candidate) as NativeBinding;
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
