// Starts the agent's HTTP API (loaded only when an API is wanted: fastify costs start-up time).

import type { Logger } from '../agent/log';
import type { RunnerStatus } from '../agent/runner';
import { hushVersion } from './version';

export interface ServeApiOptions {
  /** unix:PATH, 127.0.0.1:PORT, [::1]:PORT; undefined = the default unix socket. */
  address: string | undefined;
  env: NodeJS.ProcessEnv;
  logger: Logger;
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
  const { buildApp } = require('../agent/api/app') as typeof import('../agent/api/app');
  const { apiToken, defaultSocketPath, listenApi } = require('../agent/api/listen') as typeof import('../agent/api/listen');
  const address = options.address ?? `unix:${defaultSocketPath(options.env)}`;
  const token = await apiToken(address, { env: options.env }, options.logger);
  const app = buildApp({
    status: options.status,
    ready: options.ready,
    rotate: options.rotate,
    startedAt: options.startedAt,
    version: hushVersion(),
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
