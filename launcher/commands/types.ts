// Every command is a module under launcher/commands/ exporting `main(args, io)`. Commands
// return their exit status (from `exitStatus` in launcher/errors.ts) or throw; only
// launcher/cli.ts calls process.exit.

import type { Readable, Writable } from 'node:stream';

export interface CommandIO {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export type CommandMain = (args: string[], io: CommandIO) => Promise<number>;
