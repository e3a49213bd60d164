// The registry client against a faithful fake (node:http): the bearer-token flow with Basic
// credentials from an auth file, retries on 503, plain HTTP only for loopback or
// --insecure-registry, and concurrent pulls of one image sharing one unpack.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageStore } from '../../launcher/images/store';
import { pullImage } from '../../launcher/images/pull';
import { parseImageRef } from '../../launcher/images/reference';
import { plainHttpAllowed } from '../../launcher/images/registry-client';
import { basicAuthFor, parseChallenge } from '../../launcher/images/registry-auth';
import { gzip, makeTar } from './images-fixtures';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
let server: http.Server;
let address = '';
let work = '';
let failuresLeft = 0;
const log: string[] = [];

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(tmpdir(), 'hush-registry-'));
  const tar = await makeTar([{ name: 'hello.txt', body: 'hello'.repeat(100_000) }]);
  const layer = gzip(tar);
  const config = Buffer.from(JSON.stringify({ rootfs: { type: 'layers', diff_ids: [sha(tar)] }, config: { Cmd: ['/hello'] } }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: sha(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: sha(layer), size: layer.length }],
  }));
  const blobs = new Map([[sha(config), config], [sha(layer), layer]]);
  server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    log.push(`${url.pathname} ${req.headers.authorization ?? '-'}`);
    if (url.pathname === '/token') {
      if (req.headers.authorization !== `Basic ${Buffer.from('me:pw').toString('base64')}`) return res.writeHead(401).end();
      expect(url.searchParams.get('scope')).toBe('repository:team/app:pull');
      expect(url.searchParams.get('service')).toBe('fake');
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: 'T0KEN' }));
    }
    if (req.headers.authorization !== 'Bearer T0KEN') {
      return res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${address}/token",service="fake",scope="repository:team/app:pull"` }).end();
    }
    if (failuresLeft > 0) {
      failuresLeft--;
      return res.writeHead(503).end();
    }
    if (url.pathname === '/v2/team/app/manifests/v1') return res.writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' }).end(manifest);
    const blob = /^\/v2\/team\/app\/blobs\/(sha256:[a-f0-9]{64})$/.exec(url.pathname);
    // Blobs come through a redirect, as from a CDN.
    if (blob && !url.searchParams.has('cdn')) return res.writeHead(307, { location: `${url.pathname}?cdn=1` }).end();
    if (blob && blobs.has(blob[1])) return res.writeHead(200).end(blobs.get(blob[1]));
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  address = `127.0.0.1:${(server.address() as { port: number }).port}`;
  fs.writeFileSync(path.join(work, 'auth.json'), JSON.stringify({ auths: { [`http://${address}`]: { auth: Buffer.from('me:pw').toString('base64') } } }));
});

afterAll(() => {
  server.close();
  fs.rmSync(work, { recursive: true, force: true });
});

const pull = (store: ImageStore) =>
  pullImage(store, parseImageRef(`${address}/team/app:v1`, '/'), { env: { REGISTRY_AUTH_FILE: path.join(work, 'auth.json') }, insecureHosts: [] });

describe('registry client', () => {
  it('gets a bearer token with Basic credentials, retries 503s, follows blob redirects', async () => {
    failuresLeft = 2;
    log.length = 0;
    const store = ImageStore.open(path.join(work, 'store-a'));
    const record = await pull(store);
    expect(record.layers).toHaveLength(1);
    expect(fs.readFileSync(path.join(store.layerDir(record.layers[0].diffId), 'hello.txt'), 'utf8')).toHaveLength(500_000);
    expect(log.filter((line) => line.startsWith('/token '))).toHaveLength(1);
    expect(log.some((line) => line.includes('?') || line.endsWith('Bearer T0KEN'))).toBe(true);
  });

  it('runs concurrent pulls of one image into one store safely, unpacking each layer once', async () => {
    const storeDir = path.join(work, 'store-b');
    const store = ImageStore.open(storeDir);
    const records = await Promise.all([pull(store), pull(ImageStore.open(storeDir)), pull(ImageStore.open(storeDir))]);
    expect(new Set(records.map((r) => r.digest)).size).toBe(1);
    expect(fs.readdirSync(path.join(storeDir, 'layers'))).toHaveLength(1);
    expect(fs.readdirSync(path.join(storeDir, 'tmp'))).toEqual([]);
    expect(fs.readdirSync(path.join(storeDir, 'locks'))).toEqual([]);
  });

  it('removes the temporaries of a process that died (kill -9) at the next start', async () => {
    const storeDir = path.join(work, 'store-c');
    ImageStore.open(storeDir);
    const child = spawn('sleep', ['30']);
    const deadPid = child.pid!;
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    fs.mkdirSync(path.join(storeDir, 'tmp', `${deadPid}.1abc.layer`, 'half'), { recursive: true });
    fs.writeFileSync(path.join(storeDir, 'tmp', `${deadPid}.2abc.blob`), 'partial');
    fs.writeFileSync(path.join(storeDir, 'tmp', `${process.pid}.9abc.blob`), 'ours, in progress');
    ImageStore.open(storeDir);
    expect(fs.readdirSync(path.join(storeDir, 'tmp'))).toEqual([`${process.pid}.9abc.blob`]);
  });

  it('allows plain HTTP only for loopback and --insecure-registry hosts', () => {
    expect(plainHttpAllowed('127.0.0.1:5000', [])).toBe(true);
    expect(plainHttpAllowed('127.8.9.10', [])).toBe(true);
    expect(plainHttpAllowed('localhost:5000', [])).toBe(true);
    expect(plainHttpAllowed('[::1]:5000', [])).toBe(true);
    expect(plainHttpAllowed('10.0.0.1:5000', [])).toBe(false);
    expect(plainHttpAllowed('registry.lan:5000', [])).toBe(false);
    expect(plainHttpAllowed('registry.lan:5000', ['registry.lan:5000'])).toBe(true);
    expect(plainHttpAllowed('registry.lan:5000', ['registry.lan'])).toBe(true);
  });

  it('reads credentials and challenges', () => {
    const file = path.join(work, 'config.json');
    fs.writeFileSync(file, JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: 'aHViOnB3' }, 'quay.io': { auth: 'cXVheTpwdw==' } } }));
    expect(basicAuthFor('docker.io', [path.join(work, 'missing.json'), file])).toBe('Basic aHViOnB3');
    expect(basicAuthFor('quay.io', [file])).toBe('Basic cXVheTpwdw==');
    expect(basicAuthFor('ghcr.io', [file])).toBeUndefined();
    expect(parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull' },
    });
  });
});
