// Setup helpers that configure a Vault through its real HTTP API only, so that the same test
// runs against the test server and against a real Vault (docker-compose.test.yml).

export const MOUNTS = {
  kv1: 'kv',
  kv2: 'secret',
  database: 'database',
  pki: 'pki',
  approle: 'approle',
  kubernetes: 'kubernetes',
} as const;

/** The database connection configure-real-vault.sh creates (and the test server pre-creates). */
export const DB_CONNECTION = process.env['VAULT_DB_CONNECTION'] ?? 'postgres';

export const POSTGRES_CREATION_STATEMENTS = [
  `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`,
  `GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{{name}}";`,
];

export interface VaultResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON body, or null when the body is empty or not JSON. */
  json: Record<string, unknown> | null;
}

export interface RequestOptions {
  body?: unknown;
  /** Defaults to the root token; null sends no token. */
  token?: string | null;
  headers?: Record<string, string>;
}

export interface TokenResult {
  token: string;
  accessor: string;
  leaseDuration: number;
}

export class VaultRequestError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly response: VaultResponse,
  ) {
    super(`${method} /v1/${path} answered ${response.status}: ${response.text.slice(0, 300)}`);
    this.name = 'VaultRequestError';
  }
}

function auth(json: Record<string, unknown> | null): TokenResult {
  const block = (json?.['auth'] ?? {}) as Record<string, unknown>;
  return {
    token: String(block['client_token']),
    accessor: String(block['accessor']),
    leaseDuration: Number(block['lease_duration']),
  };
}

export class VaultSetup {
  constructor(
    readonly url: string,
    readonly rootToken: string,
  ) {}

  /** One HTTP call; `path` is relative to /v1/ and may carry a query string. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<VaultResponse> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    const token = options.token === undefined ? this.rootToken : options.token;
    if (token !== null) headers['X-Vault-Token'] = token;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['Content-Type'] ??= 'application/json';
    }
    const response = await fetch(`${this.url}/v1/${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    let json: Record<string, unknown> | null = null;
    try {
      json = text === '' ? null : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      json = null;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  /** Like request, but a status >= 400 throws. */
  async ok(method: string, path: string, options: RequestOptions = {}): Promise<VaultResponse> {
    const response = await this.request(method, path, options);
    if (response.status >= 400) throw new VaultRequestError(method, path, response);
    return response;
  }

  private async dataOf(method: string, path: string, options: RequestOptions = {}): Promise<Record<string, unknown>> {
    const response = await this.ok(method, path, options);
    return (response.json?.['data'] ?? {}) as Record<string, unknown>;
  }

  async writePolicy(name: string, hcl: string): Promise<void> {
    await this.ok('PUT', `sys/policies/acl/${name}`, { body: { policy: hcl } });
  }

  async createToken(options: {
    policies?: string[];
    ttl?: number | string;
    explicitMaxTtl?: number | string;
    period?: number | string;
    numUses?: number;
    renewable?: boolean;
    noParent?: boolean;
    meta?: Record<string, string>;
  } = {}): Promise<TokenResult> {
    const body: Record<string, unknown> = { policies: options.policies ?? ['default'] };
    if (options.ttl !== undefined) body['ttl'] = options.ttl;
    if (options.explicitMaxTtl !== undefined) body['explicit_max_ttl'] = options.explicitMaxTtl;
    if (options.period !== undefined) body['period'] = options.period;
    if (options.numUses !== undefined) body['num_uses'] = options.numUses;
    if (options.renewable !== undefined) body['renewable'] = options.renewable;
    if (options.noParent !== undefined) body['no_parent'] = options.noParent;
    if (options.meta !== undefined) body['meta'] = options.meta;
    return auth((await this.ok('POST', 'auth/token/create', { body })).json);
  }

  // --- KV v1 at kv/ ---

  async putKv1(path: string, data: Record<string, unknown>): Promise<void> {
    await this.ok('POST', `${MOUNTS.kv1}/${path}`, { body: data });
  }

  /** Deletes every secret under a folder ("agents/"), recursively. */
  async deleteKv1Tree(folder: string): Promise<void> {
    await this.deleteTree(`${MOUNTS.kv1}/`, folder, (key) => this.ok('DELETE', `${MOUNTS.kv1}/${key}`));
  }

