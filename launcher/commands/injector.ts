// `hush injector --listen ADDR --tls-cert FILE --tls-key FILE --agent-image IMAGE`: the
// Kubernetes mutating admission webhook that injects hush into annotated pods (see
// launcher/injector/ and docs/deploy.md). Serves until SIGTERM or SIGINT, then exits 0.

import * as path from 'node:path';
import { createLogger } from '../../agent/log';
import { errorMessage } from '../../agent/errors';
import { parseFlags, single, UsageError } from '../flags';
import type { CommandMain } from './types';

const injectorFlags = {
  values: { listen: false, 'tls-cert': false, 'tls-key': false, 'agent-image': false },
  booleans: ['help'],
} as const;

const usage = `usage: hush injector --tls-cert FILE --tls-key FILE --agent-image IMAGE [--listen ADDR]

Serves a Kubernetes mutating admission webhook over HTTPS: POST /mutate injects hush as a
native sidecar into pods annotated hush.dev/inject: "true"; GET /healthz.

options:
  --listen ADDR         HOST:PORT or :PORT to listen on (default :8443)
  --tls-cert FILE       PEM certificate (re-read every minute: renewals need no restart)
  --tls-key FILE        PEM private key
  --agent-image IMAGE   the hush image the injected agent runs`;

const tlsReloadMs = 60_000;

function parseListen(address: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(`--listen expects HOST:PORT or :PORT, got '${address}'`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export const main: CommandMain = async (args, io) => {
  let listen: { host: string; port: number };
  let certFile: string;
  let keyFile: string;
  let agentImage: string;
  try {
    const flags = parseFlags(args, injectorFlags);
    if (flags.booleans.has('help')) {
      io.stdout.write(usage + '\n');
      return 0;
    }
    if (flags.positional.length > 0 || flags.rest !== undefined) throw new UsageError(`unexpected argument '${flags.positional[0] ?? '--'}'`);
    const required = (name: string) => {
      const value = single(flags, name);
      if (!value) throw new UsageError(`--${name} is required`);
      return value;
    };
    certFile = path.resolve(io.cwd, required('tls-cert'));
    keyFile = path.resolve(io.cwd, required('tls-key'));
    agentImage = required('agent-image');
    listen = parseListen(single(flags, 'listen') ?? ':8443');
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`hush: injector: ${err.message}\n${usage}\n`);
    return 2;
  }

  const { buildInjectorApp } = require('../injector/server') as typeof import('../injector/server');
  const { readTlsFiles, reloadTlsEvery } = require('../injector/tls-reload') as typeof import('../injector/tls-reload');
  const logger = createLogger({}, { component: 'injector' });
  const paths = { cert: certFile, key: keyFile };
  let app;
  let stopReload = () => {};
  try {
    const tls = await readTlsFiles(paths);
    app = buildInjectorApp({ agentImage, tls, logger });
    await app.listen({ host: listen.host, port: listen.port });
    stopReload = reloadTlsEvery(app.server as import('node:https').Server, paths, tls, tlsReloadMs, logger);
  } catch (err) {
    await app?.close();
    io.stderr.write(`hush: injector: ${errorMessage(err)}\n`);
    return 1;
  }
  const address = app.server.address();
  logger.info('serving', { address: typeof address === 'string' ? address : `${address?.address}:${address?.port}`, agent_image: agentImage });

  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  stopReload();
  await app.close();
  logger.info('stopped');
  return 0;
};
