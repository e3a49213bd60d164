// `hush images`: the images in the local store (name, digest, size, created).

import { parseFlags, UsageError } from '../flags';
import { isImageError } from '../images/errors';
import type { CommandMain } from './types';

export const main: CommandMain = async (args, io) => {
  try {
    const flags = parseFlags(args, { values: {}, booleans: ['help', 'quiet'] });
    if (flags.positional.length > 0) throw new UsageError(`unexpected argument '${flags.positional[0]}'`);
    if (flags.booleans.has('help')) {
      io.stdout.write('usage: hush images [--quiet]\n');
      return 0;
    }
    const { openDefaultStore } = require('../images/store') as typeof import('../images/store');
    const { formatBytes } = require('../images/progress') as typeof import('../images/progress');
    const store = openDefaultStore(io.env);
    const records = store.records();
    if (flags.booleans.has('quiet')) {
      for (const r of records) io.stdout.write(`${r.name}\n`);
      return 0;
    }
    const rows = [['NAME', 'DIGEST', 'SIZE', 'CREATED']];
    for (const r of records) {
      rows.push([r.name, r.digest.slice(0, 19), formatBytes(r.layers.reduce((n, l) => n + l.size, 0)), r.created?.replace(/\.\d+/, '') ?? '-']);
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
    for (const row of rows) io.stdout.write(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ') + '\n');
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`hush: images: ${err.message}\n`);
      return 2;
    }
    if (!isImageError(err)) throw err;
    io.stderr.write(`hush: images: ${err.message}\n`);
    return 1;
  }
};
