// Three-way merge by entry, on decrypted values. Pure. An entry changed on one side only takes
// that side; changed the same way on both sides is fine; changed differently is a conflict.

import { bytesEqual } from './encoding';
import type { EntryValue } from './entries';
import { compareNames } from './names';

export interface MergeResult {
  merged: Map<string, EntryValue>;
  /** Which side each merged entry was taken from, to reuse its sealed bytes. */
  from: Map<string, 'ours' | 'theirs'>;
  conflicts: string[];
}

function same(a: EntryValue | undefined, b: EntryValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return bytesEqual(a.value, b.value);
}

export function mergeEntries(
  base: ReadonlyMap<string, EntryValue>,
  ours: ReadonlyMap<string, EntryValue>,
  theirs: ReadonlyMap<string, EntryValue>,
): MergeResult {
  const names = new Set([...base.keys(), ...ours.keys(), ...theirs.keys()]);
  const merged = new Map<string, EntryValue>();
  const from = new Map<string, 'ours' | 'theirs'>();
  const conflicts: string[] = [];
  for (const name of [...names].sort(compareNames)) {
    const b = base.get(name);
    const o = ours.get(name);
    const t = theirs.get(name);
    let pick: 'ours' | 'theirs' | 'conflict';
    if (same(o, t)) pick = 'ours';
    else if (same(b, o)) pick = 'theirs';
    else if (same(b, t)) pick = 'ours';
    else pick = 'conflict';
    if (pick === 'conflict') {
      conflicts.push(name);
      continue;
    }
    const item = pick === 'ours' ? o : t;
    if (item) {
      merged.set(name, item);
      from.set(name, pick);
    }
  }
  return { merged, from, conflicts };
}
