// POST /v1/rotate: makes every key due now. The rotation itself happens in the runner's loop;
// the answer only says it was requested.

import type { FastifyPluginAsync } from 'fastify';
import type { ApiDeps } from '../types';

export const rotateRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.post('/v1/rotate', async (_request, reply) => {
    deps.rotate();
    return reply.code(202).send({ rotating: true });
  });
};
