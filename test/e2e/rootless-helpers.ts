// Rootless e2e helpers: a user made with useradd, a copy of the built tree in a 0755 directory
// under /var/tmp (the clone may sit where that user cannot enter), and `hush` run as that user
// through setpriv (test/e2e/rootless.test.ts, rootless-images.test.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repo } from './helpers';

const haveTools = ['useradd', 'userdel', 'setpriv'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0);
const isRoot = process.geteuid?.() === 0;
const usernsOk = spawnSync('unshare', ['-U', '-r', 'true']).status === 0;
/** Why the rootless tests cannot run here, or undefined. */
export const rootlessMissing = !isRoot ? 'needs root to create the user' : !haveTools ? 'needs useradd, setpriv' : !usernsOk ? 'needs user namespaces' : undefined;

/** A fresh user (an old one of that name is removed first); `system`: no /etc/subuid range. */
export function createUser(name: string, options: { system?: boolean } = {}): number {
  spawnSync('userdel', [name]);
  execFileSync('useradd', ['--no-create-home', ...(options.system ? ['--system'] : []), '--shell', '/bin/sh', name]);
  return Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
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
