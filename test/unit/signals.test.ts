// One set of app signals: what `hush run` forwards and on_change may send (TypeScript), and what
// hush-init forwards to the app (C), read from the addon.
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { appSignals } from '../../agent/core/signals';
import { native } from '../../native';

describe('the app signals', () => {
  it('are the same set in the launcher and in hush-init', () => {
    const launcher = appSignals.map((name) => constants.signals[name]).sort((a, b) => a - b);
    expect(native().forwardedSignals().sort((a, b) => a - b)).toEqual(launcher);
  });
});
