// Kubernetes auth: roles bound to service accounts, and a registry of JWTs the tests declare
// valid (standing in for the TokenReview call real Vault makes to the cluster).
import { durationField } from './duration';
import { badRequest, notFound, permissionDenied, unsupportedOperation, unsupportedPath } from './errors';
import { newUuid } from './ids';
import { listChildren } from './kv-list';
import type { TokenStore } from './tokens';
import type { Body, Engine, EngineRequest, Reply } from './types';
import { logical, noContent, str, strList } from './types';

export interface ServiceAccount {
  name: string;
  namespace: string;
  uid?: string;
}

interface Role {
  names: string[];
  namespaces: string[];
  policies: string[];
  ttl: number;
  maxTtl: number;
  audience: string;
}

export interface KubernetesState {
  /** Declares jwt valid for the service account (what TokenReview would answer). */
  registerJwt(jwt: string, account: ServiceAccount): void;
  /** Builds a JWT-shaped token for the account and registers it. */
  mintJwt(account: ServiceAccount): string;
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const bound = (allowed: string[], value: string): boolean => allowed.includes('*') || allowed.includes(value);

export function kubernetesEngine(
  tokens: TokenStore,
  mountTtls: () => { defaultTtl: number; maxTtl: number },
): Engine & KubernetesState {
  const roles = new Map<string, Role>();
  const jwts = new Map<string, Required<ServiceAccount>>();
  const entities = new Map<string, string>();
  let config: Body | null = null;

  function registerJwt(jwt: string, account: ServiceAccount): void {
    jwts.set(jwt, { ...account, uid: account.uid ?? newUuid() });
  }

  function login(req: EngineRequest): Reply {
    if (req.op !== 'update') throw unsupportedOperation();
    const roleName = str(req.body, 'role');
    const jwt = str(req.body, 'jwt');
    if (!roleName) throw badRequest('missing role');
    if (!jwt) throw badRequest('missing jwt');
    const role = roles.get(roleName);
    if (!role) throw badRequest(`invalid role name "${roleName}"`);
    const account = jwts.get(jwt);
    if (!account || !bound(role.names, account.name) || !bound(role.namespaces, account.namespace)) {
      throw permissionDenied();
    }
    const entityId = entities.get(account.uid) ?? newUuid();
    entities.set(account.uid, entityId);
    const mount = mountTtls();
    const token = tokens.issue({
      policies: role.policies,
      ttl: role.ttl || mount.defaultTtl,
      maxTtl: role.maxTtl || mount.maxTtl,
      meta: {
        role: roleName,
        service_account_name: account.name,
        service_account_namespace: account.namespace,
        service_account_secret_name: '',
        service_account_uid: account.uid,
      },
      displayName: `kubernetes-${account.namespace}-${account.name}`,
      path: `${req.mountPath}login`,
      entityId,
    });
    return { type: 'logical', data: null, auth: tokens.authBlock(token) };
  }

  function roleApi(req: EngineRequest, name: string): Reply {
    if (req.op === 'list' || name === '') return listChildren(roles.keys(), '');
    switch (req.op) {
      case 'read': {
        const role = roles.get(name);
        if (!role) throw notFound();
        return logical({
          audience: role.audience,
          bound_service_account_names: role.names,
          bound_service_account_namespaces: role.namespaces,
          token_max_ttl: role.maxTtl,
          token_policies: role.policies,
          token_ttl: role.ttl,
        });
      }
      case 'update': {
        const previous = roles.get(name);
        const names = strList(req.body, 'bound_service_account_names') ?? previous?.names ?? [];
        const namespaces = strList(req.body, 'bound_service_account_namespaces') ?? previous?.namespaces ?? [];
        if (names.length === 0) throw badRequest('"bound_service_account_names" can not be empty');
        if (namespaces.length === 0) throw badRequest('"bound_service_account_namespaces" can not be empty');
        try {
          roles.set(name, {
            names,
            namespaces,
            policies: strList(req.body, 'token_policies', 'policies') ?? previous?.policies ?? [],
            ttl: durationField(req.body, 'token_ttl', durationField(req.body, 'ttl', previous?.ttl ?? 0)),
            maxTtl: durationField(req.body, 'token_max_ttl', durationField(req.body, 'max_ttl', previous?.maxTtl ?? 0)),
            audience: str(req.body, 'audience') || previous?.audience || '',
          });
        } catch (err) {
          throw badRequest((err as Error).message);
        }
        return noContent();
      }
      case 'delete':
        roles.delete(name);
        return noContent();
      default:
        throw unsupportedOperation();
    }
  }

  return {
    registerJwt,
    mintJwt(account) {
      const jwt = [
        b64url({ alg: 'RS256', kid: 'hush-test' }),
        b64url({
          iss: 'kubernetes/serviceaccount',
          'kubernetes.io/serviceaccount/namespace': account.namespace,
          'kubernetes.io/serviceaccount/service-account.name': account.name,
          sub: `system:serviceaccount:${account.namespace}:${account.name}`,
        }),
        Buffer.from(newUuid()).toString('base64url'),
      ].join('.');
      registerJwt(jwt, account);
      return jwt;
    },
    handle(req: EngineRequest): Reply {
      const [section = '', ...rest] = req.subpath.replace(/\/$/, '').split('/');
      switch (section) {
        case 'login':
          return login(req);
        case 'role':
          return roleApi(req, rest.join('/'));
        case 'config':
          if (req.op === 'read') {
            if (!config) throw notFound();
            return logical({ kubernetes_host: str(config, 'kubernetes_host'), disable_iss_validation: true });
          }
          if (req.op !== 'update') throw unsupportedOperation();
          if (!str(req.body, 'kubernetes_host')) throw badRequest('no host provided');
          config = req.body;
          return noContent();
        default:
          throw unsupportedPath();
      }
    },
  };
}
