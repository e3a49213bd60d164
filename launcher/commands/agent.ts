// `hush agent --policy FILE... --out DIR`: the sidecar. Renders every policy into DIR (which
// must be on a memory filesystem unless --allow-disk), keeps rotating, reloads policies when
// their files change, and exits 0 on SIGTERM. `--once` renders once and exits: 0, or 1 naming
// what failed. The agent itself is agent/service.ts, the same one `hush run` uses.

import * as path from 'node:path';
import { stat } from 'node:fs/promises';
import { createNotifier } from '../../agent/sd-notify';
import { createAgentService } from '../../agent/service';
import { checkMemoryFs } from '../../agent/sink/memory-fs';
import { errorMessage, sinkErrors } from '../../agent/errors';
import { exitStatus } from '../errors';
import { parseFlags, single, UsageError } from '../flags';
import { parseOwner } from '../container-spec';
import { hushVersion } from '../version';
import type { CommandMain } from './types';

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

export const main: CommandMain = async (args, io) => {
  let flags;
  let owner;
  try {
    flags = parseFlags(args, agentFlags);
    if (flags.booleans.has('help')) {
      io.stdout.write(agentUsage + '\n');
      return 0;
    }
    const user = single(flags, 'user');
    owner = user === undefined ? {} : parseOwner('--user', user);
    if (flags.positional.length > 0 || flags.rest !== undefined) throw new UsageError(`unexpected argument '${flags.positional[0] ?? '--'}'`);
    if (!flags.values.has('policy')) throw new UsageError('--policy FILE is required');
    if (!flags.values.has('out')) throw new UsageError('--out DIR is required');
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`hush: agent: ${err.message}\n`);
    return exitStatus.usage;
  }
  const fail = (...messages: string[]) => {
    for (const message of messages) io.stderr.write(`hush: agent: ${message}\n`);
    return exitStatus.failed;
  };

  const out = path.resolve(io.cwd, single(flags, 'out')!);
  try {
    if (!(await stat(out)).isDirectory()) return fail(`${out} is not a directory`);
  } catch (err) {
    return fail(`${out}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
  }
  if (!flags.booleans.has('allow-disk')) {
    const fs = await checkMemoryFs(out);
    if (!fs.memory) return fail(sinkErrors.HUSH_ERR_SINK_NOT_MEMORY(out, fs.fsType).message);
  }

  const once = flags.booleans.has('once');
  // systemd (sd_notify): READY=1 once every secret is rendered, RELOADING=1/READY=1 around a
  // policy reload, STOPPING=1 at shutdown; nothing without NOTIFY_SOCKET.
  const notifier = once ? undefined : createNotifier({ env: io.env, warn: (message) => io.stderr.write(`hush: agent: ${message}\n`) });
  const service = await createAgentService({
    policyFiles: flags.values.get('policy')!,
    cwd: io.cwd,
    env: io.env,
    out,
    ...owner,
    defaultStore: single(flags, 'store') ?? io.env.HUSH_STORE,
    passphraseFile: single(flags, 'passphrase-file'),
    reload: !once,
    version: hushVersion(),
    notifier,
    announceReady: true,
  });
  const first = await service.start();
  if (once || (!first.ok && first.stage === 'load')) {
    await service.close();
    return first.ok ? exitStatus.ok : fail(...first.errors);
  }
  if (!first.ok) for (const error of first.errors) service.logger.warn('not rendered yet; retrying', { error });

  service.run();
  const listen = single(flags, 'listen');
  if (listen !== 'none') {
    try {
      await service.serve(listen);
    } catch (err) {
      await service.close();
      return fail(errorMessage(err));
    }
  }
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  notifier?.stopping('stopping');
  await service.close();
  service.logger.info('stopped');
  return exitStatus.ok;
};
