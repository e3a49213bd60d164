// The container's usage through the agent API: /metrics renders it as hush_container_* lines,
// /v1/status carries it as `container`; both leave it out when there is no container.

import { describe, expect, it } from 'vitest';
import { buildApp } from '../../agent/api/app';
import type { ApiDeps, ContainerUsage } from '../../agent/api/types';

const MiB = 1024 * 1024;
const usage: ContainerUsage = { memoryBytes: 5 * MiB, memoryLimitBytes: 64 * MiB, cpuSeconds: 1.25, cpuLimit: 0.5, pids: 3, pidsLimit: 2048, oomKills: 0 };

function deps(containerUsage?: () => ContainerUsage | undefined): ApiDeps {
  return {
    status: () => ({ policies: [], keys: [], counters: {} }),
    ready: () => true,
    rotate: () => {},
    startedAt: 0,
    version: 'test',
    now: () => 1000,
    ...(containerUsage ? { containerUsage } : {}),
  };
}

describe('container usage in the agent API', () => {
  it('/metrics has a line per figure, with HELP and TYPE', async () => {
    const app = buildApp(deps(() => usage));
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const samples = text.split('\n').filter((line) => line.startsWith('hush_container_'));
    expect(samples).toEqual([
      `hush_container_memory_bytes ${5 * MiB}`,
      `hush_container_memory_limit_bytes ${64 * MiB}`,
      'hush_container_cpu_seconds_total 1.25',
      'hush_container_cpu_limit 0.5',
      'hush_container_pids 3',
      'hush_container_pids_limit 2048',
      'hush_container_oom_kills_total 0',
    ]);
    expect(text).toContain('# TYPE hush_container_cpu_seconds_total counter\n');
    expect(text).toContain('# TYPE hush_container_memory_bytes gauge\n');
  });

  it('leaves out what the cgroup does not offer', async () => {
    const app = buildApp(deps(() => ({ pids: 2 })));
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text.split('\n').filter((line) => line.startsWith('hush_container_'))).toEqual(['hush_container_pids 2']);
  });

  it('/v1/status carries it as container', async () => {
    const app = buildApp(deps(() => usage));
    expect((await app.inject({ method: 'GET', url: '/v1/status' })).json().container).toEqual(usage);
  });

  it('neither has it without a container (hush agent)', async () => {
    const app = buildApp(deps());
    expect((await app.inject({ method: 'GET', url: '/metrics' })).body).not.toContain('hush_container_');
    expect((await app.inject({ method: 'GET', url: '/v1/status' })).json()).not.toHaveProperty('container');
  });
});
