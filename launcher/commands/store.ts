// `hush store ...`: manage an encrypted file store. Flags are parsed here; the work is done by
// agent/sources/file-store. Values never come from argv (argv shows in `ps`) and never reach
// stderr. Exit 0 on success, 1 on any user error with one line `hush: store: ...`.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ReadStream } from 'node:tty';
import { HushError } from '../../agent/errors';
import type { CommandIO, CommandMain } from './types';
import { exitStatus } from './types';

type Store = typeof import('../../agent/sources/file-store/index');
const lib = (): Store => require('../../agent/sources/file-store/index');

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

interface Flags {
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
  help: boolean;
}

class UsageError extends Error {}

const valueFlags: Record<string, keyof Flags> = {
  '--store': 'store',
  '--passphrase-file': 'passphraseFile',
  '--new-passphrase-file': 'newPassphraseFile',
  '--identity': 'identity',
  '--signers': 'signers',
  '--format': 'format',
  '--out': 'out',
};

function parseFlags(args: string[]): Flags {
  const flags: Flags = { positional: [], recipients: [], allowDiskTemp: false, help: false };
  for (let i = 0; i < args.length; i++) {
    let arg = args[i]!;
    if (arg === '--') {
      flags.positional.push(...args.slice(i + 1));
      break;
    }
    let inline: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const takeValue = () => {
      if (inline !== undefined) return inline;
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--help' || arg === '-h') flags.help = true;
    else if (arg === '--allow-disk-temp') flags.allowDiskTemp = true;
    else if (arg === '--recipient') flags.recipients.push(takeValue());
    else if (arg in valueFlags) (flags as unknown as Record<string, string>)[valueFlags[arg]!] = takeValue();
    else if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option '${arg}'`);
    else flags.positional.push(arg);
  }
  return flags;
}

function storePath(flags: Flags, io: CommandIO): string {
  const p = flags.store ?? io.env.HUSH_STORE;
  if (!p) throw new UsageError('no store given: pass --store FILE or set HUSH_STORE');
  return path.resolve(io.cwd, p);
}

function needArgs(flags: Flags, count: number, what: string): string[] {
  const args = flags.positional.slice(1);
  if (args.length !== count) throw new UsageError(`expected ${what}`);
  return args;
}

function writeOptions(io: CommandIO) {
  return { logN: lib().logNFromEnv(io.env) };
}

// ---- terminal input ----------------------------------------------------------------------

async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return new Uint8Array(Buffer.concat(chunks));
}

/** Reads a line from the terminal without echo. */
function promptHidden(io: CommandIO, question: string): Promise<string> {
  const stdin = io.stdin as ReadStream;
  if (!stdin.isTTY || typeof stdin.setRawMode !== 'function') {
    return Promise.reject(new UsageError('no terminal to prompt on: set HUSH_STORE_PASSPHRASE or pass --passphrase-file'));
  }
  io.stderr.write(question);
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      io.stderr.write('\n');
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003' || ch === '\u0004') return done(new UsageError('cancelled'));
        if (ch === '\u007f' || ch === '\b') text = [...text].slice(0, -1).join('');
        else text += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

async function promptNewPassphrase(io: CommandIO, what: string): Promise<string> {
  const first = await promptHidden(io, `${what}: `);
  const second = await promptHidden(io, `${what} (again): `);
  if (first !== second) throw new UsageError('the two passphrases differ');
  return first;
}

async function storeMode(file: string): Promise<'scrypt' | 'x25519' | undefined> {
  try {
    const bytes = fs.readFileSync(file);
    const doc = lib().parseStore(new Uint8Array(bytes), file);
    return doc.wrap.mode;
  } catch {
    return undefined; // the real open reports the problem
  }
}

async function credentials(flags: Flags, io: CommandIO, file?: string) {
  const opts: { passphraseFile?: string; identityFile?: string; signersFile?: string } = {};
  if (flags.passphraseFile) opts.passphraseFile = path.resolve(io.cwd, flags.passphraseFile);
  if (flags.identity) opts.identityFile = path.resolve(io.cwd, flags.identity);
  if (flags.signers) opts.signersFile = path.resolve(io.cwd, flags.signers);
  const creds = await lib().credentialsFromEnv(io.env, opts);
  if (file && creds.passphrase === undefined && (await storeMode(file)) === 'scrypt' && io.stdin.isTTY) {
    creds.passphrase = await promptHidden(io, `passphrase for ${path.basename(file)}: `);
  }
  return creds;
}

// ---- subcommands -------------------------------------------------------------------------

type Sub = (flags: Flags, io: CommandIO) => Promise<number>;

const say = (io: CommandIO, line: string) => io.stderr.write(`hush: store: ${line}\n`);

const init: Sub = async (flags, io) => {
  const file = storePath(flags, io);
  needArgs(flags, 0, 'no arguments (init [--recipient PK...])');
  const creds = await credentials(flags, io);
  if (flags.recipients.length === 0 && creds.passphrase === undefined) {
    creds.passphrase = await promptNewPassphrase(io, `new passphrase for ${path.basename(file)}`);
  }
  await lib().createStore(file, creds, { ...writeOptions(io), recipients: flags.recipients });
  say(io, `created ${file} (${flags.recipients.length > 0 ? `${flags.recipients.length} recipient(s)` : 'passphrase'})`);
  return exitStatus.ok;
};

const set: Sub = async (flags, io) => {
  const file = storePath(flags, io);
  const args = flags.positional.slice(1);
  if (args.length < 1 || args.length > 2 || (args.length === 2 && args[1] !== '-')) {
    throw new UsageError("expected NAME, then optionally '-' (the value is read from stdin or a prompt, never from arguments)");
  }
  const name = lib().checkName(args[0]!);
  const creds = await credentials(flags, io, file);
  let value: Uint8Array;
  if (args[1] === '-' || !io.stdin.isTTY) value = await readAll(io.stdin);
  else value = new Uint8Array(Buffer.from(await promptHidden(io, `value for ${name}: `), 'utf8'));
  await lib().setEntry(file, creds, name, value, writeOptions(io));
  return exitStatus.ok;
};

const get: Sub = async (flags, io) => {
  const file = storePath(flags, io);
  const [name] = needArgs(flags, 1, 'NAME');
  const opened = await lib().openStore(file, await credentials(flags, io, file));
  const item = opened.values.get(name!);
  if (!item) throw lib().storeErrors.HUSH_ERR_STORE_NO_ENTRY(file, name!);
  io.stdout.write(Buffer.from(item.value));
  return exitStatus.ok;
};

const ls: Sub = async (flags, io) => {
  const file = storePath(flags, io);
  needArgs(flags, 0, 'no arguments');
  const opened = await lib().openStore(file, await credentials(flags, io, file));
  const rows = [...opened.values].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, item]) => [name, String(item.value.length), item.updatedAt]);
  const width = Math.max(4, ...rows.map((r) => r[0]!.length));
  const sizeWidth = Math.max(4, ...rows.map((r) => r[1]!.length));
  io.stdout.write(`${'NAME'.padEnd(width)}  ${'SIZE'.padStart(sizeWidth)}  UPDATED\n`);
  for (const [name, size, at] of rows) io.stdout.write(`${name!.padEnd(width)}  ${size!.padStart(sizeWidth)}  ${at}\n`);
  return exitStatus.ok;
};

const rm: Sub = async (flags, io) => {
  const file = storePath(flags, io);
  const [name] = needArgs(flags, 1, 'NAME');
  await lib().removeEntry(file, await credentials(flags, io, file), name!, writeOptions(io));
  return exitStatus.ok;
};

const importCmd: Sub = async (flags, io) => {
  const file = storePath(flags, io);
  const [input] = needArgs(flags, 1, 'FILE to import');
  const { formatFromFileName, parseInterchange } = require('../../agent/sources/file-store/interchange') as typeof import('../../agent/sources/file-store/interchange');
  const format = (flags.format ?? formatFromFileName(input!)) as 'env' | 'json' | 'yaml' | undefined;
  if (!format || !['env', 'json', 'yaml'].includes(format)) throw new UsageError(`cannot tell the format of ${input}; pass --format env|json|yaml`);
  const inputPath = path.resolve(io.cwd, input!);
  let text: string;
  try {
    text = fs.readFileSync(inputPath, 'utf8');
  } catch (err) {
    throw new UsageError(`${input}: cannot read (${(err as NodeJS.ErrnoException).code})`);
  }
  const values = parseInterchange(text, format, input!);
  await lib().updateEntries(file, await credentials(flags, io, file), () => new Map(values), writeOptions(io));
  say(io, `imported ${values.size} entr${values.size === 1 ? 'y' : 'ies'} into ${file}`);
  return exitStatus.ok;
};

const exportCmd: Sub = async (flags, io) => {
  const file = storePath(flags, io);
  needArgs(flags, 0, 'no arguments (export --format env|json|yaml)');
  const format = flags.format ?? 'env';
  if (!['env', 'json', 'yaml'].includes(format)) throw new UsageError(`unknown format '${format}' (env, json or yaml)`);
  const { formatInterchange } = require('../../agent/sources/file-store/interchange') as typeof import('../../agent/sources/file-store/interchange');
  const opened = await lib().openStore(file, await credentials(flags, io, file));
  const values = new Map([...opened.values].map(([k, v]) => [k, v.value]));
  io.stdout.write(formatInterchange(values, format as 'env' | 'json' | 'yaml'));
  return exitStatus.ok;
};

const passwd: Sub = async (flags, io) => {
  const file = storePath(flags, io);
  needArgs(flags, 0, 'no arguments');
  const creds = await credentials(flags, io, file);
  let next: string;
  if (flags.newPassphraseFile) {
    next = lib().stripOneNewline(fs.readFileSync(path.resolve(io.cwd, flags.newPassphraseFile), 'utf8'));
  } else if (io.env.HUSH_STORE_NEW_PASSPHRASE) {
    next = io.env.HUSH_STORE_NEW_PASSPHRASE;
  } else {
    next = await promptNewPassphrase(io, 'new passphrase');
  }
  await lib().changePassphrase(file, creds, next, writeOptions(io));
  say(io, `passphrase changed for ${file}`);
  say(io, 'old git revisions of this file still open with the old passphrase; run rotate as well if it leaked');
  return exitStatus.ok;
};

const rotate: Sub = async (flags, io) => {
  const file = storePath(flags, io);
  needArgs(flags, 0, 'no arguments');
  await lib().rotateKey(file, await credentials(flags, io, file), writeOptions(io));
  say(io, `rotated ${file}: new file key, every entry re-encrypted`);
  say(io, 'old git revisions of this file stay readable with the old key; rotate the secrets themselves if that key leaked');
  return exitStatus.ok;
};

const recipients: Sub = async (flags, io) => {
  const file = storePath(flags, io);
  const action = flags.positional[1];
  const L = lib();
  if (action === 'ls' || action === undefined) {
    const opened = await L.openStore(file, await credentials(flags, io, file));
    const wrap = opened.doc.wrap;
    if (wrap.mode !== 'x25519') throw new UsageError(`${file} is locked with a passphrase; it has no recipients`);
    for (const s of wrap.recipients) io.stdout.write(L.encodeKey(L.recipientPrefix, s.pk) + '\n');
    return exitStatus.ok;
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
  return exitStatus.ok;
};

const verify: Sub = async (flags, io) => {
  const file = storePath(flags, io);
  needArgs(flags, 0, 'no arguments');
  const opened = await lib().openStore(file, await credentials(flags, io, file));
  const wrap = opened.doc.wrap;
  const mode = wrap.mode === 'scrypt' ? `passphrase (scrypt logN ${wrap.logN})` : `${wrap.recipients.length} recipient(s)`;
  const sig = opened.doc.sig ? `signed by ${lib().encodeKey(lib().signerPrefix, opened.doc.sig.kid)}` : 'unsigned';
  io.stdout.write(`ok: ${file}: generation ${opened.doc.generation}, ${opened.values.size} entries, ${mode}, ${sig}\n`);
  return exitStatus.ok;
};

const merge: Sub = async (flags, io) => {
  const [base, ours, theirs] = needArgs(flags, 3, 'BASE OURS THEIRS (git passes %O %A %B)');
  const creds = await credentials(flags, io);
  const r = (p: string) => path.resolve(io.cwd, p);
  const outcome = await lib().mergeStoreFiles(r(base!), r(ours!), r(theirs!), creds);
  say(io, `merged ${outcome.entries} entries`);
  return exitStatus.ok;
};

const keygen: Sub = async (flags, io) => {
  needArgs(flags, 0, 'no arguments (keygen [--out FILE])');
  const L = lib();
  const nacl = require('tweetnacl') as typeof import('tweetnacl');
  const text = L.identityFileText(nacl.randomBytes(32));
  const publicLines = text.split('\n').filter((l) => l.startsWith('# recipient:') || l.startsWith('# signer:')).map((l) => l.slice(2));
  if (flags.out) {
    const out = path.resolve(io.cwd, flags.out);
    try {
      fs.writeFileSync(out, text, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      throw new UsageError(`${out}: cannot create (${(err as NodeJS.ErrnoException).code}); it must not exist yet`);
    }
    io.stdout.write(publicLines.join('\n') + '\n');
    say(io, `wrote the identity to ${out} (keep it secret)`);
  } else {
    io.stdout.write(text);
  }
  return exitStatus.ok;
};

const edit: Sub = async (flags, io) => {
  const file = storePath(flags, io);
  needArgs(flags, 0, 'no arguments');
  const creds = await credentials(flags, io, file);
  const editor = io.env.HUSH_EDITOR || io.env.VISUAL || io.env.EDITOR || 'vi';
  if (/(^|\/)(code|subl|atom|gedit|mate)(\s|$)/.test(editor) && !/--wait|-w\b/.test(editor)) {
    say(io, `warning: '${editor}' may return before you close the file; add --wait`);
  }
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  const { editStore } = require('../../agent/sources/file-store/edit-session') as typeof import('../../agent/sources/file-store/edit-session');
  const result = await editStore(file, creds, {
    ...writeOptions(io),
    env: io.env,
    allowDiskTemp: flags.allowDiskTemp,
    log: (line) => say(io, line),
    runEditor: (target) =>
      new Promise((resolve, reject) => {
        const child = spawn('/bin/sh', ['-c', `${editor} "$1"`, 'editor', target], { stdio: 'inherit', env: io.env });
        child.on('error', reject);
        child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
      }),
    onCleanup: (fn) => {
      const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
      const handler = (sig: NodeJS.Signals) => {
        fn();
        for (const s of signals) process.removeListener(s, handler);
        process.kill(process.pid, sig);
      };
      for (const s of signals) process.on(s, handler);
      return () => {
        for (const s of signals) process.removeListener(s, handler);
      };
    },
  });
  if (result.status === 'saved') say(io, `saved ${result.changed} change(s) to ${file}${result.merged ? ' (merged with changes made meanwhile)' : ''}`);
  return exitStatus.ok;
};

const subcommands: Record<string, Sub> = {
  init, set, get, ls, rm, edit, import: importCmd, export: exportCmd, passwd, rotate, recipients, verify, merge, keygen,
};

export const main: CommandMain = async (args, io) => {
  try {
    const flags = parseFlags(args);
    const name = flags.positional[0];
    if (flags.help || name === undefined || name === 'help') {
      io.stdout.write(usage + '\n');
      return name === undefined && !flags.help ? exitStatus.userError : exitStatus.ok;
    }
    const sub = subcommands[name];
    if (!sub) throw new UsageError(`unknown subcommand '${name}' (try 'hush store --help')`);
    return await sub(flags, io);
  } catch (err) {
    if (err instanceof HushError || err instanceof UsageError) {
      io.stderr.write(`hush: store: ${err.message.split('\n')[0]}\n`);
      return exitStatus.userError;
    }
    throw err;
  }
};
