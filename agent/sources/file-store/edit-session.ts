// `hush store edit`: decrypt into a private memory-only directory, run the editor on a
// NAME=value view, loop on parse errors, and save with a three-way merge when the store changed
// meanwhile. The store is not locked while the editor is open; conflicting edits re-open the
// editor with both versions marked. The directory is removed on every exit path.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { E } from './errors';
import { HushError } from '../../errors';
import { bytesEqual } from './encoding';
import { formatDotenvValue, parseDotenv } from './dotenv';
import { createEditDir } from './edit-dir';
import type { EntryValue } from './entries';
import { mergeEntries } from './merge';
import { compareNames } from './names';
import { sealChanges } from './model';
import { StoreCredentials } from './credentials';
import { openStore, rewriteStore, WriteOptions } from './store-file';

export interface EditOptions extends WriteOptions {
  env: NodeJS.ProcessEnv;
  allowDiskTemp: boolean;
  /** Runs the editor on the file and resolves with its exit status. */
  runEditor(file: string): Promise<number>;
  /** Registers a cleanup for signals; returns its unregister function. */
  onCleanup?(fn: () => void): () => void;
  log?(line: string): void;
}

export type EditResult = { status: 'unchanged' } | { status: 'saved'; changed: number; merged: boolean };

const header =
  '# hush store edit: one NAME=value per line. Double quotes take \\n \\t \\" \\\\ and \\xNN.\n' +
  '# Delete a line to delete the entry. Save and quit to apply; an empty file changes nothing.\n';
const errorPrefix = '# ERROR: ';

function renderView(values: ReadonlyMap<string, Uint8Array>, conflicts = new Map<string, [Uint8Array | undefined, Uint8Array | undefined]>()): string {
  const names = [...new Set([...values.keys(), ...conflicts.keys()])].sort(compareNames);
  let out = header;
  for (const name of names) {
    const conflict = conflicts.get(name);
    if (conflict) {
      const [mine, theirs] = conflict;
      out += '<<<<<<< yours\n' + (mine ? `${name}=${formatDotenvValue(mine)}\n` : `# (you deleted ${name})\n`);
      out += '=======\n' + (theirs ? `${name}=${formatDotenvValue(theirs)}\n` : `# (deleted in the store)\n`);
      out += '>>>>>>> store\n';
    } else {
      out += `${name}=${formatDotenvValue(values.get(name)!)}\n`;
    }
  }
  return out;
}

function stripErrors(text: string): string {
  return text.split('\n').filter((l) => !l.startsWith(errorPrefix)).join('\n');
}

function valuesOf(map: ReadonlyMap<string, EntryValue>): Map<string, Uint8Array> {
  return new Map([...map].map(([k, v]) => [k, v.value]));
}

function sameValues(a: ReadonlyMap<string, Uint8Array>, b: ReadonlyMap<string, Uint8Array>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || !bytesEqual(v, w)) return false;
  }
  return true;
}

class EditConflict extends Error {
  constructor(readonly current: Map<string, Uint8Array>, readonly conflicts: string[]) {
    super('conflict');
  }
}

export async function editStore(storePath: string, credentials: StoreCredentials, options: EditOptions): Promise<EditResult> {
  const log = options.log ?? (() => {});
  const opened = await openStore(storePath, credentials);
  const edit = createEditDir(options.env, options.allowDiskTemp);
  const unregister = options.onCleanup?.(() => edit.remove()) ?? (() => {});
  try {
    const file = path.join(edit.dir, `${path.basename(storePath)}.env`);
    let base = valuesOf(opened.values);
    fs.writeFileSync(file, renderView(base), { mode: 0o600, flag: 'wx' });
    let lastFailed: string | undefined;
    for (;;) {
      const status = await options.runEditor(file);
      if (status !== 0) throw E.HUSH_ERR_STORE_EDITOR(`exited with status ${status}; the store was not changed`);
      const text = fs.readFileSync(file, 'utf8');
      const body = stripErrors(text);
      if (body.split('\n').every((l) => l.trim() === '' || l.trim().startsWith('#'))) {
        // An emptied file is far more often a mistake (or a crashed editor) than a wish to
        // delete everything; deleting entries is what `rm` is for.
        log('the file has no entries left; the store was not changed (use rm to delete entries)');
        return { status: 'unchanged' };
      }
      let edited: Map<string, Uint8Array>;
      try {
        edited = parseDotenv(body, 'edit');
      } catch (err) {
        if (!(err instanceof HushError)) throw err;
        if (lastFailed === body) throw E.HUSH_ERR_STORE_EDITOR(`the file still does not parse (${err.message}); the store was not changed`);
        lastFailed = body;
        log(`${err.message}; re-opening the editor`);
        fs.writeFileSync(file, `${errorPrefix}${err.message}\n${body}`, { mode: 0o600 });
        continue;
      }
      lastFailed = undefined;
      if (sameValues(edited, base)) {
        log('no changes');
        return { status: 'unchanged' };
      }
      try {
        const baseNow = base;
        let merged = false;
        let changedCount = 0;
        await rewriteStore(storePath, credentials, (ctx) => {
          const current = valuesOf(ctx.current.values);
          let target = edited;
          if (!sameValues(current, baseNow)) {
            const wrapEv = (m: Map<string, Uint8Array>) => new Map([...m].map(([k, v]) => [k, { value: v, updatedAt: '' }]));
            const result = mergeEntries(wrapEv(baseNow), wrapEv(edited), wrapEv(current));
            if (result.conflicts.length > 0) throw new EditConflict(current, result.conflicts);
            target = valuesOf(result.merged);
            merged = true;
          }
          const stamp = ctx.now();
          const changes = new Map<string, EntryValue | null>();
          for (const name of current.keys()) if (!target.has(name)) changes.set(name, null);
          for (const [name, value] of target) {
            const old = current.get(name);
            if (!old || !bytesEqual(old, value)) changes.set(name, { value, updatedAt: stamp });
          }
          changedCount = changes.size;
          if (changes.size === 0) return undefined;
          return sealChanges(ctx.current, changes, ctx.sealOptions);
        }, options);
        return { status: 'saved', changed: changedCount, merged };
      } catch (err) {
        if (!(err instanceof EditConflict)) throw err;
        const conflicts = new Map<string, [Uint8Array | undefined, Uint8Array | undefined]>();
        for (const name of err.conflicts) conflicts.set(name, [edited.get(name), err.current.get(name)]);
        const view = new Map(err.current);
        for (const [name, value] of edited) if (!err.conflicts.includes(name) && !(base.has(name) && bytesEqual(base.get(name)!, value))) view.set(name, value);
        for (const name of base.keys()) if (!edited.has(name) && !err.conflicts.includes(name)) view.delete(name);
        log(`the store changed while you edited, and ${err.conflicts.map((n) => `"${n}"`).join(', ')} changed on both sides; re-opening the editor`);
        base = err.current;
        fs.writeFileSync(file, renderView(view, conflicts), { mode: 0o600 });
      }
    }
  } finally {
    edit.remove();
    unregister();
  }
}
