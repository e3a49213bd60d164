// Pure: the text of `--image REF` / `hush pull REF` → what to read. Archive paths are made
// absolute against the caller's cwd, so the same image has one name in the store.

import * as path from 'node:path';
import { imageErrors } from './errors';

export type ImageRef =
  | { kind: 'docker-archive'; path: string; pick?: string }
  | { kind: 'oci-archive'; path: string; tag?: string }
  | { kind: 'oci-layout'; dir: string; tag?: string }
  | { kind: 'aci'; path: string }
  | RegistryRef;

export interface RegistryRef {
  kind: 'registry';
  /** Host as written (with :PORT), 'docker.io' by default. */
  host: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const dockerHub = 'docker.io';
const digestPattern = /^sha256:[a-f0-9]{64}$/;
const tagPattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const componentPattern = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const hostPattern = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]{1,5})?$/;

export function parseImageRef(text: string, cwd: string): ImageRef {
  const bad = (why: string) => imageErrors.HUSH_ERR_IMAGE_BAD_REF(text, why);
  if (text === '' || text.includes('\0')) throw bad('empty, or contains NUL');
  const prefixed = /^(docker-archive|oci-archive|oci|docker):(.*)$/.exec(text);
  if (prefixed) {
    const [, transport, rest] = prefixed;
    if (transport === 'docker') {
      if (!rest.startsWith('//')) throw bad("write docker://NAME or NAME");
      return parseRegistryRef(rest.slice(2), bad);
    }
    const colon = rest.indexOf(':');
    const file = colon === -1 ? rest : rest.slice(0, colon);
    const suffix = colon === -1 ? undefined : rest.slice(colon + 1);
    if (file === '') throw bad(`${transport}: needs a path`);
    const abs = path.resolve(cwd, file);
    if (transport === 'docker-archive') {
      if (suffix !== undefined && (suffix === '' || !suffix.includes(':'))) throw bad('pick an image in the archive with PATH:NAME:TAG');
      return suffix === undefined ? { kind: 'docker-archive', path: abs } : { kind: 'docker-archive', path: abs, pick: suffix };
    }
    if (suffix !== undefined && suffix === '') throw bad('empty tag');
    if (transport === 'oci-archive') return suffix === undefined ? { kind: 'oci-archive', path: abs } : { kind: 'oci-archive', path: abs, tag: suffix };
    return suffix === undefined ? { kind: 'oci-layout', dir: abs } : { kind: 'oci-layout', dir: abs, tag: suffix };
  }
  if (/\.tar$/i.test(text)) return { kind: 'docker-archive', path: path.resolve(cwd, text) };
  if (/\.aci$/i.test(text)) return { kind: 'aci', path: path.resolve(cwd, text) };
  if (text.startsWith('/') || text.startsWith('./') || text.startsWith('../')) {
    throw bad('a path needs docker-archive:, oci-archive: or oci: in front (or a .tar or .aci name)');
  }
  return parseRegistryRef(text, bad);
}

function parseRegistryRef(text: string, bad: (why: string) => Error): RegistryRef {
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestPattern.test(digest)) throw bad(`'${digest}' is not a sha256:<64 hex> digest`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const tagColon = rest.indexOf(':', lastSlash + 1);
  if (tagColon !== -1) {
    tag = rest.slice(tagColon + 1);
    rest = rest.slice(0, tagColon);
    if (!tagPattern.test(tag)) throw bad(`'${tag}' is not a valid tag`);
  }
  const parts = rest.split('/');
  let host = dockerHub;
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost' || parts[0].startsWith('['))) {
    host = parts.shift()!;
    if (!hostPattern.test(host)) throw bad(`'${host}' is not a valid registry host`);
  }
  if (host === 'index.docker.io' || host === 'registry-1.docker.io') host = dockerHub;
  if (parts.some((part) => !componentPattern.test(part))) throw bad('a repository name is lowercase letters, digits and separators');
  if (host === dockerHub && parts.length === 1) parts.unshift('library');
  const repository = parts.join('/');
  if (repository.length > 255) throw bad('the repository name is too long');
  const ref: RegistryRef = { kind: 'registry', host, repository };
  if (digest !== undefined) ref.digest = digest;
  if (tag !== undefined || digest === undefined) ref.tag = tag ?? 'latest';
  return ref;
}

/** The name an image is stored and listed under. */
export function refName(ref: ImageRef): string {
  switch (ref.kind) {
    case 'registry':
      return `${ref.host}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
    case 'docker-archive':
      return `docker-archive:${ref.path}${ref.pick !== undefined ? `:${ref.pick}` : ''}`;
    case 'oci-archive':
      return `oci-archive:${ref.path}${ref.tag !== undefined ? `:${ref.tag}` : ''}`;
    case 'oci-layout':
      return `oci:${ref.dir}${ref.tag !== undefined ? `:${ref.tag}` : ''}`;
    case 'aci':
      return ref.path;
  }
}

/** The registry's API host: Docker Hub's repositories live on registry-1.docker.io. */
export function apiHost(ref: RegistryRef): string {
  return ref.host === dockerHub ? 'registry-1.docker.io' : ref.host;
}
