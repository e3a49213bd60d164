// Where the API listens. Two kinds of address:
//
//   unix:/path            the default. The parent directory is created 0700 if missing, the
//                         socket is chmod 0600 after listen and unlinked on close. A socket
//                         file left by a dead agent is removed; one that answers is refused.
//   127.0.0.1:PORT, [::1]:PORT, localhost:PORT
//                         loopback only, and only for an app that requires a bearer token.
//                         `apiToken()` gives the token to build the app with: the one given,
//                         or a new random one written to a 0600 token file.
//
// Callers: `const token = await apiToken(address, opts, logger)`, then
// `buildApp({ ...deps, token })`, then `listenApi(app, address, logger)`.
//
// This module imports fastify only as a type: `hush status` loads it for defaultSocketPath.

import { randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { apiErrors } from '../errors';
import type { Logger } from '../log';
import { ensureRuntimeDir, hushRuntimeDir } from '../runtime-dir';

export type ListenAddress = { kind: 'unix'; path: string } | { kind: 'tcp'; host: '127.0.0.1' | '::1'; port: number };

export interface Listening {
  /** `unix:/path` or `HOST:PORT` with the port actually bound. */
  address: string;
  close(): Promise<void>;
}

/** `agent.sock` in hush's runtime directory (agent/runtime-dir.ts). */
export function defaultSocketPath(env: NodeJS.ProcessEnv): string {
  return path.join(hushRuntimeDir(env), 'agent.sock');
}

/** `agent.token` in hush's runtime directory. */
export function defaultTokenPath(env: NodeJS.ProcessEnv): string {
  return path.join(hushRuntimeDir(env), 'agent.token');
}

const loopbackHosts: Record<string, '127.0.0.1' | '::1'> = { '127.0.0.1': '127.0.0.1', '[::1]': '::1', localhost: '127.0.0.1' };

/** Parses a listen address; throws a one-line error for anything but a unix path or loopback. */
export function parseListenAddress(address: string): ListenAddress {
  if (address.startsWith('unix:')) {
    const socketPath = address.slice('unix:'.length);
    if (!path.isAbsolute(socketPath)) throw apiErrors.HUSH_ERR_API_ADDRESS(address, 'the socket path must be absolute');
    return { kind: 'unix', path: socketPath };
  }
  const colon = address.lastIndexOf(':');
  if (colon <= 0) throw apiErrors.HUSH_ERR_API_ADDRESS(address, 'expected unix:/path or 127.0.0.1:PORT');
  const hostText = address.slice(0, colon);
  const portText = address.slice(colon + 1);
  const host = loopbackHosts[hostText];
  if (!host) {
    throw apiErrors.HUSH_ERR_API_ADDRESS(address, 'the API listens on loopback only (127.0.0.1, [::1] or localhost), or on a unix socket');
  }
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port > 65535) throw apiErrors.HUSH_ERR_API_ADDRESS(address, `invalid port '${portText}'`);
  return { kind: 'tcp', host, port };
}

/** Writes `token` to `file` (mode 0600, parent 0700 if created), never through a symlink. */
async function writeTokenFile(file: string, token: string): Promise<void> {
  await ensureRuntimeDir(path.dirname(file));
  const flags = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_TRUNC | fsConstants.O_NOFOLLOW;
  const handle = await fs.open(file, flags, 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(token + '\n', 'utf8');
  } finally {
    await handle.close();
  }
}

/**
 * The bearer token to build the app with. Unix sockets: `options.token` (usually none; the
 * socket's mode is the access control). TCP: `options.token` if given; otherwise a new
 * random token, written to `options.tokenFile` (default defaultTokenPath(env)) with mode 0600.
 */
