// Replays every example of ../shared/vault-api/contract.json (request/response pairs taken from
// Vault's docs and source) against the Vault target: the test server, or a real Vault when
// VAULT_ADDR/VAULT_TOKEN are set. Each id has a fixture step that builds the state the example
// needs through the real HTTP API (plus fault knobs that only the test server has).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock, usingRealVault, vaultTarget } from '../vault-server';
import type { ManualClock, VaultSetup, VaultTarget, VaultTestServer } from '../vault-server';

interface ContractEntry {
  id: string;
  method: string;
  path: string;
  request: { headers: Record<string, string>; query: Record<string, string>; body: unknown };
  status: number;
  response: { headers: Record<string, string>; body: unknown };
  notes: string[];
}

const CONTRACT = path.resolve(__dirname, '../../../shared/vault-api/contract.json');
const entries = JSON.parse(readFileSync(CONTRACT, 'utf8')) as ContractEntry[];

// Placeholders used by the examples, replaced by real values that fixtures create.
const AGENT_TOKEN = 'hvs.CAESIExampleOnlyNotARealToken0000000000000001Gh4KHGh2cy5FeGFtcGxlT25seU5vdFJlYWw';
const ROOT_TOKEN = 'hvs.ExampleRootTokenNotReal0001';
const WRAPPING_TOKEN = 'hvs.CAESIExampleOnlyWrappingToken000000000000003Gh4KHGh2cy5XcmFwRXhhbXBsZU9ubHk';
const DB_LEASE = 'database/creds/readonly/bN8Qe2sX0wKpT5vYc3LrA7mZ';
const PKI_LEASE = 'pki/issue/agent-mtls/Kx2Lm4Np6Qr8St0Uv2Wx4Yz6';
const ROLE_ID = '7a3e9c52-41d8-4f0b-b6e2-9c8d7f1a2b3c';
const SECRET_ID = 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b';
const K8S_JWT =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6ImV4YW1wbGUifQ.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50In0.ZXhhbXBsZS1zaWduYXR1cmUtbm90LXJlYWw';

const AGENT_POLICY = `
path "*" { capabilities = ["create", "read", "update", "patch", "delete", "list"] }
path "secret/data/agents/other-team/*" { capabilities = ["deny"] }
`;

/** Keys whose values are random or time-based wherever they appear: compared by shape. */
const RANDOM_KEYS = new Set([
  'request_id', 'accessor', 'client_token', 'entity_id', 'created_time', 'updated_time', 'creation_time',
  'issue_time', 'expire_time', 'deletion_time', 'server_time_utc', 'cluster_name', 'cluster_id', 'wrapped_accessor',
  'secret_id', 'secret_id_accessor', 'serial_number', 'certificate', 'issuing_ca', 'private_key', 'ca_chain',
  'expiration', 'token', 'lease_id', 'id',
]);

interface Ctx {
  target: VaultTarget;
  setup: VaultSetup;
  fake: VaultTestServer | undefined;
  clock: ManualClock;
  subst: Map<string, string>;
  /** Moves the test server's clock; nothing on a real Vault (fields that depend on it are serverDependent). */
  advance(seconds: number): void;
}

interface Fixture {
  prepare?(ctx: Ctx): Promise<void>;
  /** Test-server knobs (standby, sealed, faults); the entry is skipped on a real Vault with this reason. */
  fakeOnly?: { reason: string; apply(fake: VaultTestServer): void };
  /** Dotted paths compared by shape only (random for this entry). */
  random?: string[];
  /** Dotted paths exact on the test server (manual clock) but compared by shape on a real Vault. */
  serverDependent?: string[];
}

// --- fixture steps -------------------------------------------------------------------------

/** The AppRole "secrets-agent" with the examples' role_id and secret_id. */
async function agentRole(ctx: Ctx, role: Parameters<VaultSetup['createAppRole']>[1] = {}): Promise<void> {
  await ctx.setup.writePolicy('secrets-agent', AGENT_POLICY);
  await ctx.setup.createAppRole('secrets-agent', { policies: ['secrets-agent'], tokenTtl: 3600, roleId: ROLE_ID, ...role });
  await ctx.setup.createSecretId('secrets-agent', { secretId: SECRET_ID });
}

