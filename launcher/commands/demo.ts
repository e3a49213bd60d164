// `hush demo`: the embedded default. Runs the bundled demo app under `hush run` with the
// bundled dev store (policies/demo.hush, passphrase "hush-demo") and policies/demo.yaml.
// `--watch` keeps the app running so that edits of the store show up live.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { main as run } from './run';
import { demoErrors, exitStatus } from '../errors';
import { parseFlags, refuseArguments } from '../flags';
import type { CommandMain } from './types';

const usage = `usage: hush demo [--watch]

Runs a small app under 'hush run' with the bundled store (policies/demo.hush, passphrase
hush-demo) and policy (policies/demo.yaml); the app prints the secrets files it sees.

options:
  --watch   keep the app running and print the files again when they change`;

const demoFlags = { values: {}, booleans: ['watch', 'help'], short: { h: 'help' } } as const;

/** The demo's passphrase: `hush-demo` opens the bundled store (see policies/demo.yaml). */
const demoPassphrase = 'hush-demo';

const repoRoot = [path.resolve(__dirname, '..', '..'), path.resolve(__dirname, '..', '..', '..')].find((dir) =>
  fs.existsSync(path.join(dir, 'policies', 'demo.yaml')),
);

/**
 * The caller's environment with the bundled store's own credentials: a passphrase, identity,
 * signer list or default store exported for the user's own store must not reach the demo's.
 */
function demoEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const own: NodeJS.ProcessEnv = { ...env, HUSH_STORE_PASSPHRASE: demoPassphrase };
  for (const name of ['HUSH_STORE', 'HUSH_STORE_IDENTITY', 'HUSH_STORE_SIGNERS']) delete own[name];
  return own;
}

export const main: CommandMain = async (args, io) => {
  const flags = parseFlags(args, demoFlags);
  if (flags.booleans.has('help')) {
    io.stdout.write(usage + '\n');
    return exitStatus.ok;
  }
  refuseArguments(flags, 'only --watch');
  if (!repoRoot) throw demoErrors.HUSH_ERR_DEMO_MISSING_FILE('policies/demo.yaml');
  const appFile = path.join(repoRoot, 'dist', 'launcher', 'demo', 'app.js');
  // The app's text goes in as an argument: the repository may be under /tmp, which is a fresh
  // tmpfs inside the container.
  let app: string;
  try {
    app = fs.readFileSync(appFile, 'utf8');
  } catch (err) {
    throw demoErrors.HUSH_ERR_DEMO_MISSING_FILE.withCause(err, path.relative(repoRoot, appFile));
  }
  const appArgs = flags.booleans.has('watch') ? ['--watch'] : [];
  return run(['--policy', path.join(repoRoot, 'policies', 'demo.yaml'), '--', process.execPath, '-e', app, '--', ...appArgs], {
    ...io,
    env: demoEnv(io.env),
  });
};
