// Images for the e2e tests, built by real tools in a scratch directory: buildah (from scratch,
// copy, config, commit) makes a two-layer image with static busybox; umoci adds a hand-made
// layer (a deleted file, an opaque directory); skopeo converts it to every form hush reads.
// A docker-registry (the CNCF distribution registry) serves it on loopback.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { makeTar } from '../integration/images-fixtures';

export const tools = ['buildah', 'skopeo', 'umoci', 'docker-registry', 'htpasswd'].filter((tool) => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return false;
  } catch {
    return true;
  }
});
export const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p) && execFileSync('file', ['-L', p]).toString().includes('statically'));
export const haveTools = tools.length === 0 && busybox !== undefined && process.getuid?.() === 0;

const run = (cmd: string, args: string[], cwd?: string) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();

export interface BuiltImages {
  work: string;
  layout: string;
  dockerArchive: string;
  ociArchive: string;
  aci: string;
}

export async function buildImages(work: string): Promise<BuiltImages> {
  const storage = ['--root', path.join(work, 'c-root'), '--runroot', path.join(work, 'c-run'), '--storage-driver', 'vfs'];
  const buildah = (...args: string[]) => run('buildah', [...storage, ...args]);
  const base = path.join(work, 'base');
  fs.mkdirSync(path.join(base, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(base, 'etc'));
  fs.mkdirSync(path.join(base, 'data'));
  fs.mkdirSync(path.join(base, 'cache'));
  fs.copyFileSync(busybox!, path.join(base, 'bin', 'busybox'));
  fs.chmodSync(path.join(base, 'bin', 'busybox'), 0o755);
  for (const applet of ['sh', 'cat', 'ls', 'id', 'pwd', 'touch', 'echo', 'true', 'env']) fs.symlinkSync('busybox', path.join(base, 'bin', applet));
  fs.writeFileSync(path.join(base, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n');
  fs.writeFileSync(path.join(base, 'etc', 'group'), 'root:x:0:\napp:x:1000:\nstaff:x:50:\n');
  fs.writeFileSync(path.join(base, 'data', 'old.txt'), 'to be deleted');
  fs.writeFileSync(path.join(base, 'data', 'with space.txt'), 'spaced out');
  fs.writeFileSync(path.join(base, 'cache', 'a'), 'a');
  fs.writeFileSync(path.join(base, 'cache', 'b'), 'b');
  const second = path.join(work, 'second');
  fs.mkdirSync(path.join(second, 'app'), { recursive: true });
  fs.writeFileSync(path.join(second, 'app', 'hello.txt'), 'from layer two');

  const ctr = buildah('from', 'scratch');
  buildah('copy', ctr, `${base}/`, '/');
  buildah('commit', '-q', ctr, 'stage1');
  const ctr2 = buildah('from', 'localhost/stage1');
  buildah('copy', ctr2, `${second}/`, '/');
  buildah('config', '--entrypoint', '["/bin/echo","entry"]', '--cmd', '["default","cmd"]', '--env', 'GREETING=hi', '--env', 'PATH=/bin', '--workingdir', '/app', '--user', 'app', ctr2);
  buildah('commit', '-q', ctr2, 'test-img:v1');

  const layout = path.join(work, 'layout');
  const source = `containers-storage:[vfs@${path.join(work, 'c-root')}+${path.join(work, 'c-run')}]localhost/test-img:v1`;
  run('skopeo', ['copy', '-q', source, `oci:${layout}:base`]);
  // A hand-made third layer: a deleted file and an opaque directory.
  const layer = path.join(work, 'layer3.tar');
  fs.writeFileSync(layer, await makeTar([{ name: 'data/.wh.old.txt' }, { name: 'cache/.wh..wh..opq' }, { name: 'cache/c', body: 'c' }]));
  run('umoci', ['raw', 'add-layer', '--image', `${layout}:base`, '--tag', 'v1', layer]);
  // The same layers without an Entrypoint, for tests that run a shell.
  run('umoci', ['config', '--image', `${layout}:v1`, '--tag', 'shell', '--clear=config.entrypoint', '--clear=config.cmd']);

  const dockerArchive = path.join(work, 'img.tar');
  const ociArchive = path.join(work, 'img-oci.tar');
  run('skopeo', ['copy', '-q', `oci:${layout}:v1`, `docker-archive:${dockerArchive}:test/img:v1`]);
  run('skopeo', ['copy', '-q', `oci:${layout}:v1`, `oci-archive:${ociArchive}:v1`]);
  const aci = path.join(work, 'app.aci');
  fs.writeFileSync(aci, await makeAci());
  return { work, layout, dockerArchive, ociArchive, aci };
}

async function makeAci(): Promise<Buffer> {
  const manifest = {
    acKind: 'ImageManifest',
    acVersion: '0.8.11',
    name: 'example.com/aci',
    app: { exec: ['/bin/sh', '-c', 'echo aci $ACI_VAR $(id -u):$(id -g) $(pwd)'], user: '7', group: '8', workingDirectory: '/work', environment: [{ name: 'ACI_VAR', value: 'set' }] },
  };
  const tar = await makeTar([
    { name: 'manifest', body: JSON.stringify(manifest) },
    { name: 'rootfs/bin/busybox', body: fs.readFileSync(busybox!), mode: 0o755 },
    { name: 'rootfs/bin/sh', type: 'symlink', linkname: 'busybox' },
    { name: 'rootfs/bin/id', type: 'symlink', linkname: 'busybox' },
    { name: 'rootfs/work/', type: 'directory', mode: 0o755 },
  ]);
  return (await import('node:zlib')).gzipSync(tar);
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface Registry {
  address: string;
  stop(): void;
}

/** A docker-registry on loopback; with `htpasswd`, it requires Basic auth. */
export async function startRegistry(work: string, name: string, htpasswd?: string): Promise<Registry> {
  const port = await freePort();
  const config = path.join(work, `${name}.yml`);
  const auth = htpasswd ? `auth: { htpasswd: { realm: hush-test, path: ${htpasswd} } }\n` : '';
  fs.writeFileSync(config, `version: 0.1\nlog: { level: error }\nstorage: { filesystem: { rootdirectory: ${path.join(work, name)} } }\nhttp: { addr: 127.0.0.1:${port} }\n${auth}`);
  const child: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { address: `127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

export function push(from: string, registry: string, repo: string, extra: string[] = []): void {
  run('skopeo', ['copy', '-q', '--dest-tls-verify=false', ...extra, from, `docker://${registry}/${repo}`]);
}
