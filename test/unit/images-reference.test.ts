import { describe, expect, it } from 'vitest';
import { parseImageRef, refName } from '../../launcher/images/reference';

const digest = `sha256:${'a'.repeat(64)}`;

describe('image references', () => {
  it.each([
    ['busybox', { kind: 'registry', host: 'docker.io', repository: 'library/busybox', tag: 'latest' }],
    ['busybox:1.36', { kind: 'registry', host: 'docker.io', repository: 'library/busybox', tag: '1.36' }],
    ['user/app', { kind: 'registry', host: 'docker.io', repository: 'user/app', tag: 'latest' }],
    ['docker.io/library/alpine:3', { kind: 'registry', host: 'docker.io', repository: 'library/alpine', tag: '3' }],
    ['index.docker.io/alpine', { kind: 'registry', host: 'docker.io', repository: 'library/alpine', tag: 'latest' }],
    ['127.0.0.1:5000/team/app:v1', { kind: 'registry', host: '127.0.0.1:5000', repository: 'team/app', tag: 'v1' }],
    ['localhost/app', { kind: 'registry', host: 'localhost', repository: 'app', tag: 'latest' }],
    [`quay.io/org/app@${digest}`, { kind: 'registry', host: 'quay.io', repository: 'org/app', digest }],
    [`ghcr.io/o/a:t@${digest}`, { kind: 'registry', host: 'ghcr.io', repository: 'o/a', tag: 't', digest }],
    ['docker://alpine', { kind: 'registry', host: 'docker.io', repository: 'library/alpine', tag: 'latest' }],
    ['docker-archive:img.tar', { kind: 'docker-archive', path: '/w/img.tar' }],
    ['docker-archive:/x/img.tar:app:v2', { kind: 'docker-archive', path: '/x/img.tar', pick: 'app:v2' }],
    ['./saved.tar', { kind: 'docker-archive', path: '/w/saved.tar' }],
    ['oci-archive:/x/a.tar', { kind: 'oci-archive', path: '/x/a.tar' }],
    ['oci-archive:a.tar:v1', { kind: 'oci-archive', path: '/w/a.tar', tag: 'v1' }],
    ['oci:layout', { kind: 'oci-layout', dir: '/w/layout' }],
    ['oci:/l:latest', { kind: 'oci-layout', dir: '/l', tag: 'latest' }],
    ['app.aci', { kind: 'aci', path: '/w/app.aci' }],
  ])('%s', (text, expected) => {
    expect(parseImageRef(text, '/w')).toEqual(expected);
  });

  it.each([
    ['', 'empty'],
    ['Upper/Case', 'lowercase'],
    ['app:bad tag', 'valid tag'],
    ['app@sha256:short', 'digest'],
    ['/abs/dir', 'docker-archive:'],
    ['docker-archive:', 'needs a path'],
    ['docker-archive:x.tar:notag', 'NAME:TAG'],
    ['docker:alpine', 'docker://'],
    ['bad_host:5000:x/app', 'not a valid'],
  ])('refuses %j', (text, why) => {
    expect(() => parseImageRef(text, '/w')).toThrow(why);
  });

  it('names images by their canonical form', () => {
    expect(refName(parseImageRef('busybox', '/'))).toBe('docker.io/library/busybox:latest');
    expect(refName(parseImageRef('oci:l:v1', '/w'))).toBe('oci:/w/l:v1');
    expect(refName(parseImageRef(`a@${digest}`, '/'))).toBe(`docker.io/library/a@${digest}`);
  });
});
