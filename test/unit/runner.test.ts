// The runner driven by a manual clock, a scripted source and an in-memory sink.
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../agent/config/load';
import type { Policy } from '../../agent/config/normalize';
import type { ChangeAction } from '../../agent/core/diff';
import { planFetches } from '../../agent/core/plan';
import { createLogger, Redactor } from '../../agent/log';
import { ManualClock } from '../../agent/ports/clock';
import { seededRandom } from '../../agent/ports/random';
import type { FetchResult, SecretSource } from '../../agent/ports/secret-source';
import { createRunner } from '../../agent/runner';
import type { SecretSink, SinkFile } from '../../agent/sink/types';

function policy(name: string, body: string): Policy {
  const r = parsePolicy(`version: 1\nname: ${name}\nsources:\n  dev: { type: file, path: /srv/dev.hush }\n${body}`, `${name}.yaml`, '/');
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.policy;
}

function scriptedSource() {
  const values = new Map<string, string>();
  const fetches: string[][] = [];
  let failing: string | undefined;
  let onChange: (() => void) | undefined;
  const source: SecretSource = {
    name: 'dev',
    type: 'file',
    async fetch(keys) {
      fetches.push([...keys]);
      const out = new Map<string, FetchResult>();
      for (const key of keys) {
        if (failing) out.set(key, { ok: false, missing: false, reason: failing });
        else if (values.has(key)) out.set(key, { ok: true, secret: { key, data: Buffer.from(values.get(key)!) } });
        else out.set(key, { ok: false, missing: true, reason: `no entry '${key}'` });
      }
      return out;
    },
    watch(callback) {
      onChange = callback;
      return () => (onChange = undefined);
    },
    close: async () => undefined,
  };
  return { source, values, fetches, fail: (why?: string) => (failing = why), change: () => onChange?.() };
}

function memorySink() {
  const files = new Map<string, string>();
  let writes = 0;
  const sink: SecretSink = {
    init: async () => undefined,
    async write(next: ReadonlyMap<string, SinkFile>) {
      const changed: string[] = [];
      const removed: string[] = [];
      for (const [name, file] of next) {
        const text = Buffer.from(file.bytes).toString();
        if (files.get(name) !== text) {
          files.set(name, text);
          changed.push(name);
          writes++;
        }
      }
      for (const name of [...files.keys()]) if (!next.has(name)) (files.delete(name), removed.push(name));
      return { changed, removed, failed: [] };
    },
  };
  return { sink, files, writes: () => writes };
}

