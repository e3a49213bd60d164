// `hush agent --policy FILE... --out DIR`: the sidecar. Renders every policy into DIR (which
// must be on a memory filesystem unless --allow-disk), keeps rotating, reloads policies when
// their files change (an invalid new version is reported and the old one stays in force), and
// exits 0 on SIGTERM. `--once` renders once and exits: 0, or 1 naming what failed.

import * as path from 'node:path';
import { stat } from 'node:fs/promises';
import type { Policy } from '../../agent/config/normalize';
import { createAgent, readPolicies, PolicyLoadError, type Agent } from '../../agent/main';
import { isReady } from '../../agent/runner';
import { createLogger, Redactor, type Logger } from '../../agent/log';
import { checkMemoryFs } from '../../agent/sink/memory-fs';
import { errorMessage, sinkErrors } from '../../agent/errors';
import type { ChangeAction } from '../../agent/core/diff';
import { parseFlags, single, UsageError } from '../flags';
import { runHostCommand } from '../host-command';
import { serveApi, type ServedApi } from '../api-server';
import { createNotifier, notifyReadyWhen } from '../sd-notify';
import type { CommandIO, CommandMain } from './types';

const agentFlags = {
  values: { policy: true, out: false, store: false, 'passphrase-file': false, user: false, listen: false },
  booleans: ['once', 'allow-disk', 'help'],
} as const;

export const agentUsage = `usage: hush agent --policy FILE... --out DIR [options]

options:
  --policy FILE           policy to apply (repeatable)
  --out DIR               directory to render into (must be tmpfs or ramfs)
  --allow-disk            allow a DIR on a disk-backed filesystem
  --once                  render once and exit (0, or 1 naming what failed)
  --store FILE            store for 'type: file' sources without a path ($HUSH_STORE)
  --passphrase-file FILE  passphrase of the store (else $HUSH_STORE_PASSPHRASE)
  --user UID[:GID]        owner of the rendered files (default: the agent's own)
  --listen ADDR           API address: unix:PATH (default), 127.0.0.1:PORT, or none`;

function parseOwner(text: string | undefined): { uid?: number; gid?: number } {
  if (text === undefined) return {};
  const m = /^(\d+)(?::(\d+))?$/.exec(text);
  if (!m) throw new UsageError(`--user must be UID[:GID], got '${text}'`);
  return { uid: Number(m[1]), gid: Number(m[2] ?? m[1]) };
}

/** Sidecar on_change: only `command` has something to act on; there is no app of ours here. */
function sidecarOnChange(logger: Logger) {
  return async (policy: Policy, action: ChangeAction) => {
    if (action.action === 'command') {
      logger.info('secrets changed; running the on_change command', { policy: policy.name, command: action.argv[0] });
      const outcome = await runHostCommand(action.argv, action.timeoutMs, { ...process.env, HUSH_POLICY: policy.name });
      if (outcome.code !== 0) logger.warn('the on_change command failed', { policy: policy.name, code: outcome.code, timed_out: outcome.timedOut });
    } else if (action.action !== 'none') {
      logger.info('secrets changed', { policy: policy.name, note: `on_change ${action.action} needs hush run; in agent mode use command:` });
    }
  };
}

