// The JSON shape of GET /v1/status: the runner's status with times as ISO strings and ages
// in whole seconds. Pure; `hush status` reads the same type.

import type { RunnerStatus } from '../runner';
import type { ContainerUsage } from './types';

export interface FileView {
  file: string;
  renderedAt: string | null;
  ageSeconds: number | null;
  error: string | null;
}

export interface PolicyView {
  name: string;
  file: string;
  files: FileView[];
  lastAction: { action: string; at: string; ageSeconds: number } | null;
}

export interface KeyView {
  source: string;
  key: string;
  fetchedAt: string | null;
  ageSeconds: number | null;
  nextAt: string;
  /** Seconds until the next fetch; 0 when due now. */
  nextInSeconds: number;
  attempts: number;
  error: string | null;
  version: string | null;
}

export interface StatusView {
  version: string;
  ready: boolean;
  startedAt: string;
  uptimeSeconds: number;
  policies: PolicyView[];
  keys: KeyView[];
  counters: Record<string, number>;
  /** `hush run`: what the container uses (absent for `hush agent`). */
  container?: ContainerUsage;
}

const iso = (ms: number) => new Date(ms).toISOString();
const age = (now: number, ms: number) => Math.max(0, Math.floor((now - ms) / 1000));

export function statusView(
  status: RunnerStatus,
  info: { version: string; ready: boolean; startedAt: number; now: number; container?: ContainerUsage },
): StatusView {
  const { now } = info;
  return {
    version: info.version,
    ready: info.ready,
    startedAt: iso(info.startedAt),
    uptimeSeconds: age(now, info.startedAt),
    policies: status.policies.map((p) => ({
      name: p.name,
      file: p.file,
      files: p.files.map((f) => ({
        file: f.file,
        renderedAt: f.renderedAt === undefined ? null : iso(f.renderedAt),
        ageSeconds: f.renderedAt === undefined ? null : age(now, f.renderedAt),
        error: f.error ?? null,
      })),
      lastAction: p.lastAction ? { action: p.lastAction.action, at: iso(p.lastAction.at), ageSeconds: age(now, p.lastAction.at) } : null,
    })),
    keys: status.keys.map((k) => ({
      source: k.source,
      key: k.key,
      fetchedAt: k.fetchedAt === undefined ? null : iso(k.fetchedAt),
      ageSeconds: k.fetchedAt === undefined ? null : age(now, k.fetchedAt),
      nextAt: iso(k.nextAt),
      nextInSeconds: Math.max(0, Math.ceil((k.nextAt - now) / 1000)),
      attempts: k.attempts,
      error: k.error ?? null,
      version: k.version ?? null,
    })),
    counters: { ...status.counters },
    ...(info.container ? { container: { ...info.container } } : {}),
  };
}
