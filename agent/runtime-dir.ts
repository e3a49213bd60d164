// hush's runtime directory: `$XDG_RUNTIME_DIR/hush` when the session has one, else `fallback`.

import * as path from 'node:path';

export function hushRuntimeDir(env: NodeJS.ProcessEnv, fallback = '/run/hush'): string {
  return env.XDG_RUNTIME_DIR ? path.join(env.XDG_RUNTIME_DIR, 'hush') : fallback;
}
