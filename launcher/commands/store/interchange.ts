// `hush store import|export`: entries to and from .env, JSON and YAML (nested keys are a/b).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliErrors, UsageError } from '../../errors';
import { credentials, lib, needArgs, say, storePath, writeOptions, type Subcommand } from './context';

import type { InterchangeFormat } from '../../../agent/sources/file-store/interchange';

type Interchange = typeof import('../../../agent/sources/file-store/interchange');
const interchange = (): Interchange => require('../../../agent/sources/file-store/interchange');

const isFormat = (text: string | undefined): text is InterchangeFormat => text === 'env' || text === 'json' || text === 'yaml';

export const importEntries: Subcommand = async (flags, io) => {
  const file = storePath(flags, io);
  const [input] = needArgs(flags, 1, 'FILE to import');
  const format = flags.format ?? interchange().formatFromFileName(input!);
  if (!isFormat(format)) throw new UsageError(`cannot tell the format of ${input}; pass --format env|json|yaml`);
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(io.cwd, input!), 'utf8');
  } catch (err) {
    throw cliErrors.HUSH_ERR_CLI_READ_FILE.withCause(err, input!, (err as NodeJS.ErrnoException).code ?? String(err));
  }
  const values = interchange().parseInterchange(text, format, input!);
  await lib().updateEntries(file, await credentials(flags, io, file), () => new Map(values), writeOptions(io));
  say(io, `imported ${values.size} entr${values.size === 1 ? 'y' : 'ies'} into ${file}`);
};

export const exportEntries: Subcommand = async (flags, io) => {
  const file = storePath(flags, io);
  needArgs(flags, 0, 'no arguments (export --format env|json|yaml)');
  const format = flags.format ?? 'env';
  if (!isFormat(format)) throw new UsageError(`unknown format '${format}' (env, json or yaml)`);
  const opened = await lib().openStore(file, await credentials(flags, io, file));
  const values = new Map([...opened.values].map(([k, v]) => [k, v.value]));
  io.stdout.write(interchange().formatInterchange(values, format));
};
