// AppRole: roles, role_id, secret_ids (optionally response-wrapped by the caller) and login.
import { durationField } from './duration';
import { VaultError, badRequest, notFound, unsupportedOperation, unsupportedPath } from './errors';
import { newUuid } from './ids';
import { listChildren } from './kv-list';
import type { TokenStore } from './tokens';
import type { Body, Engine, EngineRequest, Reply } from './types';
import { boolField, logical, noContent, str, strList } from './types';

interface Role {
  roleId: string;
  entityId: string;
  bindSecretId: boolean;
  secretIdNumUses: number;
  secretIdTtl: number;
  tokenTtl: number;
  tokenMaxTtl: number;
  tokenPolicies: string[];
  tokenNumUses: number;
  tokenPeriod: number;
  tokenExplicitMaxTtl: number;
}

interface SecretId {
  role: string;
  accessor: string;
  expireAt: number | null;
  /** Uses left; 0 means unlimited. */
  usesLeft: number;
  metadata: Record<string, string>;
}

function parseRole(body: Body, previous: Role | undefined): Role {
  try {
    const role: Role = {
      roleId: previous?.roleId ?? newUuid(),
      entityId: previous?.entityId ?? newUuid(),
      bindSecretId: boolField(body, 'bind_secret_id', previous?.bindSecretId ?? true),
      secretIdNumUses: Number(body['secret_id_num_uses'] ?? previous?.secretIdNumUses ?? 0) || 0,
      secretIdTtl: durationField(body, 'secret_id_ttl', previous?.secretIdTtl ?? 0),
      tokenTtl: durationField(body, 'token_ttl', previous?.tokenTtl ?? 0),
      tokenMaxTtl: durationField(body, 'token_max_ttl', previous?.tokenMaxTtl ?? 0),
      tokenPolicies: strList(body, 'token_policies', 'policies') ?? previous?.tokenPolicies ?? [],
      tokenNumUses: Number(body['token_num_uses'] ?? previous?.tokenNumUses ?? 0) || 0,
      tokenPeriod: durationField(body, 'token_period', previous?.tokenPeriod ?? 0),
      tokenExplicitMaxTtl: durationField(body, 'token_explicit_max_ttl', previous?.tokenExplicitMaxTtl ?? 0),
    };
    if (role.tokenMaxTtl > 0 && role.tokenTtl > role.tokenMaxTtl) {
      throw new Error('"token_ttl" value must be less than "token_max_ttl" value');
    }
    return role;
  } catch (err) {
    throw badRequest((err as Error).message);
  }
}

function metadataField(body: Body): Record<string, string> {
  const raw = body['metadata'];
  let parsed: unknown = raw;
  if (typeof raw === 'string' && raw !== '') {
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw badRequest('failed to parse metadata: invalid JSON');
    }
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
}

