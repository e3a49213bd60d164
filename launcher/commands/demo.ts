// `hush demo`: the embedded default. Runs the bundled demo app under `hush run` with the
// bundled dev store (policies/demo.hush, passphrase "hush-demo") and policies/demo.yaml.
// `--watch` keeps the app running so that edits of the store show up live.

import * as path from 'node:path';
import { main as run } from './run';
import type { CommandMain } from './types';

const repoRoot = [path.resolve(__dirname, '..', '..'), path.resolve(__dirname, '..', '..', '..')].find((dir) =>
  require('node:fs').existsSync(path.join(dir, 'policies', 'demo.yaml')),
);

export const main: CommandMain = async (args, io) => {
  const unknown = args.filter((a) => a !== '--watch');
  if (unknown.length > 0 || !repoRoot) {
    io.stderr.write(unknown.length > 0 ? `hush: demo: unknown option ${unknown[0]} (only --watch)\n` : 'hush: demo: cannot find policies/demo.yaml\n');
    return 125;
  }
  // The app's text goes in as an argument: the repository may be under /tmp, which is a fresh
  // tmpfs inside the container.
  const app = require('node:fs').readFileSync(path.join(repoRoot, 'dist', 'launcher', 'demo', 'app.js'), 'utf8') as string;
  const env = { ...io.env, HUSH_STORE_PASSPHRASE: io.env.HUSH_STORE_PASSPHRASE ?? 'hush-demo' };
  return run(['--policy', path.join(repoRoot, 'policies', 'demo.yaml'), '--', process.execPath, '-e', app, '--', ...args], { ...io, env });
};
