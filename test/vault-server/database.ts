// The database secrets engine, minus the database: connections and roles are configured as in
// Vault, and database/creds/ROLE issues a unique username/password under a renewable lease.
import { durationField } from './duration';
import { badRequest, notFound, unsupportedOperation, unsupportedPath } from './errors';
import { randomString } from './ids';
import type { LeaseStore } from './leases';
import { listChildren } from './kv-list';
import type { Body, Engine, EngineRequest, Reply } from './types';
import { logical, noContent, str, strList } from './types';

interface Role {
  dbName: string;
  defaultTtl: number;
  maxTtl: number;
  creationStatements: string[];
  revocationStatements: string[];
}

export interface DatabaseState {
  /** Users created and not yet dropped (their lease is alive). */
  activeUsers(): string[];
  /** Every user ever created, in order. */
  createdUsers(): string[];
}

export function databaseEngine(
  leases: LeaseStore,
  mountTtls: () => { defaultTtl: number; maxTtl: number },
  initialConnections: Record<string, Body> = {},
): Engine & DatabaseState {
  const connections = new Map<string, Body>(Object.entries(initialConnections));
  const roles = new Map<string, Role>();
  const live = new Set<string>();
  const created: string[] = [];

  function creds(req: EngineRequest, name: string): Reply {
    if (req.op !== 'read') throw unsupportedOperation();
    const role = roles.get(name);
    if (!role) throw badRequest(`unknown role: ${name}`);
    const mount = mountTtls();
    const maxTtl = Math.min(role.maxTtl || mount.maxTtl, mount.maxTtl);
    const ttl = Math.min(role.defaultTtl || mount.defaultTtl, maxTtl);
    const display = (req.token?.displayName ?? 'token').replace(/[^a-zA-Z0-9-]/g, '-').slice(0, 8);
    const username = `v-${display}-${name.slice(0, 8)}-${randomString(20)}-${Math.floor(req.now / 1000)}`.slice(0, 63);
    const password = `A1a-${randomString(16)}`;
    live.add(username);
    created.push(username);
    const lease = leases.create({
      path: `${req.mountPath}creds/${name}`,
      ttl,
      maxTtl,
      renewable: true,
      owner: req.token?.id ?? null,
      onRevoke: () => live.delete(username),
    });
    return logical({ username, password }, { lease: { id: lease.id, duration: ttl, renewable: true } });
  }

  function roleApi(req: EngineRequest, name: string): Reply {
    if (req.op === 'list' || name === '') return listChildren(roles.keys(), '');
    const role = roles.get(name);
    switch (req.op) {
      case 'read':
        if (!role) throw notFound();
        return logical({
          creation_statements: role.creationStatements,
          credential_type: 'password',
          db_name: role.dbName,
          default_ttl: role.defaultTtl,
          max_ttl: role.maxTtl,
          renew_statements: [],
          revocation_statements: role.revocationStatements,
          rollback_statements: [],
        });
      case 'update': {
        const dbName = str(req.body, 'db_name') || role?.dbName || '';
        if (!dbName) throw badRequest('empty database name attribute');
        if (!connections.has(dbName)) throw badRequest(`could not find connection with name "${dbName}"`);
        const statements = strList(req.body, 'creation_statements') ?? role?.creationStatements ?? [];
        if (statements.length === 0) throw badRequest('creation statements are required');
        try {
          roles.set(name, {
            dbName,
            defaultTtl: durationField(req.body, 'default_ttl', role?.defaultTtl ?? 0),
            maxTtl: durationField(req.body, 'max_ttl', role?.maxTtl ?? 0),
            creationStatements: statements,
            revocationStatements: strList(req.body, 'revocation_statements') ?? role?.revocationStatements ?? [],
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

  function connectionApi(req: EngineRequest, name: string): Reply {
    if (req.op === 'list' || name === '') return listChildren(connections.keys(), '');
    switch (req.op) {
      case 'read': {
        const conn = connections.get(name);
        if (!conn) throw notFound();
        return logical({
          allowed_roles: strList(conn, 'allowed_roles') ?? [],
          connection_details: { connection_url: str(conn, 'connection_url'), username: str(conn, 'username') },
          plugin_name: str(conn, 'plugin_name'),
        });
      }
      case 'update':
        if (!str(req.body, 'plugin_name') && !connections.has(name)) throw badRequest('empty plugin name');
        connections.set(name, { ...(connections.get(name) ?? {}), ...req.body });
        return noContent();
      case 'delete':
        connections.delete(name);
        return noContent();
      default:
        throw unsupportedOperation();
    }
  }

  return {
    activeUsers: () => {
      leases.sweep();
      return [...live];
    },
    createdUsers: () => [...created],
    handle(req: EngineRequest): Reply {
      const [section = '', ...rest] = req.subpath.split('/');
      const name = rest.join('/').replace(/\/$/, '');
      switch (section) {
        case 'creds':
          return creds(req, name);
        case 'roles':
          return roleApi(req, name);
        case 'config':
          return connectionApi(req, name);
        default:
          throw unsupportedPath();
      }
    },
  };
}

/** A connection the fake treats as configured, matching what configure-real-vault.sh creates. */
export const DEFAULT_CONNECTION = {
  plugin_name: 'postgresql-database-plugin',
  connection_url: 'postgresql://{{username}}:{{password}}@postgres:5432/postgres?sslmode=disable',
  allowed_roles: '*',
  username: 'postgres',
};
