// The agent's local HTTP API: health, status, metrics and rotate. It serves names, times,
// counters and error texts from the runner's status, never a secret value. Errors answer
// with a generic body: no error message, request body or URL is ever echoed to the client.

import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { apiErrors, errorMessage } from '../errors';
import { bearerChecker } from './auth';
import { healthRoutes } from './routes/health';
import { metricsRoutes } from './routes/metrics';
import { rotateRoutes } from './routes/rotate';
import { statusRoutes } from './routes/status';
import type { ApiDeps } from './types';

export type { ApiDeps } from './types';

const genericError = (status: number) => (STATUS_CODES[status] ?? 'error').toLowerCase();

// The routes declare no JSON schemas, so fastify's default compilers (ajv, fast-json-stringify:
// about 11 MiB of RSS in every `hush run`) are never needed; these stand in and refuse.
const noSchemas = () => () => {
  throw new Error('the agent API declares no route schemas');
};

export function buildApp(deps: ApiDeps): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: 16 * 1024,
    schemaController: { compilersFactory: { buildValidator: noSchemas, buildSerializer: noSchemas } },
  });
  const log = deps.logger?.child({ component: 'api' });

  if (deps.token !== undefined) {
    if (deps.token.length === 0) throw apiErrors.HUSH_ERR_API_EMPTY_TOKEN();
    const check = bearerChecker(deps.token);
    app.addHook('onRequest', async (request, reply) => {
      if (check(request.headers.authorization)) return;
      await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized' });
    });
  }

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const code = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (code === 500) log?.error('request failed', { method: request.method, route: request.routeOptions.url, error: errorMessage(err) });
    void reply.code(code).send({ error: code === 500 ? 'internal error' : genericError(code) });
  });
  app.setNotFoundHandler((_request, reply) => {
    void reply.code(404).send({ error: 'not found' });
  });

  void app.register(healthRoutes, { deps });
  void app.register(statusRoutes, { deps });
  void app.register(metricsRoutes, { deps });
  void app.register(rotateRoutes, { deps });
  return app;
}
