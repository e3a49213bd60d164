// Registry credentials, found where podman and docker keep them: $REGISTRY_AUTH_FILE, the
// containers auth.json ($XDG_RUNTIME_DIR/containers, ~/.config/containers), then
// ~/.docker/config.json. Only `auth` (base64 user:password) entries are read; credential
// helpers are not run.

import * as fs from 'node:fs';
import * as path from 'node:path';

export function authFiles(env: NodeJS.ProcessEnv): string[] {
  const home = env.HOME || '/root';
  const files: string[] = [];
  if (env.REGISTRY_AUTH_FILE) files.push(env.REGISTRY_AUTH_FILE);
  if (env.XDG_RUNTIME_DIR) files.push(path.join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'));
  files.push(path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'containers', 'auth.json'));
  files.push(path.join(env.DOCKER_CONFIG || path.join(home, '.docker'), 'config.json'));
  return files;
}

function keyHost(key: string): string {
  return key.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
}

function sameRegistry(key: string, host: string): boolean {
  const hub = ['docker.io', 'index.docker.io', 'registry-1.docker.io'];
  const k = keyHost(key);
  return k === host || (hub.includes(k) && hub.includes(host));
}

/** The `Basic ...` value for `host`, from the first file that has one. */
export function basicAuthFor(host: string, files: string[]): string | undefined {
  for (const file of files) {
    let doc: { auths?: Record<string, { auth?: string }> };
    try {
      doc = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof doc;
    } catch {
      continue;
    }
    for (const [key, entry] of Object.entries(doc.auths ?? {})) {
      if (sameRegistry(key, host) && typeof entry?.auth === 'string' && entry.auth !== '') return `Basic ${entry.auth}`;
    }
  }
  return undefined;
}

/** `Bearer realm="...",service="...",scope="..."` → its parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space === -1 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(space + 1).matchAll(/([A-Za-z_]+)="([^"]*)"/g)) params[m[1].toLowerCase()] = m[2];
  return { scheme, params };
}
