// `hush injector` for real: the built CLI serving HTTPS with a certificate made by openssl,
// answering AdmissionReviews the way the API server sends them.

import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInjectorApp } from '../../launcher/injector/server';
import { readTlsFiles, reloadTlsEvery } from '../../launcher/injector/tls-reload';
import { createLogger } from '../../agent/log';
import { agentImage, patched, review, validatePod } from '../unit/injector-helpers';
import { makeCertificates, type TestCertificates } from './injector-tls';

const repo = path.resolve(__dirname, '..', '..');

interface Reply {
  status: number;
  body: string;
  peerCertificate: string;
}

function request(port: number, ca: string, method: string, urlPath: string, body?: string, contentType = 'application/json'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, method, path: urlPath, ca, agent: false, servername: 'hush-injector.test', headers: body === undefined ? {} : { 'content-type': contentType } },
      (res) => {
        const chunks: Buffer[] = [];
        const peer = (res.socket as import('node:tls').TLSSocket).getPeerCertificate();
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), peerCertificate: peer.fingerprint256 }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('hush injector over HTTPS', () => {
  let certs: TestCertificates;
  let child: ChildProcess;
  let port = 0;
  let stderr = '';

  beforeAll(async () => {
    certs = makeCertificates();
    child = spawn(process.execPath, [path.join(repo, 'bin', 'hush'), 'injector', '--listen', '127.0.0.1:0', '--tls-cert', certs.certFile, '--tls-key', certs.keyFile, '--agent-image', agentImage], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    port = await new Promise<number>((resolve, reject) => {
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const m = /serving address=127\.0\.0\.1:(\d+)/.exec(stderr);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`hush injector exited with ${code}: ${stderr}`)));
    });
  });

  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(certs.dir, { recursive: true, force: true });
  });

  it('answers GET /healthz over TLS verified against the CA', async () => {
    const reply = await request(port, certs.caCert, 'GET', '/healthz');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ status: 'ok' });
  });

  it('injects an annotated pod: same uid, a base64 JSON Patch that yields a valid pod', async () => {
    const body = review();
    const reply = await request(port, certs.caCert, 'POST', '/mutate', JSON.stringify(body));
    expect(reply.status).toBe(200);
    const answer = JSON.parse(reply.body);
    expect(answer.apiVersion).toBe('admission.k8s.io/v1');
    expect(answer.kind).toBe('AdmissionReview');
    expect(answer.response.uid).toBe(body.request.uid);
    expect(answer.response.allowed).toBe(true);
    const pod = patched(body.request.object, answer.response);
    validatePod(pod);
    expect(pod.spec.initContainers[0].name).toBe('hush-agent');
    // The log line travels on hush's stderr pipe, which may arrive after the HTTP answer.
    const logged = /pod injected uid=0f6c8c1e-7b3a-4d3e-9a51-2c4f7d1e8b90 pod=shop\/webapp-7d9f8b6c5-\n/;
    for (let i = 0; i < 100 && !logged.test(stderr); i++) await new Promise((r) => setTimeout(r, 20));
    expect(stderr).toMatch(logged);
  });

  it('denies a pod whose annotation names no policy, with the reason', async () => {
    const body = review((pod) => delete pod.metadata.annotations['hush.dev/policy']);
    const answer = JSON.parse((await request(port, certs.caCert, 'POST', '/mutate', JSON.stringify(body))).body);
    expect(answer.response).toMatchObject({ uid: body.request.uid, allowed: false, status: { code: 403 } });
    expect(answer.response.status.message).toMatch(/^annotation hush.dev\/policy: names no ConfigMap/);
  });

  it('answers 400 to what is not an AdmissionReview, to bad JSON, and to another content type', async () => {
    const notReview = await request(port, certs.caCert, 'POST', '/mutate', JSON.stringify({ kind: 'Pod' }));
    expect(notReview.status).toBe(400);
    expect(JSON.parse(notReview.body).error).toMatch(/^expected apiVersion admission.k8s.io\/v1, kind AdmissionReview/);
    expect((await request(port, certs.caCert, 'POST', '/mutate', '{"apiVersion": ')).status).toBe(400);
    expect((await request(port, certs.caCert, 'POST', '/mutate', 'x', 'text/plain')).status).toBe(400);
    expect((await request(port, certs.caCert, 'POST', '/mutate', '<x/>', 'application/xml')).status).toBe(415);
    expect((await request(port, certs.caCert, 'GET', '/nothing')).status).toBe(404);
  });

  it('exits 0 on SIGTERM', async () => {
    // 'close': the exit status and every byte of stderr.
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/injector: stopped/);
  });
});

describe('hush injector command line', () => {
  it('refuses missing flags and a bad address with usage status 2', async () => {
    for (const args of [['--tls-key', 'k', '--agent-image', 'i'], ['--tls-cert', 'c', '--tls-key', 'k', '--agent-image', 'i', '--listen', 'localhost']]) {
      const child = spawn(process.execPath, [path.join(repo, 'bin', 'hush'), 'injector', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
      const code = await new Promise((resolve) => child.once('close', resolve));
      expect(code).toBe(2);
      expect(err.split('\n')[0]).toMatch(/^hush: injector: (--tls-cert is required|--listen expects HOST:PORT or :PORT, got 'localhost')$/);
    }
  });

  it('fails with 1 naming the file when the certificate cannot be read', async () => {
    const child = spawn(process.execPath, [path.join(repo, 'bin', 'hush'), 'injector', '--tls-cert', '/nonexistent/tls.crt', '--tls-key', '/nonexistent/tls.key', '--agent-image', 'i'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    expect(await new Promise((resolve) => child.once('close', resolve))).toBe(1);
    expect(err).toMatch(/^hush: injector: ENOENT: no such file or directory, open '\/nonexistent\/tls\.(crt|key)'\n$/);
  });
});

describe('injector TLS reload', () => {
  it('serves a certificate renewed in place without a restart', async () => {
    const first = makeCertificates();
    const second = makeCertificates();
    const paths = { cert: first.certFile, key: first.keyFile };
    const logger = createLogger({ write: () => {} });
    const tls = await readTlsFiles(paths);
    const app = buildInjectorApp({ agentImage, tls, logger });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const stop = reloadTlsEvery(app.server as https.Server, paths, tls, 50, logger);
    try {
      const port = (app.server.address() as import('node:net').AddressInfo).port;
      const before = await request(port, first.caCert, 'GET', '/healthz');
      copyFileSync(second.certFile, first.certFile);
      copyFileSync(second.keyFile, first.keyFile);
      let after = before;
      for (let i = 0; i < 100 && after.peerCertificate === before.peerCertificate; i++) {
        await new Promise((r) => setTimeout(r, 20));
        after = await request(port, second.caCert, 'GET', '/healthz').catch(() => before);
      }
      expect(after.status).toBe(200);
      expect(after.peerCertificate).not.toBe(before.peerCertificate);
      await expect(request(port, first.caCert, 'GET', '/healthz')).rejects.toThrow(/certificate/);
    } finally {
      stop();
      await app.close();
      rmSync(first.dir, { recursive: true, force: true });
      rmSync(second.dir, { recursive: true, force: true });
    }
  });
});