/** Logs in as "secrets-agent"; the examples' agent token stands for this token. */
async function loginAgent(ctx: Ctx, role: Parameters<VaultSetup['createAppRole']>[1] = {}): Promise<string> {
  await agentRole(ctx, role);
  const login = await ctx.setup.loginAppRole(ROLE_ID, SECRET_ID);
  ctx.subst.set(AGENT_TOKEN, login.token);
  return login.token;
}

async function paymentsDb(ctx: Ctx, versions = 3): Promise<void> {
  const key = 'agents/payments/db';
  await ctx.setup.deleteKv2Metadata(key);
  await ctx.setup.putKv2(key, { username: 'svc_payments', password: 'old-example-value' });
  await ctx.setup.putKv2(key, { username: 'svc_payments', password: 'second-example-value' });
  await ctx.setup.putKv2(key, { username: 'svc_payments', password: 'Vb8!example-not-real' });
  for (let v = 4; v <= versions; v += 1) await ctx.setup.putKv2(key, { username: 'svc_payments', password: `v${v}-example` });
  await ctx.setup.setKv2Metadata(key, { custom_metadata: { owner: 'payments-team' } });
  await ctx.setup.destroyKv2Versions(key, [2]);
}

async function kvAgent(ctx: Ctx, versions = 3): Promise<void> {
  await loginAgent(ctx);
  await paymentsDb(ctx, versions);
}

async function kv1Agents(ctx: Ctx): Promise<void> {
  await loginAgent(ctx);
  await ctx.setup.deleteKv1Tree('agents/');
  await ctx.setup.putKv1('agents/legacy-api', { api_key: 'lk_example_not_real', region: 'eu-west-1' });
  await ctx.setup.putKv1('agents/rotating-key', { key: 'rk_example_not_real', ttl: '1h' });
  await ctx.setup.putKv1('agents/teams/core', { owner: 'core' });
}

async function readonlyLease(ctx: Ctx, maxTtl = 86400): Promise<void> {
  await loginAgent(ctx);
  await ctx.setup.createDatabaseRole('readonly', { defaultTtl: 3600, maxTtl });
  const creds = await ctx.setup.databaseCreds('readonly');
  ctx.subst.set(DB_LEASE, creds.leaseId);
}

async function agentMtlsRole(ctx: Ctx, generateLease = false): Promise<void> {
  await loginAgent(ctx);
  await ctx.setup.createPkiRole('agent-mtls', {
    allowedDomains: ['svc.example.internal'],
    allowSubdomains: true,
    maxTtl: '72h',
    keyType: 'rsa',
    generateLease,
  });
}

async function wrappedSecretId(ctx: Ctx): Promise<void> {
  await loginAgent(ctx, { secretIdTtl: 600, secretIdNumUses: 1 });
  const wrapped = await ctx.setup.createSecretId('secrets-agent', { wrapTtl: '5m' });
  ctx.subst.set(WRAPPING_TOKEN, String(wrapped.wrappingToken));
}

const rootAsCaller = async (ctx: Ctx): Promise<void> => {
  ctx.subst.set(ROOT_TOKEN, ctx.target.rootToken);
};

const node = (state: 'standby' | 'perf-standby' | 'dr-secondary' | 'ha-unhealthy' | 'removed', reason: string): Fixture => ({
  fakeOnly: { reason, apply: (fake) => fake.faults.set({ node: state }) },
});

const HEALTH: Fixture = { serverDependent: ['version'] };

