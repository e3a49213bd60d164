import { describe, expect, it } from 'vitest';
import { startFailure } from '../../launcher/container';
import { errorStatus } from '../../launcher/errors';
import type { NativeError } from '../../native';

const failure = (syscall: string, code: string, path?: string, setup = true): NativeError =>
  Object.assign(new Error(`${syscall}${path ? ` ${path}` : ''}: ${code}`), { syscall, code, errno: 1, path, setup });

describe('a failed start: status and line', () => {
  it.each([
    [failure('exec', 'ENOENT', 'app'), 127, "cannot run 'app': not found"],
    [failure('exec', 'EACCES', '/etc/passwd'), 126, "cannot run '/etc/passwd': permission denied"],
    [failure('exec', 'ENOEXEC', '/bin/x'), 126, "cannot run '/bin/x': exec format error"],
    [failure('exec', 'EISDIR', '/usr'), 126, "cannot run '/usr': is a directory"],
    [failure('exec', 'ELOOP', '/a'), 126, "cannot run '/a': ELOOP"],
    [failure('exec', 'ENOENT', 'hush-init'), 125, 'container setup failed: exec hush-init: ENOENT'],
    [failure('chdir', 'ENOENT', '/nope'), 125, 'container setup failed: chdir /nope: ENOENT'],
    [failure('mount', 'EROFS', '/srv/x'), 125, 'container setup failed: /srv/x does not exist, and the root is read-only: create it, or put it under /tmp or /run'],
    [failure('secrets-dir', 'EINVAL', '/proc'), 125, "run: --secrets-dir resolves to '/proc' inside the root: it would cover / or lie in /proc, /sys or /dev"],
    [failure('clone', 'ENOMEM', undefined, false), 125, 'run: clone: ENOMEM'],
  ])('%s → %i', (err, status, line) => {
    const failure = startFailure(err);
    expect(errorStatus('run', failure)).toBe(status);
    expect(failure.message).toBe(line);
    expect(failure.cause).toBe(err);
  });
});
