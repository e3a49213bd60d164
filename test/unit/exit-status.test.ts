// The one table from outcome to exit status (launcher/errors.ts, SPEC.md).
import { describe, expect, it } from 'vitest';
import { storeErrors } from '../../agent/errors';
import { errorStatus, exitStatus, runErrors, UsageError } from '../../launcher/errors';

describe('errorStatus', () => {
  it.each<[string, string | undefined, unknown, number]>([
    ['a usage error of store', 'store', new UsageError('x'), 2],
    ['a usage error of hush itself', undefined, new UsageError('x'), 2],
    ['a failed store operation', 'store', storeErrors.HUSH_ERR_STORE_NO_ENTRY('s', 'n'), 1],
    ['an internal error of status', 'status', new TypeError('bug'), 1],
    ['a usage error of run', 'run', new UsageError('x'), 125],
    ['a setup failure of run', 'run', runErrors.HUSH_ERR_RUN_SETUP('chdir /nope: ENOENT'), 125],
    ['a command that cannot be executed', 'run', runErrors.HUSH_ERR_RUN_CANNOT_EXECUTE('/etc/passwd', 'EACCES'), 126],
    ['a command that is not found', 'run', runErrors.HUSH_ERR_RUN_NOT_FOUND('nope'), 127],
    ['an internal error of run', 'run', new TypeError('bug'), 125],
  ])('%s', (_, command, err, status) => {
    expect(errorStatus(command, err)).toBe(status);
  });

  it('names the statuses of SPEC.md', () => {
    expect(exitStatus).toEqual({ ok: 0, failed: 1, usage: 2, runFailed: 125, cannotExecute: 126, notFound: 127, signalBase: 128 });
    expect(Object.isFrozen(exitStatus)).toBe(true);
  });
});
