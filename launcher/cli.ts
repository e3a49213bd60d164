// The `hush` entry point: picks the command and loads only its module, so that
// `hush run -- /bin/true` never loads the store, the Vault client or the HTTP server.
// This is the only place that calls process.exit.

import type { CommandIO, CommandMain } from './commands/types';

const commands: Record<string, () => CommandMain> = {
  run: () => require('./commands/run').main,
  agent: () => require('./commands/agent').main,
  store: () => require('./commands/store').main,
  policy: () => require('./commands/policy').main,
  status: () => require('./commands/status').main,
  demo: () => require('./commands/demo').main,
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

async function cli(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    stdoutUsed = true;
    process.stdout.write(usage + '\n');
    return name === undefined ? 125 : 0;
  }
  if (name === '--version') {
    stdoutUsed = true;
    process.stdout.write(require('./version').hushVersion() + '\n');
    return 0;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`hush: unknown command '${name}' (try 'hush --help')\n`);
    return 125;
  }
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
  return load()(args, io);
}

function exit(status: number): void {
  // Let stdout drain when it is a pipe before exiting (without creating it when unused).
  if (!stdoutUsed || process.stdout.writableLength === 0) process.exit(status);
  else process.stdout.once('drain', () => process.exit(status));
}

cli(process.argv.slice(2)).then(exit, (err: unknown) => {
  process.stderr.write(`hush: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
  exit(125);
});
