// `hush status [--socket PATH] [--json] [--ready]`: asks a running agent, over its unix socket, what it
// holds: policies and their files, keys with ages, next refresh and errors, and for `hush run`
// what its container uses. Never values: the agent's API has none to give.

import * as http from 'node:http';
import { defaultSocketPath } from '../../agent/api/listen';
import type { ContainerUsage } from '../../agent/api/types';
import type { KeyView, StatusView } from '../../agent/api/view';
import type { CommandMain } from './types';
import { exitStatus, statusErrors, UsageError } from '../errors';
import { parseFlags, refuseArguments, single } from '../flags';

const usage = `usage: hush status [--socket PATH] [--json] [--ready]

Shows what a running agent holds: policies and their files, secrets by source and key, with
ages, next refresh, attempts and errors, and for \`hush run\` the container's memory, CPU time,
processes and OOM kills. Never values.

options:
  --socket PATH   the agent's API socket (default $XDG_RUNTIME_DIR/hush/agent.sock,
                  else /run/hush/agent.sock for root, /dev/shm/hush-UID/agent.sock for others)
  --json          print the agent's answer as JSON
  --ready         exit 0 when every required secret is rendered, else 1 (a startup probe)`;

const statusFlags = { values: { socket: false }, booleans: ['json', 'ready', 'help'], short: { h: 'help' } } as const;

type Reply = { ok: true; status: number; body: string } | { ok: false; code: string };

function getStatus(socketPath: string): Promise<Reply> {
  return new Promise((resolve) => {
    const request = http.get({ socketPath, path: '/v1/status', headers: { accept: 'application/json' }, timeout: 10_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ ok: true, status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, code: err.code ?? err.message }));
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    request.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, code: err.code ?? err.message }));
  });
}

function duration(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

/** Left-aligned columns, two spaces apart. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}

/** Keeps a table cell on one line. */
const oneLine = (text: string) => text.replace(/[\r\n\t]+/g, ' ');

function keyRow(k: KeyView): string[] {
  return [
    oneLine(k.source),
    oneLine(k.key),
    k.ageSeconds === null ? 'never' : duration(k.ageSeconds),
    k.nextInSeconds === 0 ? 'now' : `in ${duration(k.nextInSeconds)}`,
    String(k.attempts),
    k.error === null ? '-' : oneLine(k.error),
  ];
}

export function formatStatus(view: StatusView): string {
  const lines: string[] = [];
  lines.push(`agent ${view.version}, up ${duration(view.uptimeSeconds)}, ${view.ready ? 'ready' : 'not ready'}`);
  lines.push('');
  lines.push('policies');
  if (view.policies.length === 0) lines.push('  (none)');
  for (const p of view.policies) {
    const action = p.lastAction ? `, last action ${p.lastAction.action} ${duration(p.lastAction.ageSeconds)} ago` : '';
    lines.push(`  ${oneLine(p.name)} (${oneLine(p.file)})${action}`);
    const rows = [['FILE', 'RENDERED', 'ERROR'], ...p.files.map((f) => [oneLine(f.file), f.ageSeconds === null ? 'never' : `${duration(f.ageSeconds)} ago`, f.error === null ? '-' : oneLine(f.error)])];
    for (const line of table(rows)) lines.push(`    ${line}`);
  }
  lines.push('');
  lines.push('secrets');
  if (view.keys.length === 0) lines.push('  (none)');
  else for (const line of table([['SOURCE', 'KEY', 'AGE', 'NEXT', 'ATTEMPTS', 'ERROR'], ...view.keys.map(keyRow)])) lines.push(`  ${line}`);
  if (view.container) lines.push('', 'container', ...table(usageRows(view.container)).map((line) => `  ${line}`));
  return lines.join('\n') + '\n';
}

const mebibytes = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;
const ofLimit = (used: string, limit: string | undefined) => (limit === undefined ? used : `${used} of ${limit}`);

/** What the container of `hush run` uses, from its cgroup; a figure the host cannot give is '-'. */
function usageRows(usage: ContainerUsage): string[][] {
  const or = <T>(value: T | undefined, show: (v: T) => string) => (value === undefined ? '-' : show(value));
  const limit = <T>(value: T | undefined, show: (v: T) => string) => (value === undefined ? undefined : show(value));
  return [
    ['memory', ofLimit(or(usage.memoryBytes, mebibytes), limit(usage.memoryLimitBytes, mebibytes))],
    ['cpu', `${or(usage.cpuSeconds, (s) => `${s.toFixed(2)} s`)}${usage.cpuLimit === undefined ? '' : ` (limit ${usage.cpuLimit} CPUs)`}`],
    ['processes', ofLimit(or(usage.pids, String), limit(usage.pidsLimit, String))],
    ['oom kills', or(usage.oomKills, String)],
  ];
}

export const main: CommandMain = async (args, io) => {
  const flags = parseFlags(args, statusFlags);
  if (flags.booleans.has('help')) {
    io.stdout.write(usage + '\n');
    return exitStatus.ok;
  }
  refuseArguments(flags);
  const socketFlag = single(flags, 'socket');
  if (socketFlag === '') throw new UsageError('--socket needs a path');
  const socketPath = socketFlag === undefined ? defaultSocketPath(io.env) : socketFlag.replace(/^unix:/, '');

  const reply = await getStatus(socketPath);
  if (!reply.ok) throw statusErrors.HUSH_ERR_STATUS_UNREACHABLE(socketPath, reply.code);
  if (reply.status !== 200) throw statusErrors.HUSH_ERR_STATUS_HTTP(socketPath, reply.status);
  let view: StatusView;
  try {
    view = JSON.parse(reply.body) as StatusView;
  } catch (err) {
    throw statusErrors.HUSH_ERR_STATUS_BAD_REPLY.withCause(err, socketPath);
  }
  if (flags.booleans.has('ready')) {
    const missing = view.policies.flatMap((p) => p.files.filter((f) => f.ageSeconds === null && f.error !== null).map((f) => `${p.name}/${f.file}`));
    io.stdout.write(view.ready ? 'ready\n' : `not ready: ${missing.length > 0 ? `not rendered yet: ${missing.join(', ')}` : 'not every secret is rendered'}\n`);
    return view.ready ? exitStatus.ok : exitStatus.failed;
  }
  io.stdout.write(flags.booleans.has('json') ? JSON.stringify(view, null, 2) + '\n' : formatStatus(view));
  return exitStatus.ok;
};
