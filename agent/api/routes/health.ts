// GET /v1/health: 200 once every required secret has been rendered, 503 before (a readiness
// probe, like Vault Agent's or a Kubernetes readinessProbe).

import type { FastifyPluginAsync } from 'fastify';
import type { ApiDeps } from '../types';

export const healthRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.get('/v1/health', async (_request, reply) => {
    const ready = deps.ready();
    return reply.code(ready ? 200 : 503).send(ready ? { status: 'ok', ready: true } : { status: 'starting', ready: false });
  });
};