  // --- KV v2 at secret/ ---

  async putKv2(path: string, data: Record<string, unknown>, options: { cas?: number } = {}): Promise<number> {
    const body = options.cas === undefined ? { data } : { data, options: { cas: options.cas } };
    const result = await this.dataOf('POST', `${MOUNTS.kv2}/data/${path}`, { body });
    return Number(result['version']);
  }

  async setKv2Metadata(path: string, metadata: { custom_metadata?: Record<string, string>; cas_required?: boolean; max_versions?: number; delete_version_after?: string }): Promise<void> {
    await this.ok('POST', `${MOUNTS.kv2}/metadata/${path}`, { body: metadata });
  }

  async deleteKv2Latest(path: string): Promise<void> {
    await this.ok('DELETE', `${MOUNTS.kv2}/data/${path}`);
  }

  async deleteKv2Versions(path: string, versions: number[]): Promise<void> {
    await this.ok('POST', `${MOUNTS.kv2}/delete/${path}`, { body: { versions } });
  }

  async destroyKv2Versions(path: string, versions: number[]): Promise<void> {
    await this.ok('POST', `${MOUNTS.kv2}/destroy/${path}`, { body: { versions } });
  }

  /** Removes a key with all its versions and metadata. */
  async deleteKv2Metadata(path: string): Promise<void> {
    await this.ok('DELETE', `${MOUNTS.kv2}/metadata/${path}`);
  }

  async deleteKv2Tree(folder: string): Promise<void> {
    await this.deleteTree(`${MOUNTS.kv2}/metadata/`, folder, (key) => this.deleteKv2Metadata(key));
  }

  private async deleteTree(listBase: string, folder: string, remove: (key: string) => Promise<unknown>): Promise<void> {
    const response = await this.request('GET', `${listBase}${folder}?list=true`);
    if (response.status === 404) return;
    if (response.status >= 400) throw new VaultRequestError('LIST', `${listBase}${folder}`, response);
    const keys = ((response.json?.['data'] as Record<string, unknown>)['keys'] ?? []) as string[];
    for (const key of keys) {
      if (key.endsWith('/')) await this.deleteTree(listBase, `${folder}${key}`, remove);
      else await remove(`${folder}${key}`);
    }
  }

  // --- AppRole at auth/approle/ ---

  /** (Re)creates the role from scratch (its old secret_ids go) and returns its role_id. */
  async createAppRole(name: string, options: {
    policies?: string[];
    tokenTtl?: number | string;
    tokenMaxTtl?: number | string;
    tokenNumUses?: number;
    tokenPeriod?: number | string;
    secretIdTtl?: number | string;
    secretIdNumUses?: number;
    bindSecretId?: boolean;
    roleId?: string;
  } = {}): Promise<string> {
    const base = `auth/${MOUNTS.approle}/role/${name}`;
    await this.ok('DELETE', base);
    const body: Record<string, unknown> = { token_policies: options.policies ?? [] };
    if (options.tokenTtl !== undefined) body['token_ttl'] = options.tokenTtl;
    if (options.tokenMaxTtl !== undefined) body['token_max_ttl'] = options.tokenMaxTtl;
    if (options.tokenNumUses !== undefined) body['token_num_uses'] = options.tokenNumUses;
    if (options.tokenPeriod !== undefined) body['token_period'] = options.tokenPeriod;
    if (options.secretIdTtl !== undefined) body['secret_id_ttl'] = options.secretIdTtl;
    if (options.secretIdNumUses !== undefined) body['secret_id_num_uses'] = options.secretIdNumUses;
    if (options.bindSecretId !== undefined) body['bind_secret_id'] = options.bindSecretId;
    await this.ok('POST', base, { body });
    if (options.roleId !== undefined) await this.ok('POST', `${base}/role-id`, { body: { role_id: options.roleId } });
    const data = await this.dataOf('GET', `${base}/role-id`);
    return String(data['role_id']);
  }

