// `hush store passwd|rotate|recipients|keygen`: what unlocks a store. Each change that leaves
// old git revisions readable says so.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliErrors, UsageError } from '../../errors';
import type { CommandIO } from '../types';
import { credentials, lib, needArgs, say, storePath, writeOptions, type StoreFlags, type Subcommand } from './context';
import { promptNewPassphrase } from './prompt';

function newPassphrase(flags: StoreFlags, io: CommandIO): Promise<string> | string {
  if (flags.newPassphraseFile) {
    const file = path.resolve(io.cwd, flags.newPassphraseFile);
    try {
      return lib().stripOneNewline(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw cliErrors.HUSH_ERR_CLI_READ_FILE.withCause(err, file, (err as NodeJS.ErrnoException).code ?? String(err));
    }
  }
  if (io.env.HUSH_STORE_NEW_PASSPHRASE) return io.env.HUSH_STORE_NEW_PASSPHRASE;
  return promptNewPassphrase(io, 'new passphrase');
}

export const passwd: Subcommand = async (flags, io) => {
  const file = storePath(flags, io);
  needArgs(flags, 0, 'no arguments');
  const creds = await credentials(flags, io, file);
  await lib().changePassphrase(file, creds, await newPassphrase(flags, io), writeOptions(io));
  say(io, `passphrase changed for ${file}`);
  say(io, 'old git revisions of this file still open with the old passphrase; run rotate as well if it leaked');
};

export const rotate: Subcommand = async (flags, io) => {
  const file = storePath(flags, io);
  needArgs(flags, 0, 'no arguments');
  await lib().rotateKey(file, await credentials(flags, io, file), writeOptions(io));
  say(io, `rotated ${file}: new file key, every entry re-encrypted`);
  say(io, 'old git revisions of this file stay readable with the old key; rotate the secrets themselves if that key leaked');
};

export const recipients: Subcommand = async (flags, io) => {
  const file = storePath(flags, io);
  const action = flags.positional[1];
  const L = lib();
  if (action === 'ls' || action === undefined) {
    const opened = await L.openStore(file, await credentials(flags, io, file));
    const wrap = opened.doc.wrap;
    if (wrap.mode !== 'x25519') throw L.storeErrors.HUSH_ERR_STORE_RECIPIENTS(file, 'locked with a passphrase, so it has no recipients');
    for (const s of wrap.recipients) io.stdout.write(L.encodeKey(L.recipientPrefix, s.pk) + '\n');
    return;
  }
  const keys = flags.positional.slice(2);
  if ((action !== 'add' && action !== 'rm') || keys.length === 0) throw new UsageError('expected recipients ls | add PK... | rm PK...');
  const creds = await credentials(flags, io, file);
  for (const key of keys) {
    if (action === 'add') await L.addRecipient(file, creds, key, writeOptions(io));
    else await L.removeRecipient(file, creds, key, writeOptions(io));
  }
  if (action === 'rm') {
    say(io, `removed ${keys.length} recipient(s) and rotated the file key of ${file}`);
    say(io, 'old git revisions stay readable by the removed key; rotate the secrets themselves if that matters');
  } else {
    say(io, `added ${keys.length} recipient(s) to ${file}`);
  }
};

export const keygen: Subcommand = async (flags, io) => {
  needArgs(flags, 0, 'no arguments (keygen [--out FILE])');
  const nacl = require('tweetnacl') as typeof import('tweetnacl');
  const text = lib().identityFileText(nacl.randomBytes(32));
  if (!flags.out) {
    io.stdout.write(text);
    return;
  }
  const out = path.resolve(io.cwd, flags.out);
  try {
    fs.writeFileSync(out, text, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    throw cliErrors.HUSH_ERR_CLI_CREATE_FILE.withCause(err, out, (err as NodeJS.ErrnoException).code ?? String(err));
  }
  const publicLines = text.split('\n').filter((l) => l.startsWith('# recipient:') || l.startsWith('# signer:')).map((l) => l.slice(2));
  io.stdout.write(publicLines.join('\n') + '\n');
  say(io, `wrote the identity to ${out} (keep it secret)`);
};
