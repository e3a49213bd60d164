// readFromLayers: a file of an image read from its layers as the overlay would show it.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFromLayers } from '../../launcher/images/layer-files';

let work = '';
let top = '';
let bottom = '';
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'hush-layer-files-'));
  [top, bottom] = ['top', 'bottom'].map((name) => path.join(work, name));
  for (const dir of [top, bottom]) fs.mkdirSync(path.join(dir, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(bottom, 'etc', 'passwd'), 'bottom\n');
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

describe('readFromLayers', () => {
  it('takes the topmost layer that has the file', () => {
    expect(readFromLayers([top, bottom], '/etc/passwd')).toBe('bottom\n');
    fs.writeFileSync(path.join(top, 'etc', 'passwd'), 'top\n');
    expect(readFromLayers([top, bottom], '/etc/passwd')).toBe('top\n');
  });
  it.skipIf(process.getuid?.() !== 0)('a whiteout above hides it (needs root for mknod)', () => {
    execFileSync('mknod', [path.join(top, 'etc', 'passwd'), 'c', '0', '0']);
    expect(readFromLayers([top, bottom], '/etc/passwd')).toBeUndefined();
  });
  it('never follows a symlink, and a non-directory on the way hides the lower layers', () => {
    fs.rmSync(path.join(top, 'etc'), { recursive: true });
    fs.symlinkSync(path.join(bottom, 'etc'), path.join(top, 'etc'));
    expect(readFromLayers([top, bottom], '/etc/passwd')).toBeUndefined();
    fs.writeFileSync(path.join(work, 'secret'), 'host\n');
    fs.symlinkSync(path.join(work, 'secret'), path.join(bottom, 'etc', 'group'));
    expect(readFromLayers([bottom], '/etc/group')).toBeUndefined();
  });
});
