// Serves the agent's HTTP API on an address (loaded only when an API is wanted: fastify costs
// start-up time).

import type { Logger } from '../log';
import type { RunnerStatus } from '../runner';

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
}

export interface ServedApi {
  address: string;
  close(): Promise<void>;
}

export async function serveApi(options: ServeApiOptions): Promise<ServedApi> {
  const { buildApp } = require('./app') as typeof import('./app');
  const { apiToken, defaultSocketPath, listenApi } = require('./listen') as typeof import('./listen');
  const address = options.address ?? `unix:${defaultSocketPath(options.env)}`;
  const token = await apiToken(address, { env: options.env }, options.logger);
  const app = buildApp({
    status: options.status,
    ready: options.ready,
    rotate: options.rotate,
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
      await app.close();
    },
  };
}
