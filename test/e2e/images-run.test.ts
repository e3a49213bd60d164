// hush pull / images / rmi / prune and hush run --image, on images made by buildah, umoci and
// skopeo, served by a real docker-registry on loopback.

import * as fs from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { hush } from './helpers';
import { buildImages, haveTools, push, startRegistry, tools, type BuiltImages, type Registry } from './images-fixture';

const need = haveTools ? '' : ` (needs root, static busybox and ${tools.join(', ') || 'busybox-static'})`;
let images: BuiltImages;
let registry: Registry;
let authRegistry: Registry;
let store = '';
const env = () => ({ PATH: process.env.PATH, LANG: 'C.UTF-8', HUSH_IMAGE_STORE: store, HOME: path.join(images.work, 'home') });

beforeAll(async () => {
  if (!haveTools) return;
  const work = fs.mkdtempSync(path.join(tmpdir(), 'hush-images-'));
  store = path.join(work, 'store');
  images = await buildImages(work);
  registry = await startRegistry(work, 'registry');
  push(`oci:${images.layout}:v1`, registry.address, 'test/img:v1');
  execFileSync('htpasswd', ['-Bbc', path.join(work, 'htpasswd'), 'tester', 'secret']);
  authRegistry = await startRegistry(work, 'auth-registry', path.join(work, 'htpasswd'));
  push(`oci:${images.layout}:v1`, authRegistry.address, 'private/img:v1', ['--dest-creds', 'tester:secret']);
}, 180_000);

afterAll(() => {
  registry?.stop();
  authRegistry?.stop();
  if (images) fs.rmSync(images.work, { recursive: true, force: true });
});

/** The store holds no temporaries and no layer that is not complete. */
function storeIsClean(): void {
  expect(fs.readdirSync(path.join(store, 'tmp'))).toEqual([]);
  expect(fs.readdirSync(path.join(store, 'locks'))).toEqual([]);
}