export const main: CommandMain = async (args, io) => {
  let flags;
  let owner;
  try {
    flags = parseFlags(args, agentFlags);
    owner = parseOwner(single(flags, 'user'));
    if (flags.booleans.has('help')) {
      io.stdout.write(agentUsage + '\n');
      return 0;
    }
    if (flags.positional.length > 0 || flags.rest !== undefined) throw new UsageError(`unexpected argument '${flags.positional[0] ?? '--'}'`);
    if (!flags.values.has('policy')) throw new UsageError('--policy FILE is required');
    if (!flags.values.has('out')) throw new UsageError('--out DIR is required');
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`hush: agent: ${err.message}\n`);
    return 125;
  }
  const fail = (message: string) => {
    io.stderr.write(`hush: agent: ${message}\n`);
    return 1;
  };

  const outDir = path.resolve(io.cwd, single(flags, 'out')!);
  try {
    if (!(await stat(outDir)).isDirectory()) return fail(`${outDir} is not a directory`);
  } catch (err) {
    return fail(`${outDir}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
  }
  if (!flags.booleans.has('allow-disk')) {
    const fs = await checkMemoryFs(outDir);
    if (!fs.memory) return fail(sinkErrors.HUSH_ERR_SINK_NOT_MEMORY(outDir, fs.fsType).message);
  }

  const policyFiles = flags.values.get('policy')!;
  // Watch before the first read, so that an edit made while the agent starts is not missed.
  const policyWatch = flags.booleans.has('once') ? undefined : await watchPolicies(policyFiles.map((f) => path.resolve(io.cwd, f)));
  const redactor = new Redactor();
  const logger = createLogger({ redactor });
  const build = async (policies: Policy[], previous?: Agent) =>
    createAgent({
      policies,
      outDir,
      ...owner,
      env: io.env,
      defaultStore: single(flags, 'store') ?? io.env.HUSH_STORE,
      passphraseFile: single(flags, 'passphrase-file'),
      logger,
      redactor,
      sink: previous?.sink,
      onChange: sidecarOnChange(logger.child({ component: 'on-change' })),
    });

  let agent: Agent;
  try {
    agent = await build(await readPolicies(policyFiles, io.cwd));
  } catch (err) {
    await policyWatch?.close();
    const errors = err instanceof PolicyLoadError ? err.errors : [redactor.redact(errorMessage(err))];
    errors.forEach((e) => io.stderr.write(`hush: agent: ${e}\n`));
    return 1;
  }
  const first = await agent.runner.start();
  if (flags.booleans.has('once')) {
    await agent.close();
    if (first.ok) return 0;
    first.errors.forEach((e) => io.stderr.write(`hush: agent: ${e}\n`));
    return 1;
  }
  if (!first.ok) first.errors.forEach((e) => logger.warn('not rendered yet; retrying', { error: e }));
  return runUntilStopped(agent, { io, logger, policyFiles, policyWatch: policyWatch!, build, listen: single(flags, 'listen') });
};

interface PolicyWatch {
  /** Calls back on every change from now on, and at once if one came before. */
  onChange(callback: () => void): void;
  close(): Promise<void>;
}

async function watchPolicies(files: string[]): Promise<PolicyWatch> {
  const { watch } = require('chokidar') as typeof import('chokidar');
  const watcher = watch(files, { ignoreInitial: true });
  let pending = false;
  let listener: (() => void) | undefined;
  watcher.on('all', () => (listener ? listener() : (pending = true)));
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    onChange(callback) {
      listener = callback;
      if (pending) callback();
    },
    close: () => watcher.close(),
  };
}

interface Supervision {
  io: CommandIO;
  logger: Logger;
  policyFiles: string[];
  policyWatch: PolicyWatch;
  build(policies: Policy[], previous?: Agent): Promise<Agent>;
  listen: string | undefined;
}

async function runUntilStopped(initial: Agent, s: Supervision): Promise<number> {
  let agent = initial;
  let stop = new AbortController();
  let running = agent.runner.run(stop.signal);
  const startedAt = Date.now();

  let api: ServedApi | undefined;
  if (s.listen !== 'none') {
    try {
      api = await serveApi({
        address: s.listen,
        env: s.io.env,
        logger: s.logger.child({ component: 'api' }),
        startedAt,
        status: () => agent.runner.status(),
        ready: () => isReady(agent.runner.status()),
        rotate: () => agent.runner.rotateNow(),
      });
    } catch (err) {
      s.io.stderr.write(`hush: agent: ${errorMessage(err)}\n`);
      await s.policyWatch.close();
      stop.abort();
      await running;
      await agent.close();
      return 1;
    }
  }

  // systemd (sd_notify): READY=1 once every secret is rendered, RELOADING=1/READY=1 around a
  // policy reload, STOPPING=1 at shutdown; nothing without NOTIFY_SOCKET.
  const notify = createNotifier({ env: s.io.env, warn: (message) => s.logger.warn(message) });
  const readyStatus = () => `ready: ${agent.runner.status().policies.reduce((n, p) => n + p.files.length, 0)} files rendered`;
  let cancelReady = notifyReadyWhen(notify, () => isReady(agent.runner.status()), readyStatus);

  // Reload policies when their files change; keep the old ones when the new ones are invalid.
  let reloading = Promise.resolve();
  s.policyWatch.onChange(() => {
    reloading = reloading.then(async () => {
      let policies: Policy[];
      try {
        policies = await readPolicies(s.policyFiles, s.io.cwd);
      } catch (err) {
        const errors = err instanceof PolicyLoadError ? err.errors : [errorMessage(err)];
        errors.forEach((e) => s.logger.error('the changed policy is invalid; the previous one stays in force', { error: e }));
        return;
      }
      let next: Agent;
      try {
        next = await s.build(policies, agent);
      } catch (err) {
        s.logger.error('cannot apply the changed policy; the previous one stays in force', { error: errorMessage(err) });
        return;
      }
      cancelReady();
      notify.reloading('reloading policies');
      stop.abort();
      await running;
      await agent.close();
      agent = next;
      stop = new AbortController();
      const started = await agent.runner.start();
      if (!started.ok) started.errors.forEach((e) => s.logger.warn('not rendered yet; retrying', { error: e }));
      running = agent.runner.run(stop.signal);
      cancelReady = notifyReadyWhen(notify, () => isReady(agent.runner.status()), readyStatus);
      s.logger.info('policies reloaded', { policies: policies.map((p) => p.name).join(',') });
    });
  });

  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });
  cancelReady();
  notify.stopping('stopping');
  await s.policyWatch.close();
  await reloading;
  stop.abort();
  await running;
  await agent.close();
  await api?.close();
  s.logger.info('stopped');
  return 0;
}
