// The layer unpacker against archives made here, hostile ones included: nothing may land
// outside the layer directory, whatever the entries say.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { unpackLayer } from '../../launcher/images/unpack';
import { Decompressor } from '../../launcher/images/compression';
import { gzip, makeTar, type FixtureEntry } from './images-fixtures';

const isRoot = process.getuid?.() === 0;
const hasSetcap = (() => {
  try {
    execFileSync('setcap', ['-v', 'cap_chown=ep', '/dev/null'], { stdio: 'ignore' });
  } catch (err) {
    return (err as { status?: number }).status !== undefined;
  }
  return true;
})();
let work = '';
let layer = '';
let outside = '';

beforeEach(() => {
  work = fs.mkdtempSync(path.join(tmpdir(), 'hush-unpack-'));
  layer = path.join(work, 'layer');
  outside = path.join(work, 'outside');
  fs.mkdirSync(layer);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'victim'), 'original');
});

afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

async function unpack(entries: FixtureEntry[]): Promise<void> {
  await unpackLayer(Readable.from([await makeTar(entries)]), layer, { asRoot: isRoot, layer: 'test' });
}

function xattr(file: string, key: string): string | undefined {
  const out = execFileSync('python3', ['-c', 'import os,sys\ntry: sys.stdout.write(os.getxattr(sys.argv[1], sys.argv[2], follow_symlinks=False).hex())\nexcept OSError: pass', file, key]);
  return out.length > 0 ? out.toString() : undefined;
}

function outsideUntouched(): void {
  expect(fs.readdirSync(outside)).toEqual(['victim']);
  expect(fs.readFileSync(path.join(outside, 'victim'), 'utf8')).toBe('original');
}

describe('unpacking a layer', () => {
  it('keeps files, modes, owners, mtimes, links, a name with a space and capabilities', async () => {
    await unpack([
      { name: 'bin/', type: 'directory', mode: 0o755, mtime: new Date(1_500_000_000_000) },
      { name: 'bin/tool', body: '#!/bin/sh\n', mode: 0o4755, uid: 1234, gid: 5678 },
      { name: 'etc/with space.conf', body: 'spaced' },
      { name: 'bin/alias', type: 'symlink', linkname: 'tool' },
      { name: 'bin/hard', type: 'link', linkname: 'bin/tool' },
      { name: 'run/pipe', type: 'fifo', mode: 0o600 },
    ]);
    const tool = fs.statSync(path.join(layer, 'bin/tool'));
    expect(tool.mode & 0o7777).toBe(0o4755);
    expect(tool.mtimeMs).toBe(1_600_000_000_000);
    expect(fs.statSync(path.join(layer, 'bin')).mtimeMs).toBe(1_500_000_000_000);
    expect(fs.readFileSync(path.join(layer, 'etc/with space.conf'), 'utf8')).toBe('spaced');
    expect(fs.readlinkSync(path.join(layer, 'bin/alias'))).toBe('tool');
    expect(fs.statSync(path.join(layer, 'bin/hard')).ino).toBe(tool.ino);
    expect(fs.lstatSync(path.join(layer, 'run/pipe')).isFIFO()).toBe(true);
    if (isRoot) {
      expect([tool.uid, tool.gid]).toEqual([1234, 5678]);
    }
  });

  it.skipIf(!isRoot || !hasSetcap)('keeps a security.capability xattr byte for byte, from a GNU tar archive (needs root, setcap)', async () => {
    // cap_setuid (bit 7) puts a byte above 0x7f in the xattr, which a UTF-8 decoding would spoil.
    const source = path.join(work, 'source');
    fs.mkdirSync(source);
    fs.writeFileSync(path.join(source, 'ping'), 'binary');
    execFileSync('setcap', ['cap_setuid,cap_net_bind_service+ep', path.join(source, 'ping')]);
    const tar = execFileSync('tar', ['--xattrs', '--xattrs-include=security.capability', '-C', source, '-cf', '-', 'ping']);
    await unpackLayer(Readable.from([tar]), layer, { asRoot: true, layer: 'test' });
    expect(xattr(path.join(layer, 'ping'), 'security.capability')).toBe(xattr(path.join(source, 'ping'), 'security.capability'));
    expect(execFileSync('getcap', [path.join(layer, 'ping')]).toString()).toMatch(/cap_setuid,cap_net_bind_service=ep/);
  });

  it.skipIf(!isRoot)('makes device nodes as root', async () => {
    await unpack([{ name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 }]);
    const st = fs.lstatSync(path.join(layer, 'dev/null'));
    expect(st.isCharacterDevice()).toBe(true);
    expect(st.rdev).toBe(fs.statSync('/dev/null').rdev);
  });

  it('turns .wh. files and opaque markers into overlay whiteouts', async () => {
    await unpack([
      { name: 'etc/.wh.gone' },
      { name: 'var/cache/.wh..wh..opq' },
      { name: 'var/cache/new', body: 'kept' },
    ]);
    const whiteout = fs.lstatSync(path.join(layer, 'etc/gone'));
    expect(whiteout.isCharacterDevice()).toBe(true);
    expect(whiteout.rdev).toBe(0);
    expect(fs.existsSync(path.join(layer, 'etc/.wh.gone'))).toBe(false);
    expect(xattr(path.join(layer, 'var/cache'), isRoot ? 'trusted.overlay.opaque' : 'user.overlay.opaque')).toBe(Buffer.from('y').toString('hex'));
    expect(fs.readFileSync(path.join(layer, 'var/cache/new'), 'utf8')).toBe('kept');
  });

  it('decompresses gzip and zstd and passes plain tars', async () => {
    const tar = await makeTar([{ name: 'a', body: 'x'.repeat(100_000) }]);
    const zstd = execFileSync('zstd', ['-q', '-c'], { input: tar });
    for (const bytes of [tar, gzip(tar), zstd]) {
      const out: Buffer[] = [];
      for await (const chunk of Readable.from([bytes.subarray(0, 3), bytes.subarray(3)]).pipe(new Decompressor())) out.push(chunk as Buffer);
      expect(Buffer.concat(out).equals(tar)).toBe(true);
    }
  });
});