describe.skipIf(!haveTools)(`images${need}`, () => {
  it('pulls every form into the store and lists them', async () => {
    const refs = [`docker-archive:${images.dockerArchive}`, `oci-archive:${images.ociArchive}:v1`, `oci:${images.layout}:v1`, `${registry.address}/test/img:v1`, images.aci];
    for (const ref of refs) {
      const pulled = await hush(['pull', ref], { env: env() });
      expect(pulled.stderr).toMatch(/sha256:[a-f0-9]{64}/);
      expect(pulled.code, pulled.stderr).toBe(0);
    }
    const listed = await hush(['images'], { env: env() });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^NAME\s+DIGEST\s+SIZE\s+CREATED/);
    for (const name of [`docker-archive:${images.dockerArchive}`, `${registry.address}/test/img:v1`, `oci:${images.layout}:v1`]) expect(listed.stdout).toContain(name);
    storeIsClean();
  });

  it('runs the image command: Entrypoint + Cmd, Env, WorkingDir, User', async () => {
    for (const ref of [`oci:${images.layout}:v1`, `docker-archive:${images.dockerArchive}`, `${registry.address}/test/img:v1`]) {
      const ran = await hush(['run', '--image', ref], { env: env() });
      expect(ran.stderr).toBe('');
      expect([ran.code, ran.stdout]).toEqual([0, 'entry default cmd\n']);
    }
    const shown = await hush(['run', '--image', `oci:${images.layout}:v1`, '--env', 'EXTRA=1', '--', 'from', 'args'], { env: env() });
    expect(shown.stdout).toBe('entry from args\n');
  });

  it('applies the layers: a deleted file, an opaque directory, a name with a space', async () => {
    const script = 'id -u; id -g; pwd; echo $GREETING $EXTRA $HOME; ls /data; ls /cache; cat "/data/with space.txt"; echo; cat /app/hello.txt; echo; cat /etc/hostname';
    const direct = await runShell(script, ['--hostname', 'box', '--env', 'EXTRA=extra']);
    expect(direct.stdout.split('\n')).toEqual(['1000', '1000', '/app', 'hi extra /home/app', 'with space.txt', 'c', 'spaced out', 'from layer two', 'box', '']);
  });

  it('resolves --user names in the image; the root is writable but private to the run, or read-only', async () => {
    expect((await runShell('id -u; id -g', ['--user', 'root:staff'])).stdout).toBe('0\n50\n');
    expect((await runShell('touch /new && echo wrote', ['--user', '0'])).stdout).toBe('wrote\n');
    expect((await runShell('ls /new 2>&1 || echo gone', ['--user', '0'])).stdout).toMatch(/gone\n$/);
    const readOnly = await runShell('touch /new 2>&1; echo $?', ['--read-only', '--user', '0']);
    expect(readOnly.stdout).toMatch(/Read-only file system\n1\n/);
    const unknown = await hush(['run', '--image', `oci:${images.layout}:v1`, '--user', 'nobody-here', '--', 'x'], { env: env() });
    expect(unknown.code).toBe(125);
    expect(unknown.stderr).toMatch(/^hush: run: image oci:.*: user 'nobody-here': no user 'nobody-here' in the image's \/etc\/passwd\n$/);
  });

  it('reads zstd layers (skopeo --dest-compress-format zstd) and the OCI layout Docker 25+ saves', async () => {
    const zstdLayout = path.join(images.work, 'zstd-layout');
    execFileSync('skopeo', ['copy', '-q', '--dest-compress-format', 'zstd', `oci:${images.layout}:v1`, `oci:${zstdLayout}:v1`]);
    const blobs = fs.readdirSync(path.join(zstdLayout, 'blobs', 'sha256')).map((hex) => fs.readFileSync(path.join(zstdLayout, 'blobs', 'sha256', hex)).subarray(0, 4).toString('hex'));
    expect(blobs).toContain('28b52ffd');
    const ran = await hush(['run', '--image', `oci:${zstdLayout}:v1`], { env: env() });
    expect([ran.code, ran.stdout]).toEqual([0, 'entry default cmd\n']);

    // Docker 25+: manifest.json points into an OCI layout's blobs/ in the same archive.
    const index = JSON.parse(fs.readFileSync(path.join(images.layout, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
    const v1 = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === 'v1')!;
    const manifest = JSON.parse(fs.readFileSync(path.join(images.layout, 'blobs', 'sha256', v1.digest.slice(7)), 'utf8')) as { config: { digest: string }; layers: { digest: string }[] };
    const saved = path.join(images.work, 'docker25');
    fs.cpSync(images.layout, saved, { recursive: true });
    fs.writeFileSync(path.join(saved, 'manifest.json'), JSON.stringify([{ Config: `blobs/sha256/${manifest.config.digest.slice(7)}`, RepoTags: ['test/docker25:v1'], Layers: manifest.layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`) }]));
    const archive = path.join(images.work, 'docker25.tar');
    execFileSync('tar', ['-C', saved, '-cf', archive, '.']);
    const docker25 = await hush(['run', '--image', `docker-archive:${archive}:test/docker25:v1`], { env: env() });
    expect([docker25.code, docker25.stdout]).toEqual([0, 'entry default cmd\n']);
    // Its layers are the layout's, already unpacked: none is unpacked again.
    expect(docker25.stderr).toBe('');
    expect((await hush(['images', '--quiet'], { env: env() })).stdout).toContain(`docker-archive:${archive}:test/docker25:v1\n`);
  });

  it('runs an rkt ACI with its app (exec, environment, user, group, workingDirectory)', async () => {
    const ran = await hush(['run', '--image', images.aci], { env: env() });
    expect([ran.code, ran.stdout]).toEqual([0, 'aci set 7:8 /work\n']);
  });

  it('--pull never refuses an image not in the store; cached images run without the registry', async () => {
    const never = await hush(['run', '--pull', 'never', '--image', `${registry.address}/test/other:v9`, '--', 'x'], { env: env() });
    expect(never.code).toBe(125);
    expect(never.stderr).toMatch(/^hush: run: image .*other:v9: .* --pull never .*\n$/);
    const cached = await hush(['run', '--pull', 'never', '--image', `${registry.address}/test/img:v1`], { env: env() });
    expect(cached.stdout).toBe('entry default cmd\n');
  });

  it('pulls with Basic credentials from $REGISTRY_AUTH_FILE, and says 401 without', async () => {
    const ref = `${authRegistry.address}/private/img:v1`;
    const denied = await hush(['pull', ref], { env: env() });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^hush: pull .*private\/img:v1: .*401 unauthorized.*\n$/);
    const authFile = path.join(images.work, 'auth.json');
    fs.writeFileSync(authFile, JSON.stringify({ auths: { [authRegistry.address]: { auth: Buffer.from('tester:secret').toString('base64') } } }));
    const allowed = await hush(['pull', ref], { env: { ...env(), REGISTRY_AUTH_FILE: authFile } });
    expect(allowed.code, allowed.stderr).toBe(0);
  });

  it('resolves a multi-arch index to this machine, and refuses one without it', async () => {
    const { layout } = images;
    const index = JSON.parse(fs.readFileSync(path.join(layout, 'index.json'), 'utf8')) as { manifests: { annotations?: Record<string, string>; digest: string; size: number; mediaType: string }[] };
    const v1 = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === 'v1')!;
    const arch = process.arch === 'x64' ? 'amd64' : process.arch;
    const addIndex = (tag: string, platforms: string[]) => {
      const doc = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: platforms.map((architecture) => ({ mediaType: v1.mediaType, digest: v1.digest, size: v1.size, platform: { os: 'linux', architecture } })) }));
      const hex = require('node:crypto').createHash('sha256').update(doc).digest('hex') as string;
      fs.writeFileSync(path.join(layout, 'blobs', 'sha256', hex), doc);
      index.manifests.push({ mediaType: 'application/vnd.oci.image.index.v1+json', digest: `sha256:${hex}`, size: doc.length, annotations: { 'org.opencontainers.image.ref.name': tag } });
    };
    addIndex('multi', ['s390x', arch, 'riscv64']);
    addIndex('foreign', ['s390x']);
    fs.writeFileSync(path.join(layout, 'index.json'), JSON.stringify(index));
    push(`oci:${layout}:multi`, registry.address, 'test/multi:v1', ['--all']);
    const multi = await hush(['run', '--image', `${registry.address}/test/multi:v1`], { env: env() });
    expect([multi.code, multi.stdout]).toEqual([0, 'entry default cmd\n']);
    const foreign = await hush(['run', '--image', `oci:${layout}:foreign`], { env: env() });
    expect(foreign.code).toBe(125);
    expect(foreign.stderr).toMatch(/^hush: run: image oci:.*:foreign: no manifest for linux\/\w+ \(the index has linux\/s390x\)\n$/);
  });
});

describe.skipIf(!haveTools)(`removing images${need}`, () => {
  it('rmi forgets a name and keeps layers other images use; usage errors exit 2', async () => {
    const ref = `oci-archive:${images.ociArchive}:v1`;
    const removed = await hush(['rmi', ref], { env: env() });
    expect([removed.code, removed.stdout]).toEqual([0, `removed ${ref}\n`]);
    expect((await hush(['images', '--quiet'], { env: env() })).stdout).not.toContain(ref);
    expect((await hush(['run', '--pull', 'never', '--image', `oci:${images.layout}:v1`], { env: env() })).stdout).toBe('entry default cmd\n');
    const again = await hush(['rmi', ref], { env: env() });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^hush: rmi .*: .* not found\n$/);
    expect((await hush(['rmi'], { env: env() })).code).toBe(2);
    expect((await hush(['pull'], { env: env() })).code).toBe(2);
    expect((await hush(['image', 'nope'], { env: env() })).code).toBe(2);
  });
});

describe.skipIf(!haveTools)(`bad images${need}`, () => {
  // A store of its own: the good images' blobs, already verified, would hide a corrupt copy.
  beforeAll(() => {
    store = path.join(images.work, 'bad-store');
  });

  async function fails(ref: string, cause: RegExp): Promise<void> {
    const pulled = await hush(['pull', ref], { env: env() });
    expect(pulled.code).toBe(1);
    expect(pulled.stderr.split('\n').filter((line) => line.startsWith('hush: '))).toHaveLength(1);
    expect(pulled.stderr).toMatch(cause);
    const ran = await hush(['run', '--image', ref, '--', 'x'], { env: env() });
    expect(ran.code).toBe(125);
    expect(ran.stderr.split('\n').filter((line) => line.startsWith('hush: '))).toHaveLength(1);
    expect(ran.stderr).toMatch(/^hush: run: image /m);
    expect(ran.stderr).toMatch(cause);
    storeIsClean();
    const listed = await hush(['images'], { env: env() });
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain(ref.replace(/^[a-z-]+:/, ''));
  }

  it('a truncated archive', async () => {
    const truncated = path.join(images.work, 'truncated.tar');
    const bytes = fs.readFileSync(images.dockerArchive);
    fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await fails(`docker-archive:${truncated}`, /truncated\.tar is truncated/);
  });

  it('a digest mismatch and a missing layer', async () => {
    const copy = path.join(images.work, 'corrupt');
    fs.cpSync(images.layout, copy, { recursive: true });
    const manifest = largestJsonLayers(copy);
    const layerFile = path.join(copy, 'blobs', 'sha256', manifest.layers[0].digest.slice(7));
    const bytes = fs.readFileSync(layerFile);
    bytes[bytes.length - 100] ^= 0xff;
    fs.writeFileSync(layerFile, bytes);
    await fails(`oci:${copy}:v1`, /digest mismatch/);
    fs.rmSync(layerFile);
    await fails(`oci:${copy}:v1`, /blob sha256:[a-f0-9]{64} is missing/);
  });

  it('registry 404 and 500', async () => {
    await fails(`${registry.address}/test/absent:v1`, /404 not found/);
    const server = http.createServer((_req, res) => res.writeHead(500).end('broken'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      await fails(`127.0.0.1:${port}/test/img:v1`, /server error 500 \(after 4 attempts\)/);
    } finally {
      server.close();
    }
  });

  it('a layer with a traversal entry', async () => {
    const { makeTar } = await import('../integration/images-fixtures');
    const evil = path.join(images.work, 'evil');
    fs.cpSync(images.layout, evil, { recursive: true });
    const layer = path.join(images.work, 'evil-layer.tar');
    fs.writeFileSync(layer, await makeTar([{ name: '../../../../../tmp/hush-escaped', body: 'pwned' }]));
    execFileSync('umoci', ['raw', 'add-layer', '--image', `${evil}:v1`, '--tag', 'evil', layer]);
    await fails(`oci:${evil}:evil`, /refusing entry "..\/..\/..\/..\/..\/tmp\/hush-escaped": '..' is not allowed/);
    expect(fs.existsSync('/tmp/hush-escaped')).toBe(false);
    const hostileDiffId = require('node:crypto').createHash('sha256').update(fs.readFileSync(layer)).digest('hex') as string;
    expect(fs.existsSync(path.join(store, 'layers', hostileDiffId))).toBe(false);
    // The good layers unpacked before it belong to no image: prune drops them.
    const pruned = await hush(['image', 'prune'], { env: env() });
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(/^removed [1-9]\d* layers and \d+ blobs/);
    expect(fs.readdirSync(path.join(store, 'layers'))).toEqual([]);
  });
});

/** The image's manifest with the most layers in an OCI layout (the v1 tag's). */
function largestJsonLayers(layout: string): { layers: { digest: string }[] } {
  let best: { layers: { digest: string }[] } = { layers: [] };
  for (const hex of fs.readdirSync(path.join(layout, 'blobs', 'sha256'))) {
    try {
      const doc = JSON.parse(fs.readFileSync(path.join(layout, 'blobs', 'sha256', hex), 'utf8')) as { layers?: { digest: string }[] };
      if (doc.layers && doc.layers.length > best.layers.length) best = doc as typeof best;
    } catch {
      // A layer, not JSON.
    }
  }
  return best;
}

/** A shell in the 'shell' tag: the same layers and config, without the Entrypoint. */
async function runShell(script: string, flags: string[]) {
  return hush(['run', '--image', `oci:${images.layout}:shell`, ...flags, '--', '/bin/sh', '-c', script], { env: env() });
}
