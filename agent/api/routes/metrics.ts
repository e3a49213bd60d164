// GET /metrics: Prometheus text exposition format 0.0.4.

import type { FastifyPluginAsync } from 'fastify';
import { metricsContentType, renderMetrics } from '../prometheus';
import type { ApiDeps } from '../types';

export const metricsRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.get('/metrics', async (_request, reply) => {
    const now = deps.now?.() ?? Date.now();
    const container = deps.containerUsage?.();
    const text = renderMetrics(deps.status(), { version: deps.version, ready: deps.ready(), startedAt: deps.startedAt, now, container });
    return reply.type(metricsContentType).send(text);
  });
};