export async function apiToken(
  address: string,
  options: { token?: string; tokenFile?: string; env?: NodeJS.ProcessEnv },
  logger: Logger,
): Promise<string | undefined> {
  const parsed = parseListenAddress(address);
  if (parsed.kind === 'unix' || options.token !== undefined) return options.token;
  const token = randomBytes(32).toString('base64url');
  const file = options.tokenFile ?? defaultTokenPath(options.env ?? process.env);
  await writeTokenFile(file, token);
  logger.info('API token written', { file });
  return token;
}

/**
 * Removes the `run-ID.sock` files in `dir` that nothing answers on any more: sockets of
 * `hush run`s that were killed before they could remove their own.
 */
export async function removeStaleRunSockets(dir: string, logger: Logger): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((name) => /^run-[A-Za-z0-9.-]+\.sock$/.test(name))
      .map(async (name) => {
        const file = path.join(dir, name);
        const stat = await fs.lstat(file).catch(() => undefined);
        if (!stat?.isSocket() || (await answers(file).catch(() => true))) return;
        await fs.rm(file, { force: true });
        logger.debug('removed a stale API socket', { path: file });
      }),
  );
}

/** Resolves with true when something accepts a connection on the socket. */
function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      socket.destroy();
      if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT') resolve(false);
      else reject(err);
    });
  });
}

async function prepareSocketPath(socketPath: string, logger: Logger): Promise<void> {
  await ensureRuntimeDir(path.dirname(socketPath));
  const stat = await fs.lstat(socketPath).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!stat) return;
  if (!stat.isSocket()) throw apiErrors.HUSH_ERR_API_NOT_SOCKET(socketPath);
  if (await answers(socketPath)) throw apiErrors.HUSH_ERR_API_IN_USE(socketPath);
  logger.info('removing stale API socket', { path: socketPath });
  await fs.unlink(socketPath);
}

/** True when the app turns away a request without credentials. */
async function requiresToken(app: FastifyInstance): Promise<boolean> {
  const response = await app.inject({ method: 'GET', url: '/v1/health' });
  return response.statusCode === 401;
}

/**
 * Listens on `address`. `app` may be a function that builds the app: on a unix socket it is
 * then built, and fastify loaded, only when the first client connects, so that an API nobody
 * asks (the default socket of every `hush run`) costs no memory.
 */
export async function listenApi(app: FastifyInstance | (() => FastifyInstance), address: string, logger: Logger): Promise<Listening> {
  const parsed = parseListenAddress(address);
  const log = logger.child({ component: 'api' });

  if (parsed.kind === 'tcp') {
    const built = typeof app === 'function' ? app() : app;
    if (!(await requiresToken(built))) {
      throw apiErrors.HUSH_ERR_API_NEEDS_TOKEN(address);
    }
    await built.listen({ host: parsed.host, port: parsed.port });
    const bound = built.server.address() as net.AddressInfo;
    const shown = parsed.host === '::1' ? `[::1]:${bound.port}` : `${parsed.host}:${bound.port}`;
    log.info('API listening', { address: shown });
    return { address: shown, close: () => built.close() };
  }

  const socketPath = parsed.path;
  await prepareSocketPath(socketPath, log);
  let built: Promise<FastifyInstance> | undefined;
  const ready = () => (built ??= (async () => {
    const instance = typeof app === 'function' ? app() : app;
    await instance.ready();
    return instance;
  })());
  const sockets = new Set<net.Socket>();
  // Connections are handed to the app's own HTTP server, which never listens itself.
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    ready().then(
      (instance) => instance.server.emit('connection', socket),
      (err: unknown) => {
        log.error('the API could not start', { error: err instanceof Error ? err.message : String(err) });
        socket.destroy();
      },
    );
  });
  if (typeof app !== 'function') await ready();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  try {
    await fs.chmod(socketPath, 0o600);
  } catch (err) {
    server.close();
    throw err;
  }
  log.info('API listening', { address: `unix:${socketPath}` });
  return {
    address: `unix:${socketPath}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      if (built) await (await built).close();
      await fs.rm(socketPath, { force: true });
    },
  };
}
