// An image ready to run: the stored layers as one overlay root (a detached mount, see
// native/src/overlay-fs.c) with hush's mount points and its /etc/hosts, /etc/hostname and
// /etc/resolv.conf put in through SafeDir (an image's symlinks are never followed from the
// host), sealed read-only with --read-only; and the image's config for the command.

import * as fs from 'node:fs';
import { native, type UsernsRoot } from '../../native';
import { imageErrors } from './errors';
import { resolveUser } from './image-user';
import { parseConfig, type ImageConfig } from './manifest';
import { readFromLayers } from './layer-files';
import { storedImage, type PullPolicy } from './stored-image';
import { parseImageRef } from './reference';
import { pathComponents, SafeDir } from './safe-dir';
import { openDefaultStore } from './store';
import type { Progress } from './progress';
import type { Idmap } from '../rootless/userns-auto';

export interface ImageRootOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  pull: PullPolicy;
  insecureHosts: readonly string[];
  readOnly: boolean;
  hostname: string;
  hostNetwork: boolean;
  /** Directories hush mounts over inside the root (the secrets dir, --tmpfs targets). */
  mountPoints: readonly string[];
  /** Files hush binds over (file volumes): made empty when missing. */
  fileMountPoints?: readonly string[];
  /** --user as given, resolved in the image instead of the image's User. */
  user?: string;
  progress?: Progress;
  /** --userns auto: the layers are idmapped, and what hush makes in the root is the container root's. */
  idmap?: Idmap;
}

export interface ImageRunConfig {
  entrypoint: string[];
  cmd: string[];
  env: string[];
  workingDir: string | undefined;
  uid: number;
  gid: number;
  /** The user's home from the image's /etc/passwd, for HOME when Env has none. */
  home: string | undefined;
}

export interface ImageRoot {
  /** The overlay mount's descriptor: SpawnSpec.rootfsFd; -1 rootless, where the child mounts it. */
  fd: number;
  lowerDirs: string[];
  config: ImageRunConfig;
  /** Rootless: the root for the child to build in its user namespace (native/src/userns-root.c). */
  userns?: Omit<UsernsRoot, 'volumes' | 'appUid' | 'appGid'>;
  close(): void;
}

const standardMountPoints = ['/proc', '/sys', '/dev', '/tmp', '/run', '/etc'];

