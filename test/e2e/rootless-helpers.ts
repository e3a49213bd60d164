// Rootless e2e helpers: a user made with useradd, a copy of the built tree in a 0755 directory
// under /var/tmp (the clone may sit where that user cannot enter), and `hush` run as that user
// through setpriv (test/e2e/rootless.test.ts, rootless-images.test.ts, rootless-cgroup.test.ts). Each test file
// uses a user name of its own, so that files running side by side never share one.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repo } from './helpers';

const haveTools = ['useradd', 'userdel', 'setpriv', 'unshare'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0);
const isRoot = process.geteuid?.() === 0;
const usernsOk = spawnSync('unshare', ['-U', '-r', 'true']).status === 0;
/** Why the rootless tests cannot run here, or undefined. */
export const rootlessMissing = !isRoot ? 'needs root to create the user' : !haveTools ? 'needs useradd, setpriv, unshare' : !usernsOk ? 'needs user namespaces' : undefined;

/** A fresh user (an old one of that name is removed first); `system`: no /etc/subuid range. */
export function createUser(name: string, options: { system?: boolean } = {}): number {
  spawnSync('userdel', [name]);
  useradd(['--no-create-home', ...(options.system ? ['--system'] : []), '--shell', '/bin/sh', name]);
  return Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
}

/**
 * useradd, retried while another test file's useradd or userdel holds the lock on /etc/passwd
 * (test files run side by side).
 */
export function useradd(args: string[]): void {
  for (let attempt = 1; ; attempt++) {
    const result = spawnSync('useradd', args, { encoding: 'utf8' });
    if (result.status === 0) return;
    if (attempt === 20 || !/lock/i.test(result.stderr)) throw new Error(`useradd ${args.join(' ')}: ${result.stderr.trim() || `exit ${result.status}`}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
}

/** The built tree (bin, dist, native, node_modules...) copied to a 0755 directory under /var/tmp. */
export function copyBuiltTree(): string {
  const tree = fs.mkdtempSync('/var/tmp/hush-rootless-');
  fs.chmodSync(tree, 0o755);
  for (const part of ['bin', 'dist', 'native', 'node_modules', 'policies', 'package.json']) {
    if (fs.existsSync(path.join(repo, part))) fs.cpSync(path.join(repo, part), path.join(tree, part), { recursive: true });
  }
  return tree;
}

export interface HushResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `hush ARGS` as uid (its own gid, no supplementary groups) from tree, with HOME=home. */
export function hushAs(uid: number, tree: string, args: string[], home = tree): HushResult {
  const result = spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', 'env', `HOME=${home}`, 'PATH=/usr/bin:/bin',
    path.join(tree, 'bin', 'hush'), ...args], { cwd: tree, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface RootlessUser {
  uid: number;
  /** The copied tree; `${tree}/bin/hush` is the CLI. */
  tree: string;
  /** `setpriv ... env ... hush`, for a command line: the user's identity, no groups, a plain environment. */
  hushAsUser(extraEnv?: string[]): string[];
  remove(): void;
}

/** A user and a tree of its own, removed together. */
export function makeRootlessUser(name: string): RootlessUser {
  const uid = createUser(name);
  const tree = copyBuiltTree();
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