export function approleEngine(
  tokens: TokenStore,
  mountTtls: () => { defaultTtl: number; maxTtl: number },
): Engine {
  const roles = new Map<string, Role>();
  const secretIds = new Map<string, SecretId>();

  function liveSecret(secretId: string, now: number): SecretId | null {
    const entry = secretIds.get(secretId);
    if (!entry) return null;
    if (entry.expireAt !== null && now >= entry.expireAt) {
      secretIds.delete(secretId);
      return null;
    }
    return entry;
  }

  function login(req: EngineRequest): Reply {
    if (req.op !== 'update') throw unsupportedOperation();
    const roleId = str(req.body, 'role_id');
    if (!roleId) throw new VaultError(500, ['missing role_id']);
    const found = [...roles.entries()].find(([, role]) => role.roleId === roleId);
    if (!found) throw badRequest('invalid role or secret ID');
    const [name, role] = found;
    let metadata: Record<string, string> = {};
    if (role.bindSecretId) {
      const secretId = str(req.body, 'secret_id');
      if (!secretId) throw badRequest('missing secret_id');
      const entry = liveSecret(secretId, req.now);
      if (!entry || entry.role !== name) throw badRequest('invalid role or secret ID');
      metadata = entry.metadata;
      if (entry.usesLeft > 0) {
        entry.usesLeft -= 1;
        if (entry.usesLeft === 0) secretIds.delete(secretId);
      }
    }
    const mount = mountTtls();
    const token = tokens.issue({
      policies: role.tokenPolicies,
      ttl: role.tokenTtl || mount.defaultTtl,
      maxTtl: role.tokenMaxTtl || mount.maxTtl,
      explicitMaxTtl: role.tokenExplicitMaxTtl,
      period: role.tokenPeriod,
      numUses: role.tokenNumUses,
      meta: { ...metadata, role_name: name },
      displayName: 'approle',
      path: `${req.mountPath}login`,
      entityId: role.entityId,
    });
    return { type: 'logical', data: null, auth: tokens.authBlock(token) };
  }

  function newSecretId(req: EngineRequest, name: string, role: Role, secretId: string): Reply {
    if (secretIds.has(secretId)) throw badRequest('SecretID is already registered');
    let ttl: number;
    try {
      ttl = durationField(req.body, 'ttl', role.secretIdTtl);
    } catch (err) {
      throw badRequest((err as Error).message);
    }
    const numUses = Number(req.body['num_uses'] ?? role.secretIdNumUses) || 0;
    const accessor = newUuid();
    secretIds.set(secretId, {
      role: name,
      accessor,
      expireAt: ttl > 0 ? req.now + ttl * 1000 : null,
      usesLeft: numUses,
      metadata: metadataField(req.body),
    });
    return {
      type: 'logical',
      data: { secret_id: secretId, secret_id_accessor: accessor, secret_id_num_uses: numUses, secret_id_ttl: ttl },
      wrappedAccessor: accessor,
    };
  }

  function roleApi(req: EngineRequest, parts: string[]): Reply {
    const [name = '', sub = '', action = ''] = parts;
    if (name === '') {
      if (req.op !== 'list') throw unsupportedOperation();
      return listChildren(roles.keys(), '');
    }
    const role = roles.get(name);
    if (sub === '') {
      switch (req.op) {
        case 'update':
          roles.set(name, parseRole(req.body, role));
          return noContent();
        case 'read':
          if (!role) throw notFound();
          return logical({
            bind_secret_id: role.bindSecretId,
            local_secret_ids: false,
            secret_id_bound_cidrs: null,
            secret_id_num_uses: role.secretIdNumUses,
            secret_id_ttl: role.secretIdTtl,
            token_bound_cidrs: [],
            token_explicit_max_ttl: role.tokenExplicitMaxTtl,
            token_max_ttl: role.tokenMaxTtl,
            token_no_default_policy: false,
            token_num_uses: role.tokenNumUses,
            token_period: role.tokenPeriod,
            token_policies: role.tokenPolicies,
            token_ttl: role.tokenTtl,
            token_type: 'default',
          });
        case 'delete':
          roles.delete(name);
          for (const [id, entry] of secretIds) if (entry.role === name) secretIds.delete(id);
          return noContent();
        default:
          throw unsupportedOperation();
      }
    }
    if (!role) throw badRequest(`role "${name}" does not exist`);
    if (sub === 'role-id') {
      if (req.op === 'read') return logical({ role_id: role.roleId });
      if (req.op !== 'update') throw unsupportedOperation();
      const roleId = str(req.body, 'role_id');
      if (!roleId) throw badRequest('missing role_id');
      role.roleId = roleId;
      return noContent();
    }
    if (sub === 'secret-id' && action === 'destroy') {
      const id = str(req.body, 'secret_id');
      if (secretIds.get(id)?.role === name) secretIds.delete(id);
      return noContent();
    }
    if (sub === 'secret-id') {
      if (req.op === 'list') {
        const accessors = [...secretIds.keys()]
          .map((id) => liveSecret(id, req.now))
          .filter((s): s is SecretId => s !== null && s.role === name)
          .map((s) => s.accessor);
        return listChildren(accessors, '');
      }
      if (req.op !== 'update') throw unsupportedOperation();
      return newSecretId(req, name, role, newUuid());
    }
    if (sub === 'custom-secret-id') {
      if (req.op !== 'update') throw unsupportedOperation();
      const id = str(req.body, 'secret_id');
      if (!id) throw badRequest('missing secret_id');
      return newSecretId(req, name, role, id);
    }
    throw unsupportedPath();
  }

  return {
    handle(req: EngineRequest): Reply {
      const parts = req.subpath.replace(/\/$/, '').split('/');
      if (parts[0] === 'login') return login(req);
      if (parts[0] === 'role') return roleApi(req, parts.slice(1));
      throw unsupportedPath();
    },
  };
}