function hostFile(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

/** mkdir -p inside the root; a symlink or file in the way is replaced by a directory. */
function ensureDir(root: SafeDir, target: string): void {
  const parts = pathComponents(target);
  for (let i = 1; i <= parts.length; i++) {
    const parent = root.dir(parts.slice(0, i - 1), false);
    const st = SafeDir.lstat(parent, parts[i - 1]);
    if (st && !st.isDirectory()) root.remove(parts.slice(0, i));
    root.dir(parts.slice(0, i), true);
  }
}

/** An empty file at target unless one is there; a symlink in the way is replaced. */
function ensureFile(root: SafeDir, target: string): void {
  const parts = pathComponents(target);
  ensureDir(root, `/${parts.slice(0, -1).join('/')}`);
  const parent = root.dir(parts.slice(0, -1), false);
  const st = SafeDir.lstat(parent, parts[parts.length - 1]);
  if (st && !st.isSymbolicLink()) return;
  writeFile(root, target, '');
}

function writeFile(root: SafeDir, target: string, text: string): void {
  const parts = pathComponents(target);
  const parent = root.dir(parts.slice(0, -1), false);
  if (SafeDir.lstat(parent, parts[parts.length - 1])) root.remove(parts);
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
  const fd = fs.openSync(SafeDir.at(parent, parts[parts.length - 1]), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644);
  try {
    fs.writeSync(fd, text);
  } finally {
    fs.closeSync(fd);
  }
}

function readFile(root: SafeDir, target: string): string | undefined {
  try {
    const parts = pathComponents(target);
    return SafeDir.readText(root.dir(parts.slice(0, -1), false), parts[parts.length - 1]!);
  } catch {
    return undefined;
  }
}

/** /etc/hosts, /etc/hostname and /etc/resolv.conf as hush puts them into the root. */
function hushFiles(options: ImageRootOptions): [string, string][] {
  const hosts = options.hostNetwork ? hostFile('/etc/hosts', '') : '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n';
  return [
    ['/etc/hosts', `${hosts}${hosts.endsWith('\n') || hosts === '' ? '' : '\n'}127.0.1.1\t${options.hostname}\n`],
    ['/etc/hostname', `${options.hostname}\n`],
    ['/etc/resolv.conf', options.hostNetwork ? hostFile('/etc/resolv.conf', '') : ''],
  ];
}

function runConfig(image: ImageConfig, options: ImageRootOptions, read: (file: string) => string | undefined): ImageRunConfig {
  const c = image.config ?? {};
  const user = resolveUser(options.user ?? (c.User || '0'), read('/etc/passwd'), read('/etc/group'));
  return { entrypoint: c.Entrypoint ?? [], cmd: c.Cmd ?? [], env: c.Env ?? [], workingDir: c.WorkingDir || undefined, uid: user.uid, gid: user.gid, home: user.home };
}

/** The overlay over idmapped clones of the layers: their files show the ids on disk inside. */
function idmappedOverlay(lowerDirs: readonly string[], idmap: Idmap): number {
  const addon = native();
  const layers: number[] = [];
  try {
    for (const dir of lowerDirs) {
      layers.push(addon.openVolume(dir, true));
      addon.idmapMount(layers[layers.length - 1], idmap.usernsFd, dir);
    }
    // The overlay holds its own references to the layers once made.
    return addon.createOverlayFs(layers.map((layer) => `/proc/self/fd/${layer}`), 0);
  } catch (err) {
    const failed = err as { syscall?: string; code?: string; path?: string };
    if (failed.syscall === 'idmap') {
      throw imageErrors.HUSH_ERR_IMAGE_STORE(failed.path ?? '', `the layer cannot be idmapped for --userns auto (${failed.code}); use --userns host`);
    }
    throw err;
  } finally {
    for (const layer of layers) addon.closeFd(layer);
  }
}

/**
 * What hush made in the root (the overlay's root directory, missing mount points, /etc files)
 * belongs to host root, which the container's namespace does not map: give it to the
 * container's root. What comes from the layers shows their ids and is left alone.
 */
function giveToContainerRoot(root: SafeDir, paths: readonly string[], idmap: Idmap): void {
  fs.chownSync(SafeDir.at(root.rootFd, '.'), idmap.root.uid, idmap.root.gid);
  for (const target of paths) {
    const parts = pathComponents(target);
    for (let i = 1; i <= parts.length; i++) {
      const parent = root.dir(parts.slice(0, i - 1), false);
      const st = SafeDir.lstat(parent, parts[i - 1]);
      if (!st) break;
      if (st.uid === 0) fs.lchownSync(SafeDir.at(parent, parts[i - 1]), idmap.root.uid, idmap.root.gid);
      if (!st.isDirectory()) break;
    }
  }
}

export async function prepareImageRoot(refText: string, options: ImageRootOptions): Promise<ImageRoot> {
  const store = openDefaultStore(options.env);
  const ref = parseImageRef(refText, options.cwd);
  // The pull code (and node:crypto, node:stream) loads only when there is something to fetch.
  const record = storedImage(store, ref, options.pull) ?? (await (require('./pull') as typeof import('./pull')).pullImage(store, ref, options));
  const image = parseConfig(store.readStoredBlob(record.config, `${record.name}: config`), `${record.name}: config`);
  const lowerDirs = record.layers.map((layer) => store.layerDir(layer.diffId)).reverse();
  if (store.owners.kind !== 'host') {
    // Rootless: the child mounts the overlay in its user namespace and puts these in.
    const config = runConfig(image, options, (file) => readFromLayers(lowerDirs, file));
    const dirs = [...standardMountPoints, ...options.mountPoints];
    const userns = { lowerDirs, readOnly: options.readOnly, dirs, files: [...(options.fileMountPoints ?? [])], writes: hushFiles(options).flat() };
    return { fd: -1, lowerDirs, config, userns, close: () => undefined };
  }
  const addon = native();
  const fd = options.idmap ? idmappedOverlay(lowerDirs, options.idmap) : addon.createOverlayFs(lowerDirs, 0);
  try {
    const root = SafeDir.open(`/proc/self/fd/${fd}/.`);
    let config: ImageRunConfig;
    try {
      for (const point of [...standardMountPoints, ...options.mountPoints]) ensureDir(root, point);
      for (const point of options.fileMountPoints ?? []) ensureFile(root, point);
      for (const [file, text] of hushFiles(options)) writeFile(root, file, text);
      config = runConfig(image, options, (file) => readFile(root, file));
      if (options.idmap) giveToContainerRoot(root, [...standardMountPoints, ...options.mountPoints, ...(options.fileMountPoints ?? []), ...hushFiles(options).map(([file]) => file)], options.idmap);
    } finally {
      root.close();
    }
    if (options.readOnly) addon.setMountReadOnly(fd);
    let open = true;
    const close = () => {
      if (open) addon.closeFd(fd);
      open = false;
    };
    return { fd, lowerDirs, config, close };
  } catch (err) {
    addon.closeFd(fd);
    if ((err as { code?: string }).code?.startsWith('HUSH_ERR_')) throw err;
    throw imageErrors.HUSH_ERR_IMAGE_STORE(store.root, `preparing the root of ${record.name}: ${(err as Error).message}`);
  }
}
