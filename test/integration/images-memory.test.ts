// Pulling a large layer streams: the blob is hashed as it arrives and unpacked from disk,
// never held in memory. A fake registry (node:http) serves one image whose single,
// uncompressed layer is IMAGES_MEMORY_MIB (default 256; bench with 1024) of zeros in a tar;
// hush pull's peak RSS, measured by GNU time, must stay under 100 MiB.

import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';

const mib = Number(process.env.IMAGES_MEMORY_MIB ?? 256);
const haveTime = fs.existsSync('/usr/bin/time');
const chunk = Buffer.alloc(1024 * 1024);
let server: http.Server;
let address = '';
let work = '';

function tarHeader(size: number): Buffer {
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string) => header.write(value, offset, length, 'ascii');
  field(0, 100, 'big');
  field(100, 8, '0000644\0');
  field(108, 8, '0000000\0');
  field(116, 8, '0000000\0');
  field(124, 12, `${size.toString(8).padStart(11, '0')}\0`);
  field(136, 12, '00000000000\0');
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  header.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return header;
}

const header = tarHeader(mib * 1024 * 1024);
const trailer = Buffer.alloc(1024);
const layerSize = header.length + mib * chunk.length + trailer.length;

async function* layer(): AsyncGenerator<Buffer> {
  yield header;
  for (let i = 0; i < mib; i++) yield chunk;
  yield trailer;
}

beforeAll(async () => {
  if (!haveTime) return;
  work = fs.mkdtempSync(path.join(tmpdir(), 'hush-memory-'));
  const hash = createHash('sha256');
  for await (const part of layer()) hash.update(part);
  const layerDigest = `sha256:${hash.digest('hex')}`;
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layerDigest] }, config: { Cmd: ['/big'] } }));
  const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layerSize }],
  }));
  server = http.createServer((req, res) => {
    if (req.url === '/v2/big/manifests/v1') res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(manifest);
    else if (req.url === `/v2/big/blobs/${configDigest}`) res.writeHead(200).end(config);
    else if (req.url === `/v2/big/blobs/${layerDigest}`) {
      res.writeHead(200, { 'content-length': layerSize });
      (async () => {
        for await (const part of layer()) if (!res.write(part)) await new Promise((resolve) => res.once('drain', resolve));
        res.end();
      })();
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  address = `127.0.0.1:${(server.address() as { port: number }).port}`;
}, 120_000);

afterAll(() => {
  server?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

it.skipIf(!haveTime)(`pulls a ${mib} MiB layer with a peak RSS under 100 MiB (needs GNU time)`, async () => {
  const hush = path.join(__dirname, '..', '..', 'bin', 'hush');
  const child = spawn('/usr/bin/time', ['-f', 'maxrss_kib=%M', process.execPath, hush, 'pull', `${address}/big:v1`], {
    env: { PATH: process.env.PATH, HUSH_IMAGE_STORE: path.join(work, 'store') },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise((resolve) => child.on('close', resolve));
  expect(code, stderr).toBe(0);
  const rss = Number(/maxrss_kib=(\d+)/.exec(stderr)![1]) / 1024;
  console.log(`hush pull of a ${mib} MiB layer: peak RSS ${rss.toFixed(1)} MiB`);
  expect(rss).toBeLessThan(100);
  const unpacked = fs.statSync(path.join(work, 'store', 'layers', fs.readdirSync(path.join(work, 'store', 'layers'))[0], 'big'));
  expect(unpacked.size).toBe(mib * 1024 * 1024);
  execFileSync('true');
}, 300_000);
