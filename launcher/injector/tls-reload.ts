// Re-reads the certificate and key every interval and swaps them into the running server
// when they changed, so a certificate renewed in place is served without a restart.

import { readFile } from 'node:fs/promises';
import type { Server } from 'node:https';
import type { Logger } from '../../agent/log';
import type { TlsFiles } from './server';

export async function readTlsFiles(paths: { cert: string; key: string }): Promise<TlsFiles> {
  const [cert, key] = await Promise.all([readFile(paths.cert, 'utf8'), readFile(paths.key, 'utf8')]);
  return { cert, key };
}

export function reloadTlsEvery(server: Server, paths: { cert: string; key: string }, current: TlsFiles, intervalMs: number, logger: Logger): () => void {
  let served = current;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    readTlsFiles(paths)
      .then((next) => {
        if (next.cert === served.cert && next.key === served.key) return;
        server.setSecureContext(next);
        served = next;
        logger.info('TLS certificate reloaded', { cert: paths.cert });
      })
      .catch((err: Error) => logger.warn('cannot reload the TLS certificate; the previous one stays in use', { error: err.message }))
      .finally(() => (busy = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
