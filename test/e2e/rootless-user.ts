// An ordinary user for rootless e2e tests, made here, and a copy of the built tree it can run
// from: a 0755 directory under /var/tmp (the clone may sit where that user cannot enter). Each
// test file uses a user name of its own, so that files never share one.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repo } from './helpers';

const haveTools = ['useradd', 'userdel', 'setpriv', 'unshare'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0);
const isRoot = process.geteuid?.() === 0;
const usernsOk = spawnSync('unshare', ['-U', '-r', 'true']).status === 0;

/** Why rootless runs cannot be tested here, or undefined. */
export const rootlessMissing = !isRoot ? 'needs root to create the user' : !haveTools ? 'needs useradd, setpriv, unshare' : !usernsOk ? 'needs user namespaces' : undefined;

export interface RootlessUser {
  uid: number;
  /** The copied tree; `${tree}/bin/hush` is the CLI. */
  tree: string;
  /** `setpriv ... env ... hush`, for a shell command line: the user's identity, no groups, a plain environment. */
  hushAsUser(extraEnv?: string[]): string[];
  remove(): void;
}

export function makeRootlessUser(name: string): RootlessUser {
  spawnSync('userdel', [name]);
  execFileSync('useradd', ['--no-create-home', '--shell', '/bin/sh', name]);
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const tree = fs.mkdtempSync('/var/tmp/hush-rootless-');
  fs.chmodSync(tree, 0o755);
  for (const part of ['bin', 'dist', 'native', 'node_modules', 'policies', 'package.json']) {
    if (fs.existsSync(path.join(repo, part))) fs.cpSync(path.join(repo, part), path.join(tree, part), { recursive: true });
  }
  return {
    uid,
    tree,
    hushAsUser: (extraEnv = []) => [
      'setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', 'env', `HOME=${tree}`, 'PATH=/usr/bin:/bin', ...extraEnv, path.join(tree, 'bin', 'hush'),
    ],
    remove() {
      spawnSync('userdel', [name]);
      fs.rmSync(tree, { recursive: true, force: true });
    },
  };
}
