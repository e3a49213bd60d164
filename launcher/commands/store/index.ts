// `hush store ...`: manage an encrypted file store. Flags are parsed here; the work is done by
// agent/sources/file-store. Values never come from argv (argv shows in `ps`) and never reach
// stderr. Exit 0 on success, 1 when the work failed and 2 on a usage error, with one line
// `hush: store: ...` (printed by launcher/cli.ts).

import { exitStatus, UsageError } from '../../errors';
import { parseFlags, single } from '../../flags';
import type { CommandMain } from '../types';
import type { StoreFlags, Subcommand } from './context';
import { edit } from './edit';
import { get, ls, rm, set } from './entries';
import { init, merge, verify } from './file';
import { exportEntries, importEntries } from './interchange';
import { keygen, passwd, recipients, rotate } from './keys';

const usage = `usage: hush store <subcommand> [--store FILE] [options]

subcommands:
  init [--recipient PK...]          create a store (passphrase, or X25519 recipients)
  set NAME [-]                      set NAME from stdin (or a no-echo prompt on a terminal)
  get NAME                          print the value of NAME (raw bytes)
  ls                                list names, sizes and update times (never values)
  rm NAME                           delete NAME
  edit [--allow-disk-temp]          edit NAME=value lines in $EDITOR (plaintext on tmpfs only)
  import FILE [--format F]          add entries from .env, JSON or YAML (nested keys become a/b)
  export --format env|json|yaml     print every entry in that format
  passwd [--new-passphrase-file F]  change the passphrase (same file key)
  rotate                            new file key and nonces for every entry
  recipients ls|add PK|rm PK        manage recipients (rm also rotates)
  verify                            check the whole file; print its generation
  merge BASE OURS THEIRS            git merge driver: three-way merge by entry into OURS
  keygen [--out FILE]               make an identity; print its recipient and signer keys

options:
  --store FILE            the store (default $HUSH_STORE)
  --passphrase-file FILE  read the passphrase from FILE (else $HUSH_STORE_PASSPHRASE, else a prompt)
  --identity FILE         identity file for recipient stores (else $HUSH_STORE_IDENTITY)
  --signers FILE          pinned writer keys, one per line (else $HUSH_STORE_SIGNERS)`;

const storeFlags = {
  values: {
    store: false,
    'passphrase-file': false,
    'new-passphrase-file': false,
    identity: false,
    signers: false,
    recipient: true,
    format: false,
    out: false,
  },
  booleans: ['allow-disk-temp', 'help'],
  short: { h: 'help' },
} as const;

const subcommands: Record<string, Subcommand> = {
  init, set, get, ls, rm, edit, import: importEntries, export: exportEntries, passwd, rotate, recipients, verify, merge, keygen,
};

export const main: CommandMain = async (args, io) => {
  const parsed = parseFlags(args, storeFlags);
  const flags: StoreFlags = {
    positional: [...parsed.positional, ...(parsed.rest ?? [])],
    store: single(parsed, 'store'),
    passphraseFile: single(parsed, 'passphrase-file'),
    newPassphraseFile: single(parsed, 'new-passphrase-file'),
    identity: single(parsed, 'identity'),
    signers: single(parsed, 'signers'),
    recipients: parsed.values.get('recipient') ?? [],
    format: single(parsed, 'format'),
    out: single(parsed, 'out'),
    allowDiskTemp: parsed.booleans.has('allow-disk-temp'),
  };
  const name = flags.positional[0];
  if (parsed.booleans.has('help') || name === 'help') {
    io.stdout.write(usage + '\n');
    return exitStatus.ok;
  }
  if (name === undefined) throw new UsageError("no subcommand given (try 'hush store --help')");
  const sub = Object.hasOwn(subcommands, name) ? subcommands[name] : undefined;
  if (!sub) throw new UsageError(`unknown subcommand '${name}' (try 'hush store --help')`);
  await sub(flags, io);
  return exitStatus.ok;
};
