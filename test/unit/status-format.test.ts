import { describe, expect, it } from 'vitest';
import type { StatusView } from '../../agent/api/view';
import { formatStatus } from '../../launcher/commands/status';

const view: StatusView = {
  version: '1.0.0',
  ready: true,
  startedAt: '2026-12-01T00:00:00.000Z',
  uptimeSeconds: 30,
  policies: [],
  keys: [],
  counters: {},
};

describe('hush status text', () => {
  it("shows a run's container usage against its limits", () => {
    const text = formatStatus({ ...view, container: { memoryBytes: 5 * 1048576 + 314572, memoryLimitBytes: 64 * 1048576, cpuSeconds: 1.234, cpuLimit: 0.5, pids: 4, pidsLimit: 2048, oomKills: 0 } });
    expect(text.split('\n').slice(-6)).toEqual([
      'container',
      '  memory     5.3 MiB of 64.0 MiB',
      '  cpu        1.23 s (limit 0.5 CPUs)',
      '  processes  4 of 2048',
      '  oom kills  0',
      '',
    ]);
  });

  it('shows what the host cannot give as -, a missing limit as none', () => {
    const text = formatStatus({ ...view, container: { memoryBytes: 1048576, pids: 2 } });
    expect(text).toContain('container\n  memory     1.0 MiB\n  cpu        -\n  processes  2\n  oom kills  -\n');
  });

  it('has no container section for hush agent', () => {
    expect(formatStatus(view)).not.toContain('container');
  });
});
