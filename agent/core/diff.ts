// What changed between two renders, by bytes: files that changed, appeared or disappeared, and
// env variables that changed. The action to take follows from it: nothing when nothing
// changed, a restart when the environment changed (it cannot change in a running process),
// else the policy's on_change.

import type { OnChange } from '../config/normalize';

export interface RenderedFile {
  bytes: Uint8Array;
  mode: number;
}

export interface FileDiff {
  /** Content differs. */
  changed: string[];
  added: string[];
  removed: string[];
  /** Same content, new mode: rewrite the file, but the app need not hear of it. */
  modeOnly: string[];
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

export interface EnvDiff {
  /** Names whose value changed, appeared or disappeared. Never values. */
  changed: string[];
}

export function diffEnv(previous: Readonly<Record<string, string>>, next: Readonly<Record<string, string>>): EnvDiff {
  const names = new Set([...Object.keys(previous), ...Object.keys(next)]);
  const changed = [...names].filter(
    (n) => !Object.prototype.hasOwnProperty.call(previous, n) || !Object.prototype.hasOwnProperty.call(next, n) || previous[n] !== next[n],
  );
  return { changed: changed.sort() };
}

export type ChangeAction = OnChange | { action: 'restart'; timeoutMs: number; reason: 'env' };

/**
 * The one action for a batch of changes. Files that only appeared on the first render are not
 * a change the app must hear about (pass `initial`), and a mode-only rewrite never is.
 */
export function changeAction(
  onChange: OnChange,
  files: FileDiff,
  env: EnvDiff,
  restartTimeoutMs: number,
  initial = false,
): ChangeAction {
  if (env.changed.length > 0 && !initial) {
    return { action: 'restart', timeoutMs: onChange.action === 'restart' ? onChange.timeoutMs : restartTimeoutMs, reason: 'env' };
  }
  const contentChanged = files.changed.length + files.removed.length + (initial ? 0 : files.added.length) > 0;
  return contentChanged ? onChange : { action: 'none' };
}