  /** A new secret_id; with wrapTtl, the response-wrapping token that holds it instead. */
  async createSecretId(role: string, options: { wrapTtl?: string | number; secretId?: string; metadata?: Record<string, string> } = {}): Promise<{ secretId: string | null; accessor: string | null; wrappingToken: string | null }> {
    const path = `auth/${MOUNTS.approle}/role/${role}/${options.secretId === undefined ? 'secret-id' : 'custom-secret-id'}`;
    const body: Record<string, unknown> = {};
    if (options.secretId !== undefined) body['secret_id'] = options.secretId;
    if (options.metadata !== undefined) body['metadata'] = JSON.stringify(options.metadata);
    const headers: Record<string, string> = options.wrapTtl === undefined ? {} : { 'X-Vault-Wrap-TTL': String(options.wrapTtl) };
    const response = await this.ok('POST', path, { body, headers });
    const wrap = response.json?.['wrap_info'] as Record<string, unknown> | null | undefined;
    if (wrap) return { secretId: null, accessor: null, wrappingToken: String(wrap['token']) };
    const data = (response.json?.['data'] ?? {}) as Record<string, unknown>;
    return { secretId: String(data['secret_id']), accessor: String(data['secret_id_accessor']), wrappingToken: null };
  }

  async loginAppRole(roleId: string, secretId: string): Promise<TokenResult> {
    const response = await this.ok('POST', `auth/${MOUNTS.approle}/login`, { token: null, body: { role_id: roleId, secret_id: secretId } });
    return auth(response.json);
  }

  // --- Kubernetes at auth/kubernetes/ ---

  async createKubernetesRole(name: string, options: { serviceAccountNames: string[]; namespaces: string[]; policies?: string[]; ttl?: number | string; maxTtl?: number | string; audience?: string }): Promise<void> {
    const body: Record<string, unknown> = {
      bound_service_account_names: options.serviceAccountNames,
      bound_service_account_namespaces: options.namespaces,
      token_policies: options.policies ?? [],
    };
    if (options.ttl !== undefined) body['token_ttl'] = options.ttl;
    if (options.maxTtl !== undefined) body['token_max_ttl'] = options.maxTtl;
    if (options.audience !== undefined) body['audience'] = options.audience;
    await this.ok('POST', `auth/${MOUNTS.kubernetes}/role/${name}`, { body });
  }

  // --- Database at database/ ---

  async createDatabaseRole(name: string, options: { defaultTtl: number | string; maxTtl: number | string; dbName?: string }): Promise<void> {
    await this.ok('POST', `${MOUNTS.database}/roles/${name}`, {
      body: {
        db_name: options.dbName ?? DB_CONNECTION,
        creation_statements: POSTGRES_CREATION_STATEMENTS,
        default_ttl: options.defaultTtl,
        max_ttl: options.maxTtl,
      },
    });
  }

  /** Reads database/creds/ROLE with the given token (root by default); returns the whole response. */
  async databaseCreds(role: string, token?: string): Promise<{ leaseId: string; leaseDuration: number; username: string; password: string }> {
    const response = await this.ok('GET', `${MOUNTS.database}/creds/${role}`, token === undefined ? {} : { token });
    const data = (response.json?.['data'] ?? {}) as Record<string, unknown>;
    return {
      leaseId: String(response.json?.['lease_id']),
      leaseDuration: Number(response.json?.['lease_duration']),
      username: String(data['username']),
      password: String(data['password']),
    };
  }

  // --- PKI at pki/ ---

  async createPkiRole(name: string, options: { allowedDomains: string[]; allowSubdomains?: boolean; allowBareDomains?: boolean; ttl?: number | string; maxTtl?: number | string; keyType?: 'rsa' | 'ec' | 'ed25519'; keyBits?: number; generateLease?: boolean }): Promise<void> {
    const body: Record<string, unknown> = {
      allowed_domains: options.allowedDomains,
      allow_subdomains: options.allowSubdomains ?? true,
      allow_bare_domains: options.allowBareDomains ?? false,
      key_type: options.keyType ?? 'rsa',
      generate_lease: options.generateLease ?? false,
    };
    if (options.keyBits !== undefined) body['key_bits'] = options.keyBits;
    if (options.ttl !== undefined) body['ttl'] = options.ttl;
    if (options.maxTtl !== undefined) body['max_ttl'] = options.maxTtl;
    await this.ok('POST', `${MOUNTS.pki}/roles/${name}`, { body });
  }
}
