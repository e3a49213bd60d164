import { describe, expect, it } from 'vitest';
import { resolveUser } from '../../launcher/images/image-user';
import { hostPlatform, parseConfig, parseManifest, selectPlatform } from '../../launcher/images/manifest';

const passwd = 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:app:/home/app:/bin/sh\nbroken line\n';
const group = 'root:x:0:\nstaff:x:50:\napp:x:1001:\n';
const d = (hex: string) => `sha256:${hex.repeat(64)}`;

describe("an image's user", () => {
  it.each([
    ['app', { uid: 1000, gid: 1001, home: '/home/app' }],
    ['app:staff', { uid: 1000, gid: 50, home: '/home/app' }],
    ['1000', { uid: 1000, gid: 1001, home: '/home/app' }],
    ['1000:7', { uid: 1000, gid: 7, home: '/home/app' }],
    ['4242', { uid: 4242, gid: 4242 }],
    ['4242:staff', { uid: 4242, gid: 50 }],
    ['0', { uid: 0, gid: 0, home: '/root' }],
  ])('%s', (spec, expected) => {
    expect(resolveUser(spec, passwd, group)).toEqual(expected);
  });

  it.each([
    ['nobody', "no user 'nobody'"],
    ['app:wheel', "no group 'wheel'"],
    ['a:b:c', 'USER[:GROUP]'],
    [':50', 'USER[:GROUP]'],
  ])('refuses %s', (spec, why) => {
    expect(() => resolveUser(spec, passwd, group)).toThrow(why);
  });

  it('works without /etc/passwd for numeric users only', () => {
    expect(resolveUser('7:8', undefined, undefined)).toEqual({ uid: 7, gid: 8 });
    expect(() => resolveUser('app', undefined, undefined)).toThrow("no user 'app'");
  });
});

describe('manifests and platforms', () => {
  const index = (platforms: object[]) => Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: platforms.map((platform, i) => ({ digest: d(String(i)), size: 1, platform })) }));

  it('picks linux/<this arch>, preferring the matching variant', () => {
    const parsed = parseManifest(index([{ os: 'linux', architecture: 'arm64', variant: 'v7' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }, { os: 'windows', architecture: 'amd64' }]), 'x');
    expect(parsed.kind).toBe('index');
    if (parsed.kind !== 'index') return;
    expect(selectPlatform(parsed.manifests, hostPlatform('arm64')).digest).toBe(d('1'));
    expect(() => selectPlatform(parsed.manifests, hostPlatform('x64'))).toThrow('no manifest for linux/amd64 (the index has linux/arm64/v7, linux/arm64/v8, windows/amd64)');
  });

  it('reads Docker schema 2 and OCI manifests; refuses schema 1 and bad descriptors', () => {
    const manifest = { schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: { digest: d('a'), size: 2 }, layers: [{ digest: d('b'), size: 3 }] };
    expect(parseManifest(Buffer.from(JSON.stringify(manifest)), 'x')).toEqual({ kind: 'manifest', manifest: { config: manifest.config, layers: manifest.layers } });
    expect(() => parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 1 })), 'where')).toThrow('where: schemaVersion 1 is not supported');
    expect(() => parseManifest(Buffer.from(JSON.stringify({ ...manifest, layers: [{ digest: 'md5:x' }] })), 'where')).toThrow('sha256 digest');
    expect(() => parseManifest(Buffer.from('not json'), 'where')).toThrow('where: not a JSON object');
  });

  it('checks the config', () => {
    expect(parseConfig(Buffer.from(JSON.stringify({ rootfs: { type: 'layers', diff_ids: [d('c')] }, config: { Cmd: ['a'] } })), 'x').config?.Cmd).toEqual(['a']);
    expect(() => parseConfig(Buffer.from(JSON.stringify({ rootfs: { diff_ids: ['nope'] } })), 'cfg')).toThrow('cfg: config without sha256 rootfs.diff_ids');
    expect(() => parseConfig(Buffer.from(JSON.stringify({ rootfs: { diff_ids: [] }, config: { Entrypoint: 'sh -c' } })), 'cfg')).toThrow('lists of strings');
  });
});
