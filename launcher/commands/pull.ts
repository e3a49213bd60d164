// `hush pull [--insecure-registry HOST]... REF`: fetch an image into the local store.

import { parseFlags, UsageError } from '../flags';
import { isImageError } from '../images/errors';
import { createProgress, formatBytes } from '../images/progress';
import type { CommandMain } from './types';

const pullUsage = `usage: hush pull [--insecure-registry HOST]... REF

REF: docker-archive:PATH[:NAME:TAG] | PATH.tar | oci-archive:PATH[:TAG] | oci:DIR[:TAG] | PATH.aci
     | [HOST[:PORT]/]NAME[:TAG|@sha256:DIGEST]`;

export const main: CommandMain = async (args, io) => {
  let text: string;
  let insecure: string[];
  try {
    const flags = parseFlags(args, { values: { 'insecure-registry': true }, booleans: ['help'] });
    if (flags.booleans.has('help')) {
      io.stdout.write(pullUsage + '\n');
      return 0;
    }
    if (flags.positional.length !== 1 || flags.rest !== undefined) throw new UsageError('expected one image reference');
    text = flags.positional[0];
    insecure = flags.values.get('insecure-registry') ?? [];
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`hush: pull: ${err.message}\n${pullUsage}\n`);
    return 2;
  }
  const { parseImageRef, refName } = require('../images/reference') as typeof import('../images/reference');
  const { openDefaultStore } = require('../images/store') as typeof import('../images/store');
  const { pullImage } = require('../images/pull') as typeof import('../images/pull');
  try {
    const ref = parseImageRef(text, io.cwd);
    const store = openDefaultStore(io.env);
    const progress = createProgress(io.stderr, refName(ref));
    const record = await pullImage(store, ref, { env: io.env, insecureHosts: insecure, progress });
    const size = record.layers.reduce((n, l) => n + l.size, 0);
    progress.done(`${record.name} ${record.digest} (${record.layers.length} layers, ${formatBytes(size)})`);
    return 0;
  } catch (err) {
    if (!isImageError(err)) throw err;
    io.stderr.write(`hush: pull ${text}: ${err.message}\n`);
    return 1;
  }
};
