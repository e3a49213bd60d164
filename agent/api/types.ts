// What the API needs from the agent. The API only reads the runner's status, which holds
// names, times, counters and error texts, never a secret value.

import type { Logger } from '../log';
import type { RunnerStatus } from '../runner';

/** What the container of `hush run` uses, from its cgroup (launcher/cgroups/usage.ts). */
export interface ContainerUsage {
  memoryBytes?: number;
  memoryLimitBytes?: number;
  cpuSeconds?: number;
  cpuLimit?: number;
  pids?: number;
  pidsLimit?: number;
  oomKills?: number;
}

export interface ApiDeps {
  status(): RunnerStatus;
  /** True once every required secret has been rendered. */
  ready(): boolean;
  /** Makes every key due now (Runner.rotateNow). */
  rotate(): void;
  /** Epoch ms when the agent started. */
  startedAt: number;
  version: string;
  /** Bearer token every request must carry; required when listening on TCP. */
  token?: string;
  /** Epoch ms; Date.now when absent. */
  now?(): number;
  /** Where handler failures are reported (the message never goes to the client). */
  logger?: Logger;
  /** `hush run`: what its container uses, from its cgroup (launcher/cgroups/usage.ts). */
  containerUsage?(): ContainerUsage | undefined;
}
