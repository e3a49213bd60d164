// --volume HOST:CTR[:ro|rw], with an image and with --rootfs: binds land inside the root even
// where the root has a symlink pointing out of it.

import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hush } from './helpers';
import { buildImages, haveTools, tools, type BuiltImages } from './images-fixture';

const need = haveTools ? '' : ` (needs root, static busybox and ${tools.join(', ') || 'busybox-static'})`;
let images: BuiltImages;
let host = '';
const env = () => ({ PATH: process.env.PATH, HUSH_IMAGE_STORE: path.join(images.work, 'store') });

beforeAll(async () => {
  if (!haveTools) return;
  images = await buildImages(fs.mkdtempSync(path.join(tmpdir(), 'hush-volumes-')));
  host = path.join(images.work, 'host');
  fs.mkdirSync(host);
  fs.writeFileSync(path.join(host, 'file'), 'from the host');
  fs.writeFileSync(path.join(images.work, 'single'), 'one file');
}, 180_000);

afterAll(() => {
  if (images) fs.rmSync(images.work, { recursive: true, force: true });
});

describe.skipIf(!haveTools)(`volumes${need}`, () => {
  const shell = (flags: string[], script: string) => hush(['run', '--image', `oci:${images.layout}:shell`, '--user', '0', ...flags, '--', '/bin/sh', '-c', script], { env: env() });

  it('binds directories and files, read-write and read-only, into an image', async () => {
    const ran = await shell(['--volume', `${host}:/srv/data`, '--volume', `${images.work}/single:/etc/single:ro`], 'cat /srv/data/file; echo; cat /etc/single; echo; echo written > /srv/data/new; echo x > /etc/single 2>/dev/null || echo refused');
    expect([ran.code, ran.stdout]).toEqual([0, 'from the host\none file\nrefused\n']);
    expect(fs.readFileSync(path.join(host, 'new'), 'utf8')).toBe('written\n');
    const readOnly = await shell(['--volume', `${host}:/srv/data:ro`], 'touch /srv/data/nope 2>&1; echo $?');
    expect(readOnly.stdout).toMatch(/Read-only file system\n1\n$/);
    expect(fs.existsSync(path.join(host, 'nope'))).toBe(false);
  });

  it('resolves the container side inside a --rootfs, through its symlinks, never to the host', async () => {
    const rootfs = path.join(images.work, 'rootfs');
    fs.cpSync(path.join(images.work, 'base'), rootfs, { recursive: true, verbatimSymlinks: true });
    fs.mkdirSync(path.join(rootfs, 'inside', 'sub'), { recursive: true });
    // An absolute symlink: on the host it would name the host's /inside.
    fs.symlinkSync('/inside', path.join(rootfs, 'escape'));
    const ran = await hush(['run', '--rootfs', rootfs, '--volume', `${host}:/escape/sub`, '--', '/bin/sh', '-c', 'cat /inside/sub/file'], { env: env() });
    expect([ran.code, ran.stdout]).toEqual([0, 'from the host']);
    // A symlink that climbs: resolved in the root, it stays in the root.
    fs.symlinkSync('../../../../../..', path.join(rootfs, 'climb'));
    const climbed = await hush(['run', '--rootfs', rootfs, '--volume', `${host}:/climb/inside/sub`, '--', '/bin/sh', '-c', 'cat /inside/sub/file'], { env: env() });
    expect([climbed.code, climbed.stdout]).toEqual([0, 'from the host']);
  });

  it('refuses bad volumes with one line', async () => {
    const missing = await hush(['run', '--volume', '/nonexistent-hush:/mnt', '--', '/bin/true'], { env: env() });
    expect([missing.code, missing.stderr]).toEqual([125, 'hush: run: --volume /nonexistent-hush: ENOENT\n']);
    for (const bad of ['relative:/mnt', `${host}:/proc/x`, `${host}:/run/secrets`, `${host}:/`, `${host}:/mnt:rx`]) {
      const refused = await hush(['run', '--volume', bad, '--', '/bin/true'], { env: env() });
      expect(refused.code).toBe(125);
      expect(refused.stderr).toMatch(/^hush: run: --volume .*\n$/);
    }
  });
});
