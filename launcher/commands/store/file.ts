// `hush store init|verify|merge`: the store file as a whole.

import * as path from 'node:path';
import { credentials, lib, needArgs, say, storePath, writeOptions, type Subcommand } from './context';
import { promptNewPassphrase } from './prompt';

export const init: Subcommand = async (flags, io) => {
  const file = storePath(flags, io);
  needArgs(flags, 0, 'no arguments (init [--recipient PK...])');
  const creds = await credentials(flags, io);
  if (flags.recipients.length === 0 && creds.passphrase === undefined) {
    creds.passphrase = await promptNewPassphrase(io, `new passphrase for ${path.basename(file)}`);
  }
  await lib().createStore(file, creds, { ...writeOptions(io), recipients: flags.recipients });
  say(io, `created ${file} (${flags.recipients.length > 0 ? `${flags.recipients.length} recipient(s)` : 'passphrase'})`);
};

export const verify: Subcommand = async (flags, io) => {
  const file = storePath(flags, io);
  needArgs(flags, 0, 'no arguments');
  const opened = await lib().openStore(file, await credentials(flags, io, file));
  const wrap = opened.doc.wrap;
  const mode = wrap.mode === 'scrypt' ? `passphrase (scrypt logN ${wrap.logN})` : `${wrap.recipients.length} recipient(s)`;
  const sig = opened.doc.sig ? `signed by ${lib().encodeKey(lib().signerPrefix, opened.doc.sig.kid)}` : 'unsigned';
  io.stdout.write(`ok: ${file}: generation ${opened.doc.generation}, ${opened.values.size} entries, ${mode}, ${sig}\n`);
};

/** The git merge driver: three-way merge by entry, written into OURS. */
export const merge: Subcommand = async (flags, io) => {
  const [base, ours, theirs] = needArgs(flags, 3, 'BASE OURS THEIRS (git passes %O %A %B)');
  const creds = await credentials(flags, io);
  const r = (p: string) => path.resolve(io.cwd, p);
  const outcome = await lib().mergeStoreFiles(r(base!), r(ours!), r(theirs!), creds);
  say(io, `merged ${outcome.entries} entries`);
};