describe('hostile layers', () => {
  const refused = (entries: FixtureEntry[]) => expect(unpack(entries)).rejects.toMatchObject({ code: 'HUSH_ERR_IMAGE_UNSAFE_ENTRY' });

  it("refuses a name with '..'", async () => {
    await refused([{ name: '../outside/victim', body: 'pwned' }]);
    await refused([{ name: 'a/../../outside/victim', body: 'pwned' }]);
    outsideUntouched();
  });

  it('puts an absolute name inside the layer', async () => {
    const target = path.join(outside, 'abs');
    await unpack([{ name: target, body: 'inside' }]);
    expect(fs.readFileSync(path.join(layer, target), 'utf8')).toBe('inside');
    outsideUntouched();
  });

  it('never writes through a symlink the layer made', async () => {
    await refused([
      { name: 'link', type: 'symlink', linkname: outside },
      { name: 'link/victim', body: 'pwned' },
    ]);
    await refused([
      { name: 'up', type: 'symlink', linkname: '../outside' },
      { name: 'up/new', body: 'pwned' },
    ]);
    outsideUntouched();
  });

  it('replaces a symlink by a later file of the same name instead of following it', async () => {
    await unpack([
      { name: 'victim', type: 'symlink', linkname: path.join(outside, 'victim') },
      { name: 'victim', body: 'inside' },
    ]);
    expect(fs.lstatSync(path.join(layer, 'victim')).isFile()).toBe(true);
    outsideUntouched();
  });

  it('refuses hard links that point out of the layer', async () => {
    await refused([{ name: 'h', type: 'link', linkname: '../outside/victim' }]);
    await refused([{ name: 'h', type: 'link', linkname: path.join(outside, 'victim') }]);
    await refused([
      { name: 'l', type: 'symlink', linkname: outside },
      { name: 'h', type: 'link', linkname: 'l/victim' },
    ]);
    outsideUntouched();
    expect(fs.statSync(path.join(outside, 'victim')).nlink).toBe(1);
  });

  it('refuses a whiteout that climbs out', async () => {
    await refused([{ name: '../outside/.wh.victim' }]);
    await refused([
      { name: 'l', type: 'symlink', linkname: outside },
      { name: 'l/.wh.victim' },
    ]);
    outsideUntouched();
  });

  it('fails on a truncated tar', async () => {
    const tar = await makeTar([{ name: 'big', body: 'y'.repeat(10_000) }]);
    await expect(unpackLayer(Readable.from([tar.subarray(0, 3000)]), layer, { asRoot: isRoot, layer: 'test' })).rejects.toThrow();
  });
});