const fixtures: Record<string, Fixture> = {
  'health-active': HEALTH,
  'health-standby-default': node('standby', 'a standby node needs an HA cluster'),
  'health-standby-standbyok': node('standby', 'a standby node needs an HA cluster'),
  'health-perf-standby': node('perf-standby', 'Enterprise only: performance standby'),
  'health-dr-secondary': node('dr-secondary', 'Enterprise only: DR replication'),
  'health-ha-unhealthy-standby': node('ha-unhealthy', 'an unhealthy standby needs an HA cluster'),
  'health-removed-node': node('removed', 'a removed node needs a Raft cluster'),
  'health-uninitialized': {
    fakeOnly: { reason: 'dev-mode Vault is always initialised', apply: (fake) => fake.faults.set({ uninitialized: true }) },
  },
  'health-sealed': {
    fakeOnly: { reason: 'sealing needs the unseal key to recover', apply: (fake) => fake.faults.set({ sealed: true }) },
  },
  'health-custom-codes': {
    fakeOnly: { reason: 'sealing needs the unseal key to recover', apply: (fake) => fake.faults.set({ sealed: true }) },
  },
  'health-bad-code-param': {},
  'health-head': {},

  'approle-login': { prepare: (ctx) => agentRole(ctx) },
  'approle-login-bad-credentials': { prepare: (ctx) => agentRole(ctx) },
  'approle-login-missing-role-id': { prepare: (ctx) => agentRole(ctx) },
  'approle-login-wrapped': { prepare: (ctx) => agentRole(ctx) },

  'kubernetes-login': {
    prepare: async (ctx) => {
      await ctx.setup.writePolicy('secrets-agent', AGENT_POLICY);
      await ctx.setup.createKubernetesRole('secrets-agent', {
        serviceAccountNames: ['secrets-agent'],
        namespaces: ['payments'],
        policies: ['secrets-agent'],
        ttl: 3600,
      });
    },
    fakeOnly: {
      reason: 'login needs a Kubernetes API server to review the JWT',
      apply: (fake) =>
        fake.state.kubernetes.registerJwt(K8S_JWT, {
          name: 'secrets-agent',
          namespace: 'payments',
          uid: 'c0ffee00-1234-4abc-9def-0123456789ab',
        }),
    },
  },
  'kubernetes-login-unknown-role': {},
  'kubernetes-login-bad-jwt': {
    prepare: (ctx) =>
      ctx.setup.createKubernetesRole('secrets-agent', { serviceAccountNames: ['secrets-agent'], namespaces: ['payments'] }),
    fakeOnly: { reason: 'JWT review needs a Kubernetes API server', apply: () => undefined },
  },

  'token-lookup-self': {
    prepare: async (ctx) => {
      await loginAgent(ctx);
      ctx.advance(3600 - 2714);
    },
    serverDependent: ['data.ttl'],
  },
  'token-lookup-self-root': { prepare: rootAsCaller },
  'token-lookup-self-invalid': {},
  'token-renew-self': { prepare: (ctx) => loginAgent(ctx) },
  'token-renew-self-capped': {
    prepare: (ctx) => loginAgent(ctx, { tokenTtl: 1390, tokenMaxTtl: 1390 }),
    serverDependent: ['auth.lease_duration', 'warnings'],
  },
  'token-renew-self-not-renewable': { prepare: rootAsCaller },
  'token-revoke-self': { prepare: (ctx) => loginAgent(ctx) },

  'kv2-read': { prepare: (ctx) => kvAgent(ctx) },
  'kv2-read-version': { prepare: (ctx) => kvAgent(ctx) },
  'kv2-read-missing': {
    prepare: async (ctx) => {
      await loginAgent(ctx);
      await ctx.setup.deleteKv2Metadata('agents/payments/nope');
    },
  },
  'kv2-read-deleted-latest': {
    prepare: async (ctx) => {
      await kvAgent(ctx);
      await ctx.setup.deleteKv2Latest('agents/payments/db');
    },
  },
  'kv2-read-destroyed-version': { prepare: (ctx) => kvAgent(ctx) },
  'kv2-read-version-never-existed': { prepare: (ctx) => kvAgent(ctx) },
  'kv2-write': { prepare: (ctx) => kvAgent(ctx) },
  'kv2-write-cas-create': {
    prepare: async (ctx) => {
      await loginAgent(ctx);
      await ctx.setup.deleteKv2Metadata('agents/search-api/token');
    },
  },
  'kv2-write-cas-mismatch': { prepare: (ctx) => kvAgent(ctx) },
  'kv2-write-cas-required': {
    prepare: async (ctx) => {
      await kvAgent(ctx);
      await ctx.setup.setKv2Metadata('agents/payments/db', { cas_required: true });
    },
  },
  'kv2-write-no-data': { prepare: (ctx) => kvAgent(ctx) },
  'kv2-patch': { prepare: (ctx) => kvAgent(ctx, 4) },
  'kv2-delete-latest': { prepare: (ctx) => kvAgent(ctx) },
  'kv2-delete-versions': { prepare: (ctx) => kvAgent(ctx) },
  'kv2-destroy-versions': { prepare: (ctx) => kvAgent(ctx) },
  'kv2-read-metadata': { prepare: (ctx) => kvAgent(ctx) },
  'kv2-read-metadata-missing': {
    prepare: async (ctx) => {
      await loginAgent(ctx);
      await ctx.setup.deleteKv2Metadata('agents/payments/nope');
    },
  },
  'kv2-list-metadata': { prepare: (ctx) => agentsTree(ctx) },
  'kv2-list-metadata-get': { prepare: (ctx) => agentsTree(ctx) },
  'kv2-list-empty-or-missing': {
    prepare: async (ctx) => {
      await loginAgent(ctx);
      await ctx.setup.deleteKv2Tree('agents/nobody/');
    },
  },
  'kv2-wrong-path-no-data-segment': { prepare: (ctx) => kvAgent(ctx) },

  'kv1-read': { prepare: kv1Agents },
  'kv1-read-with-ttl': { prepare: kv1Agents },
  'kv1-read-missing': { prepare: kv1Agents },
  'kv1-list': { prepare: kv1Agents },
  'kv1-write': { prepare: kv1Agents },

  'database-creds': {
    prepare: async (ctx) => {
      await loginAgent(ctx);
      await ctx.setup.createDatabaseRole('readonly', { defaultTtl: 3600, maxTtl: 86400 });
    },
    random: ['data.username', 'data.password'],
  },
  'database-creds-unknown-role': { prepare: (ctx) => loginAgent(ctx) },
  'database-creds-wrong-method': {
    prepare: async (ctx) => {
      await loginAgent(ctx);
      await ctx.setup.createDatabaseRole('readonly', { defaultTtl: 3600, maxTtl: 86400 });
    },
  },
  'lease-renew': { prepare: (ctx) => readonlyLease(ctx) },
  'lease-renew-capped': { prepare: (ctx) => readonlyLease(ctx, 5190), serverDependent: ['lease_duration', 'warnings'] },
  'lease-renew-not-renewable': {
    prepare: async (ctx) => {
      await agentMtlsRole(ctx, true);
      const issued = await ctx.setup.ok('POST', 'pki/issue/agent-mtls', { body: { common_name: 'lease.svc.example.internal', ttl: '1h' } });
      ctx.subst.set(PKI_LEASE, String(issued.json?.['lease_id']));
    },
  },
  'lease-renew-unknown-or-expired': { prepare: (ctx) => loginAgent(ctx) },
  'lease-renew-missing-id': { prepare: (ctx) => loginAgent(ctx) },
  'lease-revoke': { prepare: (ctx) => readonlyLease(ctx) },
  'lease-revoke-async': { prepare: (ctx) => readonlyLease(ctx) },

  'unwrap-with-wrapping-token-header': { prepare: wrappedSecretId },
  'unwrap-with-token-param': { prepare: wrappedSecretId },
  'unwrap-invalid-or-used': {
    prepare: async (ctx) => {
      await wrappedSecretId(ctx);
      await ctx.setup.ok('POST', 'sys/wrapping/unwrap', { token: ctx.subst.get(WRAPPING_TOKEN) ?? null });
    },
  },

  'pki-issue': { prepare: (ctx) => agentMtlsRole(ctx) },
  'pki-issue-not-allowed': { prepare: (ctx) => agentMtlsRole(ctx) },

  'error-400-bad-request': { prepare: (ctx) => loginAgent(ctx) },
  'error-403-policy-denied': { prepare: (ctx) => loginAgent(ctx) },
  'error-404-no-route': { prepare: (ctx) => loginAgent(ctx) },
  'error-405-method': { prepare: (ctx) => kvAgent(ctx) },
  'error-412-enterprise-consistency': {
    prepare: (ctx) => kvAgent(ctx),
    fakeOnly: {
      reason: 'Enterprise only: X-Vault-Index consistency',
      apply: (fake) => fake.faults.failPath('secret/data/agents/payments/db', { times: 1, status: 412 }),
    },
  },
  'error-429-rate-limited': {
    prepare: (ctx) => kvAgent(ctx),
    fakeOnly: {
      reason: 'needs a rate-limit quota with response headers enabled',
      apply: (fake) => fake.faults.set({ rateLimit: { retryAfterSeconds: 1 } }),
    },
  },
  'error-500-internal': {
    prepare: (ctx) => kvAgent(ctx),
    fakeOnly: { reason: 'an internal failure cannot be provoked', apply: (fake) => fake.faults.set({ serverError: true }) },
  },
  'error-503-sealed': {
    prepare: (ctx) => kvAgent(ctx),
    fakeOnly: { reason: 'sealing needs the unseal key to recover', apply: (fake) => fake.faults.set({ sealed: true }) },
  },
  'header-authorization-bearer': {
    prepare: async (ctx) => {
      await loginAgent(ctx);
      ctx.advance(3600 - 2714);
    },
    serverDependent: ['data.ttl'],
  },
  'header-namespace': {
    prepare: (ctx) => kvAgent(ctx),
    fakeOnly: {
      reason: 'Enterprise only: namespaces (the test server accepts the header and serves the root namespace)',
      apply: () => undefined,
    },
  },
  'header-x-vault-request': { prepare: (ctx) => kvAgent(ctx) },
};

