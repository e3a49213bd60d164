// An app that hush-init starts again (on_change: restart) is confined as the first one was:
// same capabilities, the filter, no_new_privs, a session of its own, Landlock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHush } from './helpers';
import { makeStore, writePolicy, type TestStore } from './store-fixture';

let store: TestStore;
beforeAll(async () => {
  store = await makeStore({ 'restart/token': 'first' });
});
afterAll(() => store.cleanup());

describe('a restarted app', () => {
  it('gets the same confinement as the first start', async () => {
    const file = writePolicy(store.dir, 'restart.yaml', 'version: 1\nname: restart\nsources:\n  dev: { type: file, path: secrets.hush }\nsecrets:\n  - { file: token, source: dev, key: restart/token }\non_change:\n  restart: true');
    const report = [
      'set -- $(cut -d" " -f1,6 /proc/$$/stat)',
      'echo "start $(cat /run/secrets/token) pid=$1 sid=$2 $(grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/$$/status | tr -d "\\t" | tr "\\n" " ")landlock=$(kill -0 1 2>/dev/null && echo off || echo on)"',
      'trap "exit 0" TERM; while :; do sleep 0.02; done',
    ].join('; ');
    // As root, so that only Landlock stops `kill -0 1`.
    const run = startHush(['run', '--cap-add', 'NET_RAW', '--policy', file, '--', '/bin/sh', '-c', report], { env: store.env });
    await run.waitForOutput(/start first/);
    await store.set('restart/token', 'second');
    await run.waitForOutput(/start second/);
    run.process.kill('SIGTERM');
    const lines = (await run.done).stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    const fields = lines.map((line) => Object.fromEntries(line.split(' ').slice(2).map((kv) => kv.split(/[=:]/))));
    for (const seen of fields) {
      expect(seen.sid).toBe(seen.pid); // a session of its own
      expect(seen).toMatchObject({ CapEff: '00000000800425fb', NoNewPrivs: '1', Seccomp: '2', landlock: 'on' });
    }
    expect(fields[1].pid).not.toBe(fields[0].pid);
  });
});
