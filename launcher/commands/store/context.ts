// What every `hush store` subcommand shares: its flags, the store path, the credentials that
// unlock it (asking on the terminal when a passphrase store has none), and its stderr lines.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../../errors';
import type { CommandIO } from '../types';
import { promptHidden } from './prompt';

export type Store = typeof import('../../../agent/sources/file-store/index');
/** Loaded on first use: `hush store --help` needs none of it. */
export const lib = (): Store => require('../../../agent/sources/file-store/index');

export interface StoreFlags {
  /** The subcommand, then its arguments. */
  positional: string[];
  store?: string;
  passphraseFile?: string;
  newPassphraseFile?: string;
  identity?: string;
  signers?: string;
  recipients: string[];
  format?: string;
  out?: string;
  allowDiskTemp: boolean;
}

export type Subcommand = (flags: StoreFlags, io: CommandIO) => Promise<void>;

export const say = (io: CommandIO, line: string) => io.stderr.write(`hush: store: ${line}\n`);

export function storePath(flags: StoreFlags, io: CommandIO): string {
  const p = flags.store ?? io.env.HUSH_STORE;
  if (!p) throw new UsageError('no store given: pass --store FILE or set HUSH_STORE');
  return path.resolve(io.cwd, p);
}

/** The subcommand's arguments, exactly `count` of them. */
export function needArgs(flags: StoreFlags, count: number, what: string): string[] {
  const args = flags.positional.slice(1);
  if (args.length !== count) throw new UsageError(`expected ${what}`);
  return args;
}

export function writeOptions(io: CommandIO) {
  return { logN: lib().logNFromEnv(io.env) };
}

function storeMode(file: string): 'scrypt' | 'x25519' | undefined {
  try {
    return lib().parseStore(new Uint8Array(fs.readFileSync(file)), file).wrap.mode;
  } catch {
    return undefined; // the real open reports the problem
  }
}

export async function credentials(flags: StoreFlags, io: CommandIO, file?: string) {
  const opts: { passphraseFile?: string; identityFile?: string; signersFile?: string } = {};
  if (flags.passphraseFile) opts.passphraseFile = path.resolve(io.cwd, flags.passphraseFile);
  if (flags.identity) opts.identityFile = path.resolve(io.cwd, flags.identity);
  if (flags.signers) opts.signersFile = path.resolve(io.cwd, flags.signers);
  const creds = await lib().credentialsFromEnv(io.env, opts);
  if (file && creds.passphrase === undefined && storeMode(file) === 'scrypt' && io.stdin.isTTY) {
    creds.passphrase = await promptHidden(io, `passphrase for ${path.basename(file)}: `);
  }
  return creds;
}
