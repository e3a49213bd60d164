import { describe, expect, it } from 'vitest';
import { changeAction, diffEnv, sameBytes, type RenderedFile } from '../../agent/core/diff';
import type { OnChange } from '../../agent/config/normalize';

const f = (text: string, mode = 0o400): RenderedFile => ({ bytes: new TextEncoder().encode(text), mode });

describe('sameBytes', () => {
  it('compares bytes, not lengths', () => {
    expect(sameBytes(f('abc').bytes, f('abd').bytes)).toBe(false);
    expect(sameBytes(f('abc').bytes, f('abc').bytes)).toBe(true);
    const big = new Uint8Array(10).fill(1);
    expect(sameBytes(big.subarray(2, 5), new Uint8Array([1, 1, 1]))).toBe(true);
  });
});

describe('diffEnv', () => {
  it('names changed, added and removed variables', () => {
    expect(diffEnv({ A: '1', B: '2', C: '3' }, { A: '1', B: '22', D: '4' })).toEqual({ changed: ['B', 'C', 'D'] });
    expect(diffEnv({ A: '1' }, { A: '1' })).toEqual({ changed: [] });
  });
});

describe('changeAction', () => {
  const sighup: OnChange = { action: 'signal', signal: 'SIGHUP' };
  const none = { changed: [], added: [], removed: [], modeOnly: [] };

  it.each<[string, Parameters<typeof changeAction>, ReturnType<typeof changeAction>]>([
    ['nothing changed → none', [sighup, none, { changed: [] }, 10_000], { action: 'none' }],
    ['mode only → none', [sighup, { ...none, modeOnly: ['a'] }, { changed: [] }, 10_000], { action: 'none' }],
    ['a file changed → on_change', [sighup, { ...none, changed: ['a', 'b'] }, { changed: [] }, 10_000], sighup],
    ['a file removed → on_change', [sighup, { ...none, removed: ['a'] }, { changed: [] }, 10_000], sighup],
    ['first render: files appearing are no change', [sighup, { ...none, added: ['a'] }, { changed: [] }, 10_000, true], { action: 'none' }],
    ['env changed → restart whatever on_change says', [sighup, { ...none, changed: ['a'] }, { changed: ['X'] }, 10_000], { action: 'restart', timeoutMs: 10_000, reason: 'env' }],
    ['env changed with on_change none → restart', [{ action: 'none' }, none, { changed: ['X'] }, 5_000], { action: 'restart', timeoutMs: 5_000, reason: 'env' }],
    ['env changed keeps the policy restart timeout', [{ action: 'restart', timeoutMs: 3_000 }, none, { changed: ['X'] }, 10_000], { action: 'restart', timeoutMs: 3_000, reason: 'env' }],
  ])('%s', (_n, args, expected) => {
    expect(changeAction(...args)).toEqual(expected);
  });
});
