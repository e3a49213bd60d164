// Prometheus text exposition format 0.0.4 for the agent's status. Pure.
// https://prometheus.io/docs/instrumenting/exposition_formats/

import type { RunnerStatus } from '../runner';
import type { ContainerUsage } from './types';

export const metricsContentType = 'text/plain; version=0.0.4; charset=utf-8';

type Labels = Record<string, string>;
interface Family {
  name: string;
  type: 'counter' | 'gauge';
  help: string;
  samples: { labels?: Labels; value: number }[];
}

/** Label values escape backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes backslash and line feed. */
const escapeHelp = (text: string) => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function formatLabels(labels: Labels | undefined): string {
  if (!labels) return '';
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** Runner counters exposed as Prometheus counters: counter name → metric name and help. */
const counterMetrics: [string, string, string][] = [
  ['fetches', 'hush_fetches_total', 'Fetch calls made to secret sources.'],
  ['fetch_failures', 'hush_fetch_failures_total', 'Fetch calls that failed.'],
  ['renders', 'hush_renders_total', 'Policy renders.'],
  ['files_written', 'hush_files_written_total', 'Secret files written because their bytes changed.'],
  ['files_removed', 'hush_files_removed_total', 'Secret files removed.'],
  ['actions', 'hush_on_change_actions_total', 'on_change actions run.'],
];

const containerMetrics: [keyof ContainerUsage, string, Family['type'], string][] = [
  ['memoryBytes', 'hush_container_memory_bytes', 'gauge', 'Memory the container uses, bytes.'],
  ['memoryLimitBytes', 'hush_container_memory_limit_bytes', 'gauge', 'The container memory limit (--memory), bytes.'],
  ['cpuSeconds', 'hush_container_cpu_seconds_total', 'counter', 'CPU time the container has used, seconds.'],
  ['cpuLimit', 'hush_container_cpu_limit', 'gauge', 'The container CPU limit (--cpus), CPUs.'],
  ['pids', 'hush_container_pids', 'gauge', 'Processes and threads in the container.'],
  ['pidsLimit', 'hush_container_pids_limit', 'gauge', 'The container pids limit (--pids-limit).'],
  ['oomKills', 'hush_container_oom_kills_total', 'counter', 'Processes of the container the kernel killed for memory.'],
];

export function renderMetrics(
  status: RunnerStatus,
  info: { version: string; ready: boolean; startedAt: number; now: number; container?: ContainerUsage },
): string {
  const { now } = info;
  const seconds = (ms: number) => (now - ms) / 1000;
  const families: Family[] = [
    { name: 'hush_up', type: 'gauge', help: 'Always 1 while the agent answers.', samples: [{ value: 1 }] },
    { name: 'hush_ready', type: 'gauge', help: '1 once every required secret has been rendered.', samples: [{ value: info.ready ? 1 : 0 }] },
    { name: 'hush_build_info', type: 'gauge', help: 'The agent version, as a label.', samples: [{ labels: { version: info.version }, value: 1 }] },
    { name: 'hush_start_time_seconds', type: 'gauge', help: 'Agent start time, seconds since the epoch.', samples: [{ value: info.startedAt / 1000 }] },
  ];
  for (const [counter, name, help] of counterMetrics) {
    families.push({ name, type: 'counter', help, samples: [{ value: status.counters[counter] ?? 0 }] });
  }
  const keyLabels = (k: { source: string; key: string }) => ({ source: k.source, key: k.key });
  families.push(
    {
      name: 'hush_secret_age_seconds',
      type: 'gauge',
      help: 'Seconds since the secret was last fetched (absent until the first fetch).',
      samples: status.keys.filter((k) => k.fetchedAt !== undefined).map((k) => ({ labels: keyLabels(k), value: seconds(k.fetchedAt!) })),
    },
    {
      name: 'hush_secret_next_fetch_seconds',
      type: 'gauge',
      help: 'Seconds until the secret is fetched again (0 or less when due).',
      samples: status.keys.map((k) => ({ labels: keyLabels(k), value: (k.nextAt - now) / 1000 })),
    },
    {
      name: 'hush_secret_fetch_attempts',
      type: 'gauge',
      help: 'Failed fetch attempts since the last success.',
      samples: status.keys.map((k) => ({ labels: keyLabels(k), value: k.attempts })),
    },
    {
      name: 'hush_secret_error',
      type: 'gauge',
      help: '1 when the last fetch of the secret failed.',
      samples: status.keys.map((k) => ({ labels: keyLabels(k), value: k.error === undefined ? 0 : 1 })),
    },
  );
  const fileLabels = (policy: string, file: string) => ({ policy, file });
  families.push(
    {
      name: 'hush_file_render_age_seconds',
      type: 'gauge',
      help: 'Seconds since the file was last rendered (absent until the first render).',
      samples: status.policies.flatMap((p) =>
        p.files.filter((f) => f.renderedAt !== undefined).map((f) => ({ labels: fileLabels(p.name, f.file), value: seconds(f.renderedAt!) })),
      ),
    },
    {
      name: 'hush_file_error',
      type: 'gauge',
      help: '1 when the last render of the file failed.',
      samples: status.policies.flatMap((p) => p.files.map((f) => ({ labels: fileLabels(p.name, f.file), value: f.error === undefined ? 0 : 1 }))),
    },
  );
  for (const [key, name, type, help] of containerMetrics) {
    const value = info.container?.[key];
    if (value !== undefined) families.push({ name, type, help, samples: [{ value }] });
  }

  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const s of family.samples) lines.push(`${family.name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
  }
  return lines.join('\n') + '\n';
}
