// `hush store set|get|ls|rm`: one entry at a time. Values come from stdin or a prompt and go
// to stdout only; ls shows names, sizes and update times, never values.

import { UsageError } from '../../errors';
import { credentials, lib, needArgs, storePath, writeOptions, type Subcommand } from './context';
import { promptHidden, readAll } from './prompt';

export const set: Subcommand = async (flags, io) => {
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
};

export const get: Subcommand = async (flags, io) => {
  const file = storePath(flags, io);
  const [name] = needArgs(flags, 1, 'NAME');
  const opened = await lib().openStore(file, await credentials(flags, io, file));
  const item = opened.values.get(name!);
  if (!item) throw lib().storeErrors.HUSH_ERR_STORE_NO_ENTRY(file, name!);
  io.stdout.write(Buffer.from(item.value));
};

export const ls: Subcommand = async (flags, io) => {
  const file = storePath(flags, io);
  needArgs(flags, 0, 'no arguments');
  const opened = await lib().openStore(file, await credentials(flags, io, file));
  const rows = [...opened.values].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, item]) => [name, String(item.value.length), item.updatedAt]);
  const width = Math.max(4, ...rows.map((r) => r[0]!.length));
  const sizeWidth = Math.max(4, ...rows.map((r) => r[1]!.length));
  io.stdout.write(`${'NAME'.padEnd(width)}  ${'SIZE'.padStart(sizeWidth)}  UPDATED\n`);
  for (const [name, size, at] of rows) io.stdout.write(`${name!.padEnd(width)}  ${size!.padStart(sizeWidth)}  ${at}\n`);
};

export const rm: Subcommand = async (flags, io) => {
  const file = storePath(flags, io);
  const [name] = needArgs(flags, 1, 'NAME');
  await lib().removeEntry(file, await credentials(flags, io, file), name!, writeOptions(io));
};