function setup(policies: Policy[]) {
  const src = scriptedSource();
  const out = memorySink();
  const clock = new ManualClock(1_000_000);
  const actions: { policy: string; action: ChangeAction['action'] }[] = [];
  const logs: string[] = [];
  const id = planFetches(policies).sources[0].id;
  const runner = createRunner({
    policies,
    sources: new Map([[id, src.source]]),
    sink: out.sink,
    clock,
    random: seededRandom(7),
    logger: createLogger({ write: (l) => logs.push(l), level: 'debug' }),
    redactor: new Redactor(),
    onChange: async (p, action) => {
      actions.push({ policy: p.name, action: action.action });
    },
  });
  return { runner, src, out, clock, actions, logs };
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

describe('runner', () => {
  it('fetches each key once per cycle however many policies name it', async () => {
    const a = policy('a', 'secrets:\n  - { file: a1, source: dev, key: db/password }\n  - { file: a2, source: dev, key: api/key }');
    const b = policy('b', 'secrets:\n  - { file: b1, source: dev, key: db/password }\nenv:\n  API: dev:api/key');
    const t = setup([a, b]);
    t.src.values.set('db/password', 'p1');
    t.src.values.set('api/key', 'k1');
    const started = await t.runner.start();
    expect(started).toEqual({ ok: true, env: { API: 'k1' } });
    expect(t.src.fetches).toEqual([['db/password', 'api/key']]);
    expect([...t.out.files]).toEqual([['a1', 'p1'], ['a2', 'k1'], ['b1', 'p1']]);
  });

  it('keeps the last good content while the source fails, backing off, then recovers', async () => {
    const p = policy('p', 'secrets:\n  - { file: f, source: dev, key: k }\nrotate: { every: 1m, jitter: 0 }');
    const t = setup([p]);
    t.src.values.set('k', 'v1');
    await t.runner.start();
    const stop = new AbortController();
    const running = t.runner.run(stop.signal);
    t.src.fail('connection refused');
    const fetchTimes: number[] = [];
    for (let i = 0; i < 8; i++) {
      await t.clock.advance(60_000);
      await settle();
      fetchTimes.push(t.src.fetches.length);
    }
    expect(t.out.files.get('f')).toBe('v1');
    const failures = t.src.fetches.length - 1;
    // 8 minutes of backoff from 1 s doubling to a 2 min cap: far fewer than one a second.
    expect(failures).toBeGreaterThanOrEqual(6);
    expect(failures).toBeLessThanOrEqual(14);
    expect(t.runner.status().keys[0].attempts).toBe(failures);
    expect(t.logs.some((l) => /fetch failed; keeping the last good content/.test(l))).toBe(true);
    t.src.fail(undefined);
    t.src.values.set('k', 'v2');
    await t.clock.advance(130_000);
    await settle();
    expect(t.out.files.get('f')).toBe('v2');
    expect(t.runner.status().keys[0].attempts).toBe(0);
    stop.abort();
    await running;
  });

  it('gives one on_change action for a burst of changes, and none when nothing changed', async () => {
    const p = policy('p', 'secrets:\n  - { file: f, source: dev, key: k }\non_change: { signal: SIGHUP }\nwait: { min: 100ms, max: 1s }');
    const t = setup([p]);
    t.src.values.set('k', 'v0');
    await t.runner.start();
    const stop = new AbortController();
    const running = t.runner.run(stop.signal);
    await settle();
    for (let i = 1; i <= 10; i++) {
      t.src.values.set('k', `v${i}`);
      t.src.change();
      await settle();
      await t.clock.advance(20);
      await settle();
    }
    expect(t.actions).toEqual([]);
    await t.clock.advance(200);
    await settle();
    expect(t.actions).toEqual([{ policy: 'p', action: 'signal' }]);
    expect(t.out.files.get('f')).toBe('v10');
    const writes = t.out.writes();
    t.src.change();
    await settle();
    await t.clock.advance(500);
    await settle();
    expect(t.out.writes()).toBe(writes);
    expect(t.actions).toHaveLength(1);
    stop.abort();
    await running;
  });

  it('lists every missing required secret at start and skips optional ones', async () => {
    const p = policy('p', 'secrets:\n  - { file: f, source: dev, key: there }\n  - { file: g, source: dev, key: gone }\n  - { file: h, source: dev, key: maybe, optional: true }');
    const t = setup([p]);
    t.src.values.set('there', 'x');
    expect(await t.runner.start()).toEqual({ ok: false, errors: ["p.yaml: secrets[1] (g): dev:gone: no entry 'gone'"] });
    expect([...t.out.files.keys()]).toEqual(['f']);
  });

  it('names the source reason for template refs and env, and reports a failing fetch with its own words', async () => {
    const p = policy('p', [
      'secrets:',
      '  - file: t',
      '    format: template',
      '    template: \'{{ secret "dev:a" }}-{{ secret "dev:b" }}\'',
      'env:',
      '  B: dev:b',
    ].join('\n'));
    const t = setup([p]);
    t.src.values.set('a', 'x');
    expect(await t.runner.start()).toEqual({
      ok: false,
      errors: ["p.yaml: secrets[0] (t): dev:b: no entry 'b'", "p.yaml: env: dev:b: no entry 'b'"],
    });
    t.src.fail('refused by 10.0.0.1');
    t.runner.rotateNow();
    const again = await t.runner.start();
    expect(again.ok === false && again.errors).toEqual(['p.yaml: secrets[0] (t): dev:b: refused by 10.0.0.1', 'p.yaml: env: dev:b: refused by 10.0.0.1']);
    expect(t.runner.status().policies[0]!.files[0]!.error).toBe('dev:b: refused by 10.0.0.1');
  });

  it('never puts a fetched value in an error line or the status, even when a source echoes it', async () => {
    const p = policy('p', 'secrets:\n  - { file: f, source: dev, key: k }\n  - { file: g, source: dev, key: other }');
    const t = setup([p]);
    t.src.values.set('k', 'hunter2-secret');
    t.src.values.set('other', 'o-value');
    await t.runner.start();
    t.src.values.delete('other');
    t.src.fail('bad password hunter2-secret');
    t.runner.rotateNow();
    const failed = await t.runner.start();
    const all = JSON.stringify([failed, t.runner.status()]);
    expect(all).toContain('bad password [redacted]');
    expect(all).not.toContain('hunter2-secret');
  });
});
