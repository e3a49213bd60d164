// `hush image prune`: drop layers and blobs that no image references.

import { parseFlags, UsageError } from '../flags';
import { isImageError } from '../images/errors';
import type { CommandMain } from './types';

const usage = 'usage: hush image prune';

export const main: CommandMain = async (args, io) => {
  try {
    const flags = parseFlags(args, { values: {}, booleans: ['help'] });
    if (flags.booleans.has('help')) {
      io.stdout.write(usage + '\n');
      return 0;
    }
    if (flags.positional.length !== 1 || flags.positional[0] !== 'prune') throw new UsageError(flags.positional[0] ? `unknown subcommand '${flags.positional[0]}'` : 'expected a subcommand');
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`hush: image: ${err.message}\n${usage}\n`);
    return 2;
  }
  const { openDefaultStore } = require('../images/store') as typeof import('../images/store');
  const { collectGarbage } = require('../images/gc') as typeof import('../images/gc');
  const { formatBytes } = require('../images/progress') as typeof import('../images/progress');
  try {
    const store = openDefaultStore(io.env);
    const collected = collectGarbage(store);
    io.stdout.write(`removed ${collected.layers} layers and ${collected.blobs} blobs (${formatBytes(collected.bytes)})\n`);
    return 0;
  } catch (err) {
    if (!isImageError(err)) throw err;
    io.stderr.write(`hush: image prune: ${err.message}\n`);
    return 1;
  }
};
