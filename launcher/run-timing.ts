// `HUSH_TIMING=1`: one stderr line with where a `hush run`'s start-up time went, read by
// bench/launch. Costs nothing when unset.

import { performance } from 'node:perf_hooks';
import type { Writable } from 'node:stream';

export interface RunTiming {
  /** Times the native spawn: call before, and the returned function after. */
  spawn(): () => void;
  report(stderr: Writable): void;
}

const off: RunTiming = { spawn: () => () => {}, report: () => {} };

export function runTiming(env: NodeJS.ProcessEnv): RunTiming {
  if (!env.HUSH_TIMING) return off;
  const mainStartedAt = performance.now();
  let spawnMs = 0;
  return {
    spawn() {
      const startedAt = performance.now();
      return () => (spawnMs = performance.now() - startedAt);
    },
    report(stderr) {
      const setupMs = performance.now() - mainStartedAt;
      stderr.write(`hush: timing: startup_ms=${mainStartedAt.toFixed(2)} setup_ms=${setupMs.toFixed(2)} clone_to_exec_ms=${spawnMs.toFixed(2)}\n`);
    },
  };
}
