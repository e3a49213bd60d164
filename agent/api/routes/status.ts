// GET /v1/status: what the agent holds, by name, with times and errors; never values.

import type { FastifyPluginAsync } from 'fastify';
import type { ApiDeps } from '../types';
import { statusView } from '../view';

export const statusRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.get('/v1/status', async () => {
    const now = deps.now?.() ?? Date.now();
    const container = deps.containerUsage?.();
    return statusView(deps.status(), { version: deps.version, ready: deps.ready(), startedAt: deps.startedAt, now, container });
  });
};
