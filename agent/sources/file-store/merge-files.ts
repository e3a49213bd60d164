// `hush store merge BASE OURS THEIRS`: the git merge driver. Opens all three versions, merges
// by entry, and writes the result over OURS (as git expects) with a fresh MAC and generation
// max(ours, theirs) + 1. The key section comes from ours, unless only theirs changed it (a
// passwd or rotate on their branch). Entries taken unchanged keep their sealed bytes when they
// were sealed under the result's key, so the merged file diffs cleanly against both parents.

import { E } from './errors';
import { writeFileAtomic } from './atomic-write';
import { StoreCredentials, resolveCredentials } from './credentials';
import { bytesEqual, encodeUtf8 } from './encoding';
import { SealedEntry, parseStore, serializeStore, serializeWrap } from './format';
import { mergeEntries } from './merge';
import { OpenedStore, openDoc, sealAll } from './model';
import { checkWritableTarget, readStoreFile } from './read-file';
import { openStoreBytes } from './store-file';
import type { RandomBytes } from './wrap';
import nacl from 'tweetnacl';

async function openSide(path: string, creds: ReturnType<typeof resolveCredentials>, emptyOk: boolean): Promise<OpenedStore | undefined> {
  const bytes = await readStoreFile(path);
  if (emptyOk && bytes.length === 0) return undefined; // git gives an empty base when both sides added the file
  return openStoreBytes(bytes, creds, path);
}

export interface MergeOutcome {
  conflicts: string[];
  entries: number;
}

export async function mergeStoreFiles(
  basePath: string,
  oursPath: string,
  theirsPath: string,
  credentials: StoreCredentials,
  options: { rand?: RandomBytes } = {},
): Promise<MergeOutcome> {
  const creds = resolveCredentials(credentials);
  const rand = options.rand ?? ((n: number) => nacl.randomBytes(n));
  const ours = (await openSide(oursPath, creds, false))!;
  const theirs = (await openSide(theirsPath, creds, false))!;
  const base = await openSide(basePath, creds, true);
  const { merged, from, conflicts } = mergeEntries(base?.values ?? new Map(), ours.values, theirs.values);
  if (conflicts.length > 0) throw E.HUSH_ERR_STORE_MERGE_ENTRY(oursPath, conflicts);

  const wrapText = (s: OpenedStore) => serializeWrap(s.doc.wrap);
  const useTheirsKey = base !== undefined && wrapText(ours) === wrapText(base) && wrapText(theirs) !== wrapText(base);
  const keySide = useTheirsKey ? theirs : ours;
  const keep = new Map<string, SealedEntry>();
  for (const [name, side] of from) {
    const source = side === 'ours' ? ours : theirs;
    const other = side === 'ours' ? theirs : ours;
    for (const s of [source, other]) {
      const entry = s.doc.entries.get(name);
      const item = s.values.get(name);
      if (entry && item && bytesEqual(s.fk, keySide.fk) && bytesEqual(item.value, merged.get(name)!.value)) {
        keep.set(name, entry);
        break;
      }
    }
  }
  const generation = Math.max(ours.doc.generation, theirs.doc.generation) + 1;
  const sealOptions = creds.identity ? { rand, signer: creds.identity } : { rand };
  const next = sealAll(keySide.doc.wrap, keySide.fk, generation, merged, sealOptions, keep);
  const bytes = encodeUtf8(serializeStore(next.doc));
  openDoc(parseStore(bytes, oursPath), next.fk, oursPath); // self-check before touching the file
  const target = await checkWritableTarget(oursPath);
  writeFileAtomic(oursPath, bytes, target.mode);
  return { conflicts: [], entries: merged.size };
}
