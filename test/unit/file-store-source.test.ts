// The file store as a source: keys found, missing and failing, and the warning when a store
// goes back to an older generation (a rollback, or an old copy restored).
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../agent/log';
import { createFileStoreSource } from '../../agent/sources/file-store-source';
import type { StoreReader, StoreSnapshot } from '../../agent/sources/file-store';

function readerOf(snapshots: (StoreSnapshot | Error)[]): StoreReader {
  let i = 0;
  return {
    read: async () => {
      const next = snapshots[Math.min(i++, snapshots.length - 1)];
      if (next instanceof Error) throw next;
      return next;
    },
  };
}

const snapshot = (generation: number, entries: Record<string, string>): StoreSnapshot => ({
  generation,
  entries: new Map(Object.entries(entries).map(([k, v]) => [k, { value: Buffer.from(v), updatedAt: '2026-11-28T00:00:00Z' }])),
});

function setup(snapshots: (StoreSnapshot | Error)[]) {
  const lines: string[] = [];
  const source = createFileStoreSource({
    name: 'web/dev',
    path: '/srv/dev.hush',
    credentials: {},
    logger: createLogger({ write: (l) => lines.push(l), format: 'text', level: 'debug' }),
    reader: readerOf(snapshots),
  });
  return { source, lines };
}

describe('file store source', () => {
  it('returns values, and missing keys as missing with the store named', async () => {
    const { source } = setup([snapshot(3, { 'db/password': 'hunter2' })]);
    const results = await source.fetch(['db/password', 'nope']);
    expect(results.get('db/password')).toEqual({
      ok: true,
      secret: { key: 'db/password', data: Buffer.from('hunter2'), version: 'generation 3' },
    });
    expect(results.get('nope')).toEqual({ ok: false, missing: true, reason: "no entry 'nope' in store /srv/dev.hush" });
  });

  it('reports a store that cannot be read as a failure of every key, not as missing', async () => {
    const { source } = setup([new Error('/srv/dev.hush: the file MAC does not match')]);
    const results = await source.fetch(['a', 'b']);
    for (const key of ['a', 'b']) {
      expect(results.get(key)).toEqual({ ok: false, missing: false, reason: '/srv/dev.hush: the file MAC does not match' });
    }
  });

  it('warns when the generation goes back, and only then', async () => {
    const { source, lines } = setup([snapshot(5, { a: '1' }), snapshot(6, { a: '2' }), snapshot(4, { a: '0' }), snapshot(7, { a: '3' })]);
    await source.fetch(['a']);
    await source.fetch(['a']);
    expect(lines).toEqual([]);
    await source.fetch(['a']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/went back to an older generation.*generation=4 seen=6/);
    await source.fetch(['a']);
    expect(lines).toHaveLength(1);
  });
});
