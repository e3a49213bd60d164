// The injector's HTTPS server (fastify): POST /mutate answers AdmissionReviews, GET /healthz
// says it is up. The certificate is re-read while it runs (cert-manager renews it in place).

import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from '../../agent/log';
import { reviewAdmission } from './admission-review';

export interface TlsFiles {
  cert: string;
  key: string;
}

export interface InjectorAppOptions {
  agentImage: string;
  tls: TlsFiles;
  logger: Logger;
}

/** The API server sends whole Pods; etcd caps an object at 1.5 MiB. */
const bodyLimit = 4 * 1024 * 1024;

export function buildInjectorApp(options: InjectorAppOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit, https: { cert: options.tls.cert, key: options.tls.key } });
  const log = options.logger;

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const code = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (code === 500) log.error('request failed', { method: request.method, url: request.url, error: err.message });
    else log.warn('bad request', { method: request.method, url: request.url, status: code, error: err.message });
    void reply.code(code).send({ error: code === 500 ? 'internal error' : err.message });
  });
  app.setNotFoundHandler((_request, reply) => void reply.code(404).send({ error: 'not found' }));

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.post('/mutate', async (request, reply) => {
    const outcome = reviewAdmission(request.body, options.agentImage);
    if (outcome.kind === 'malformed') {
      log.warn('malformed AdmissionReview', { error: outcome.message });
      return reply.code(400).send({ error: outcome.message });
    }
    const { uid, status } = outcome.review.response;
    log.info(`pod ${outcome.summary}`, { uid, pod: outcome.subject, ...(status ? { reason: status.message } : {}) });
    return outcome.review;
  });
  return app;
}
