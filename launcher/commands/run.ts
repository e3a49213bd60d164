// `hush run [options] -- CMD`: flags → RunOptions (container-spec.ts) → one run
// (run-container.ts) → the app's exit status.

import { readSync, openSync, closeSync } from 'node:fs';
import { parseRunArgs, runUsage, type RunOptions } from '../container-spec';
import { exitStatus } from '../errors';
import { UsageError } from '../flags';
import { runContainer } from '../run-container';
import { runTiming } from '../run-timing';
import type { CommandMain } from './types';

/** 12 hex digits from the kernel's random source (node:crypto would cost start-up time). */
function containerId(): string {
  const bytes = Buffer.alloc(6);
  const fd = openSync('/dev/urandom', 'r');
  try {
    readSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
  return bytes.toString('hex');
}

export const main: CommandMain = async (args, io) => {
  const timing = runTiming(io.env);
  const id = containerId();
  let options: RunOptions;
  try {
    options = parseRunArgs(args, io.env, id);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`hush: run: ${err.message}\n`);
    return exitStatus.runFailed;
  }
  if (args.includes('--help') && options.argv.length === 0) {
    io.stdout.write(runUsage + '\n');
    return exitStatus.ok;
  }
  if (options.listen !== undefined && options.policies.length === 0) {
    io.stderr.write('hush: run: --listen serves the agent, which runs only with --policy\n');
    return exitStatus.runFailed;
  }
  return runContainer(options, id, io, timing);
};
