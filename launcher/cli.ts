// The `hush` entry point: picks the command and loads only its module, so that
// `hush run -- /bin/true` never loads the store, the Vault client or the HTTP server.
// This is the only place that calls process.exit, and the one that turns a thrown error into
// `hush: COMMAND: ...` lines and an exit status, through launcher/errors.ts's table.

import { HushError } from '../agent/errors';
import { errorStatus, exitStatus, UsageError } from './errors';
import type { CommandIO, CommandMain } from './commands/types';

const commands: Record<string, () => CommandMain> = {
  run: () => require('./commands/run').main,
  agent: () => require('./commands/agent').main,
  store: () => require('./commands/store/index').main,
  policy: () => require('./commands/policy').main,
  status: () => require('./commands/status').main,
  demo: () => require('./commands/demo').main,
  injector: () => require('./commands/injector').main,
  pull: () => require('./commands/pull').main,
  images: () => require('./commands/images').main,
  rmi: () => require('./commands/rmi').main,
  image: () => require('./commands/image').main,
};

const usage = `usage: hush <command> [options]

commands:
  run [options] -- CMD [ARG...]     run CMD in a container with secrets mounted
  agent --policy FILE... --out DIR  render and rotate secrets into DIR until stopped
  store <subcommand> --store FILE   manage an encrypted file store
  policy check FILE...              validate policies
  status [--socket PATH]            ask a running agent what it holds
  demo                              run the bundled demo
  pull REF | images | rmi REF | image prune   manage the local image store

'hush <command> --help' shows a command's options.`;

let stdoutUsed = false;

/** `name` is what follows `hush`; `command` is that name when it is a command. */
async function cli(name: string | undefined, command: string | undefined, args: string[]): Promise<number> {
  if (name === undefined) {
    process.stderr.write(usage + '\n');
    return exitStatus.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    stdoutUsed = true;
    process.stdout.write(usage + '\n');
    return exitStatus.ok;
  }
  if (name === '--version') {
    stdoutUsed = true;
    process.stdout.write(require('./version').hushVersion() + '\n');
    return exitStatus.ok;
  }
  if (command === undefined) throw new UsageError(`unknown command '${name}' (try 'hush --help')`);
  // Getters: creating process.stdin makes a piped stdin non-blocking (which the app would
  // inherit) and each stream costs start-up time; only commands that use one create it.
  const io: CommandIO = {
    get stdin() {
      return process.stdin;
    },
    get stdout() {
      stdoutUsed = true;
      return process.stdout;
    },
    get stderr() {
      return process.stderr;
    },
    env: process.env,
    cwd: process.cwd(),
  };
  return commands[command]!()(args, io);
}

function exit(status: number): void {
  // Let stdout drain when it is a pipe before exiting (without creating it when unused).
  if (!stdoutUsed || process.stdout.writableLength === 0) process.exit(status);
  else process.stdout.once('drain', () => process.exit(status));
}

/** One `hush: COMMAND: ...` line per line of the message; anything but a HushError is a bug. */
function report(command: string | undefined, err: unknown): number {
  if (err instanceof HushError) {
    const prefix = command === undefined ? 'hush: ' : `hush: ${command}: `;
    for (const line of err.message.split('\n')) process.stderr.write(prefix + line + '\n');
  } else {
    process.stderr.write(`hush: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
  }
  return errorStatus(command, err);
}

const [name, ...args] = process.argv.slice(2);
const command = name !== undefined && Object.hasOwn(commands, name) ? name : undefined;
cli(name, command, args).then(exit, (err: unknown) => exit(report(command, err)));
