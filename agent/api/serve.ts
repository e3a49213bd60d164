// Serves the agent's HTTP API on an address. fastify is loaded only once a client connects to
// a unix socket (agent/api/listen.ts): it costs start-up time and memory.

import { rm } from 'node:fs/promises';
import type { Logger } from '../log';
import type { RunnerStatus } from '../runner';
import type { ContainerUsage } from './types';

export interface ServeApiOptions {
  /** unix:PATH, 127.0.0.1:PORT, [::1]:PORT; undefined = the default unix socket. */
  address: string | undefined;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  version: string;
  startedAt: number;
  status(): RunnerStatus;
  ready(): boolean;
  rotate(): void;
  /** The container's cgroup usage (hush run), for /v1/status and /metrics. */
  containerUsage?(): ContainerUsage | undefined;
}

export interface ServedApi {
  address: string;
  close(): Promise<void>;
}

export async function serveApi(options: ServeApiOptions): Promise<ServedApi> {
  const { apiToken, defaultSocketPath, defaultTokenPath, listenApi, parseListenAddress } = require('./listen') as typeof import('./listen');
  const address = options.address ?? `unix:${defaultSocketPath(options.env)}`;
  const token = await apiToken(address, { env: options.env }, options.logger);
  // A TCP listener's token file goes with it.
  const tokenFile = parseListenAddress(address).kind === 'tcp' ? defaultTokenPath(options.env) : undefined;
  const app = () => (require('./app') as typeof import('./app')).buildApp({
    status: options.status,
    ready: options.ready,
    rotate: options.rotate,
    containerUsage: options.containerUsage,
    startedAt: options.startedAt,
    version: options.version,
    token,
    logger: options.logger,
  });
  const listening = await listenApi(app, address, options.logger);
  return {
    address: listening.address,
    close: async () => {
      await listening.close();
      if (tokenFile) await rm(tokenFile, { force: true });
    },
  };
}
