// V8 heap sizing for the agent. A sidecar gets a memory limit (Vault Agent Injector's default
// is 128 MiB), and Node's defaults let the heap grow to about twice what is live while a large
// policy is parsed. Measured with bench/agent-memory.js (`hush agent --once`, 10,000 file-store
// secrets): peak RSS 190 MiB with Node's defaults, 113 MiB with these two flags, for about 20%
// more CPU time on the first render. Neither caps the heap: a larger input still loads.

import { setFlagsFromString } from 'node:v8';

let applied = false;

/**
 * Asks V8 to favour a small heap: grow the young generation no further than its first size,
 * and size the old one for memory rather than speed. Call it before the first large allocation
 * (loading the policies); later calls do nothing.
 */
export function preferSmallHeap(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--optimize-for-size');
}
