// `hush rmi REF...`: forget images, then drop the layers and blobs nothing else uses.

import { parseFlags, UsageError } from '../flags';
import { isImageError } from '../images/errors';
import type { CommandMain } from './types';

export const main: CommandMain = async (args, io) => {
  let refs: string[];
  try {
    const flags = parseFlags(args, { values: {}, booleans: ['help'] });
    if (flags.booleans.has('help')) {
      io.stdout.write('usage: hush rmi REF...\n');
      return 0;
    }
    if (flags.positional.length === 0) throw new UsageError('expected an image reference');
    refs = flags.positional;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`hush: rmi: ${err.message}\n`);
    return 2;
  }
  const { parseImageRef, refName } = require('../images/reference') as typeof import('../images/reference');
  const { openDefaultStore } = require('../images/store') as typeof import('../images/store');
  const { collectGarbage } = require('../images/gc') as typeof import('../images/gc');
  const { imageErrors } = require('../images/errors') as typeof import('../images/errors');
  const store = openDefaultStore(io.env);
  let status = 0;
  for (const text of refs) {
    try {
      const name = refName(parseImageRef(text, io.cwd));
      if (!store.removeRecord(name)) throw imageErrors.HUSH_ERR_IMAGE_NOT_FOUND(`${name} in the image store`);
      io.stdout.write(`removed ${name}\n`);
    } catch (err) {
      if (!isImageError(err)) throw err;
      io.stderr.write(`hush: rmi ${text}: ${err.message}\n`);
      status = 1;
    }
  }
  try {
    collectGarbage(store);
  } catch (err) {
    if (!isImageError(err)) throw err;
    io.stderr.write(`hush: rmi: layers kept for now: ${err.message}\n`);
  }
  return status;
};