async function agentsTree(ctx: Ctx): Promise<void> {
  await loginAgent(ctx);
  await ctx.setup.deleteKv2Tree('agents/');
  await ctx.setup.putKv2('agents/payments/db', { username: 'svc_payments', password: 'Vb8!example-not-real' });
  await ctx.setup.putKv2('agents/search-api/token', { token: 'sk-example-not-real' });
}

// --- replay and comparison ----------------------------------------------------------------

function substitute<T>(value: T, subst: Map<string, string>): T {
  if (typeof value === 'string') {
    let out: string = value;
    for (const [from, to] of subst) out = out.split(from).join(to);
    return out as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => substitute(v, subst)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, subst)])) as T;
  }
  return value;
}

interface Replayed {
  status: number;
  headers: Headers;
  text: string;
}

async function replay(ctx: Ctx, entry: ContractEntry): Promise<Replayed> {
  const query = new URLSearchParams(entry.request.query);
  let method = entry.method;
  if (method === 'LIST') {
    method = 'GET';
    query.set('list', 'true');
  }
  const headers = substitute(entry.request.headers, ctx.subst);
  const raw = entry.request.body;
  const body = raw === null ? undefined : typeof raw === 'string' ? raw : JSON.stringify(substitute(raw, ctx.subst));
  const qs = query.toString();
  const response = await fetch(`${ctx.target.url}${entry.path}${qs ? `?${qs}` : ''}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const SERIAL = /^[0-9a-f]{2}(:[0-9a-f]{2})+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Same kind of value: type, emptiness, and format for PEMs, times, serials, UUIDs, lease ids. */
function sameShape(expected: unknown, actual: unknown, key: string): boolean {
  if (expected === null || actual === null) return expected === actual;
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length > 0 === expected.length > 0 && actual.every((a) => sameShape(expected[0], a, key));
  }
  if (typeof expected !== typeof actual) return false;
  if (typeof expected === 'number') return typeof actual === 'number' && (expected > 0) === (actual > 0);
  if (typeof expected !== 'string' || typeof actual !== 'string') return typeof expected === typeof actual;
  if (expected === '') return actual === '';
  if (actual === '') return false;
  if (expected.startsWith('-----BEGIN ')) return actual.startsWith(expected.split('\n')[0] ?? '');
  if (RFC3339.test(expected)) return RFC3339.test(actual);
  if (SERIAL.test(expected)) return SERIAL.test(actual);
  if (UUID.test(expected)) return UUID.test(actual);
  if (key === 'lease_id') return actual.slice(0, actual.lastIndexOf('/')) === expected.slice(0, expected.lastIndexOf('/'));
  return true;
}

interface CompareOptions {
  real: boolean;
  random: Set<string>;
  serverDependent: Set<string>;
  known: Set<string>;
}

function compare(expected: unknown, actual: unknown, at: string, key: string, opts: CompareOptions, out: string[]): void {
  const where = at || '(body)';
  const knownValue = typeof expected === 'string' && opts.known.has(expected);
  const byShape =
    !knownValue && (RANDOM_KEYS.has(key) || opts.random.has(at) || (opts.real && opts.serverDependent.has(at)));
  if (byShape) {
    if (!sameShape(expected, actual, key)) out.push(`${where}: expected something like ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    return;
  }
  if (key === 'errors' && Array.isArray(expected) && Array.isArray(actual) && opts.real) {
    for (const message of expected) if (!actual.includes(message)) out.push(`${where}: missing error ${JSON.stringify(message)} in ${JSON.stringify(actual)}`);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      out.push(`${where}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
      return;
    }
    expected.forEach((e, i) => compare(e, actual[i], `${at}[${i}]`, key, opts, out));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      out.push(`${where}: expected an object, got ${JSON.stringify(actual)}`);
      return;
    }
    const exp = expected as Record<string, unknown>;
    const act = actual as Record<string, unknown>;
    for (const k of Object.keys(exp)) {
      if (!(k in act)) out.push(`${where}: missing key ${k}`);
      else compare(exp[k], act[k], at ? `${at}.${k}` : k, k, opts, out);
    }
    if (!opts.real) for (const k of Object.keys(act)) if (!(k in exp)) out.push(`${where}: unexpected key ${k}`);
    return;
  }
  if (expected !== actual) out.push(`${where}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

function compareHeaders(expected: Record<string, string>, actual: Headers, real: boolean, out: string[]): void {
  for (const [name, value] of Object.entries(expected)) {
    const got = actual.get(name);
    if (name.toLowerCase() === 'content-type') {
      if (!got?.startsWith(value)) out.push(`header ${name}: expected ${value}, got ${String(got)}`);
    } else if (real ? got === null : got !== value) {
      out.push(`header ${name}: expected ${value}, got ${String(got)}`);
    }
  }
}

// --- the suite ----------------------------------------------------------------------------

const real = usingRealVault();
let current: VaultTarget | null = null;

afterEach(async () => {
  await current?.close();
  current = null;
});

describe(`Vault API contract (${real ? 'real Vault at VAULT_ADDR' : 'test server'})`, () => {
  it('has a fixture for every contract entry and no fixture without one', () => {
    const ids = entries.map((e) => e.id).sort();
    expect(Object.keys(fixtures).sort()).toEqual(ids);
    expect(ids.length).toBeGreaterThan(70);
  });

  for (const entry of entries) {
    const fixture = fixtures[entry.id] ?? {};
    if (real && fixture.fakeOnly) {
      it.skip(`${entry.id} (${fixture.fakeOnly.reason}; not reproducible on a single dev-mode Vault)`, () => undefined);
      continue;
    }
    it(`${entry.id}: ${entry.method} ${entry.path} → ${entry.status}`, async () => {
      const clock = createManualClock();
      const target = await vaultTarget({ clock });
      current = target;
      const ctx: Ctx = {
        target,
        setup: target.setup,
        fake: target.fake,
        clock,
        subst: new Map(),
        advance: (seconds) => {
          if (target.fake) clock.advanceSeconds(seconds);
        },
      };
      await fixture.prepare?.(ctx);
      if (target.fake && fixture.fakeOnly) fixture.fakeOnly.apply(target.fake);

      const response = await replay(ctx, entry);
      const problems: string[] = [];
      if (response.status !== entry.status) problems.push(`status: expected ${entry.status}, got ${response.status} (${response.text.slice(0, 200)})`);
      compareHeaders(entry.response.headers, response.headers, real, problems);
      const expectedBody = substitute(entry.response.body, ctx.subst);
      if (expectedBody === null) {
        if (response.text !== '') problems.push(`body: expected none, got ${response.text.slice(0, 200)}`);
      } else {
        let actualBody: unknown;
        try {
          actualBody = JSON.parse(response.text);
        } catch {
          problems.push(`body: not JSON: ${response.text.slice(0, 200)}`);
        }
        if (actualBody !== undefined) {
          compare(expectedBody, actualBody, '', '', {
            real,
            random: new Set(fixture.random ?? []),
            serverDependent: new Set(fixture.serverDependent ?? []),
            known: new Set(ctx.subst.values()),
          }, problems);
        }
      }
      expect(problems).toEqual([]);
    });
  }
});
