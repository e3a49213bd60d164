import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureRuntimeDir, hushRuntimeDir } from '../../agent/runtime-dir';

describe('hushRuntimeDir', () => {
  it('is $XDG_RUNTIME_DIR/hush when set, else the fallback given, else by uid', () => {
    expect(hushRuntimeDir({ XDG_RUNTIME_DIR: '/run/user/1000' })).toBe('/run/user/1000/hush');
    expect(hushRuntimeDir({}, '/dev/shm/x')).toBe('/dev/shm/x');
    const uid = process.getuid!();
    expect(hushRuntimeDir({})).toBe(uid === 0 ? '/run/hush' : `/dev/shm/hush-${uid}`);
  });
});

describe('ensureRuntimeDir', () => {
  let base = '';
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));
  const under = (mode: number) => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'hush-runtime-'));
    fs.chmodSync(base, mode);
    return path.join(base, 'hush-1');
  };

  it('creates a missing directory 0700', async () => {
    const dir = under(0o1777);
    await ensureRuntimeDir(dir);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('refuses one that others can enter in a sticky directory, naming it', async () => {
    const dir = under(0o1777);
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    await expect(ensureRuntimeDir(dir)).rejects.toThrow(`${dir} is not a private (0700) directory owned by uid ${process.getuid!()}`);
  });

  it.skipIf(process.getuid!() !== 0)('refuses one that another user made first in a sticky directory (needs root to chown)', async () => {
    const dir = under(0o1777);
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.chownSync(dir, 12345, 12345);
    await expect(ensureRuntimeDir(dir)).rejects.toThrow('is not a private (0700) directory');
  });

  it('leaves a directory elsewhere as its owner set it up (a shared emptyDir, a RuntimeDirectory)', async () => {
    const dir = under(0o755);
    fs.mkdirSync(dir, { mode: 0o777 });
    await expect(ensureRuntimeDir(dir)).resolves.toBeUndefined();
  });
});
