// A throw-away CA and a server certificate for 127.0.0.1, made with openssl as an operator
// would (the same steps as deploy/kubernetes/self-signed-ca.sh).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TestCertificates {
  dir: string;
  caCert: string;
  certFile: string;
  keyFile: string;
}

export function makeCertificates(commonName = 'hush-injector.test', dir = mkdtempSync(path.join(os.tmpdir(), 'hush-injector-tls-'))): TestCertificates {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=hush test CA');
  run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', `/CN=${commonName}`);
  writeFileSync(path.join(dir, 'ext.cnf'), `subjectAltName=DNS:${commonName},IP:127.0.0.1\nextendedKeyUsage=serverAuth\n`);
  run('x509', '-req', '-in', 'tls.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'tls.crt', '-days', '1', '-extfile', 'ext.cnf');
  return { dir, caCert: readFileSync(path.join(dir, 'ca.crt'), 'utf8'), certFile: path.join(dir, 'tls.crt'), keyFile: path.join(dir, 'tls.key') };
}
