import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../agent/config/load';
import type { Policy } from '../../agent/config/normalize';
import { planFetches, policyRefs, policySnapshot, sourceId } from '../../agent/core/plan';

function policy(name: string, body: string, baseDir = '/p'): Policy {
  const r = parsePolicy(`version: 1\nname: ${name}\n${body}`, `${name}.yaml`, baseDir);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.policy;
}

const a = policy(
  'a',
  `sources:
  dev: { type: file, path: store.hush }
  v: { type: vault, address: "https://v:8200", auth: { method: token } }
secrets:
  - { file: a1, source: dev, key: db/password }
  - { file: a2, source: dev, key: db/password, format: env }
  - { file: a3, source: v, key: kv/app, field: x }
  - file: a4
    format: template
    template: '{{secret "dev:api"}} {{secret "v:kv/app" "y"}} {{secret "dev:db/password"}}'
env:
  TOKEN: "dev:api"
`,
);
const b = policy(
  'b',
  `sources:
  store: { type: file, path: store.hush }
  vault: { type: vault, address: "https://v:8200", auth: { method: token } }
  other: { type: file, path: other.hush }
secrets:
  - { file: b1, source: store, key: db/password }
  - { file: b2, source: vault, key: kv/app, format: json }
  - { file: b3, source: other, key: db/password }
`,
);

describe('planFetches', () => {
  it('fetches each distinct (source, key) once, however many secrets and policies name it', () => {
    const plan = planFetches([a, b]);
    expect(plan.sources.map((s) => ({ type: s.config.type, keys: s.keys, users: s.users }))).toEqual([
      { type: 'file', keys: ['db/password', 'api'], users: [{ policy: 'a', name: 'dev' }, { policy: 'b', name: 'store' }] },
      { type: 'vault', keys: ['kv/app'], users: [{ policy: 'a', name: 'v' }, { policy: 'b', name: 'vault' }] },
      { type: 'file', keys: ['db/password'], users: [{ policy: 'b', name: 'other' }] },
    ]);
  });

  it('same name, different store: two sources', () => {
    const c = policy('c', 'sources:\n  dev: { type: file, path: store.hush }\nsecrets:\n  - { file: c, source: dev, key: k }\n', '/elsewhere');
    const plan = planFetches([a, c]);
    expect(plan.sources.filter((s) => s.config.type === 'file')).toHaveLength(2);
  });

  it('a source nobody reads is still listed, with no keys', () => {
    const d = policy('d', 'sources:\n  dev: { type: file }\n');
    expect(planFetches([d]).sources).toEqual([{ id: sourceId({ type: 'file' }), config: { type: 'file' }, keys: [], users: [{ policy: 'd', name: 'dev' }] }]);
  });

  it('policyRefs lists secrets, template refs and env, once each', () => {
    expect(policyRefs(a)).toEqual([
      { source: 'dev', key: 'db/password' },
      { source: 'v', key: 'kv/app' },
      { source: 'dev', key: 'api' },
    ]);
  });

  it('sourceId ignores key order', () => {
    expect(sourceId({ type: 'file', path: '/x' })).toBe(sourceId({ path: '/x', type: 'file' } as never));
  });
});

describe('policySnapshot', () => {
  it('maps a policy’s own source names onto the shared fetched data', () => {
    const plan = planFetches([a, b]);
    const fetched = new Map(plan.sources.map((s) => [s.id, new Map(s.keys.map((k) => [k, new TextEncoder().encode(`${s.id}|${k}`)]))]));
    const lookup = (id: string, key: string) => fetched.get(id)?.get(key);
    const sa = policySnapshot(a, lookup);
    const sb = policySnapshot(b, lookup);
    expect(sa.get('dev', 'db/password')).toBe(sb.get('store', 'db/password'));
    expect(sb.get('other', 'db/password')).not.toBe(sb.get('store', 'db/password'));
    expect(sa.get('store', 'db/password')).toBeUndefined();
    expect(sa.get('dev', 'nope')).toBeUndefined();
  });
});
