// The sys/ mount: leases, wrapping, mounts and auth tables, ACL policies, capabilities.
import { badRequest, unsupportedOperation, unsupportedPath } from './errors';
import { handleLeases } from './leases';
import type { LeaseStore } from './leases';
import { handleMountsApi, handleUiMounts } from './mounts';
import type { MountTable } from './mounts';
import type { PolicyStore } from './policy';
import { listChildren } from './kv-list';
import type { EngineRequest, Reply } from './types';
import { logical, noContent, str, strList } from './types';
import { handleWrapping } from './wrapping';
import type { WrapStore } from './wrapping';

export interface SysDeps {
  leases: LeaseStore;
  wrapping: WrapStore;
  mounts: MountTable;
  policies: PolicyStore;
}

function policyApi(policies: PolicyStore, req: EngineRequest, name: string, legacy: boolean): Reply {
  if (name === '' || req.op === 'list') {
    if (legacy && req.op === 'read') return logical({ keys: policies.names(), policies: policies.names() });
    return listChildren(policies.names(), '');
  }
  switch (req.op) {
    case 'read': {
      const text = name === 'root' ? '' : policies.get(name);
      if (text === undefined) throw badRequest(`No policy named: ${name}`);
      return logical(legacy ? { name, rules: text } : { name, policy: text });
    }
    case 'update': {
      if (name === 'root') throw badRequest('cannot update "root" policy');
      const text = str(req.body, 'policy') || str(req.body, 'rules');
      if (!policies.put(name, text)) throw badRequest('failed to parse policy: no path blocks found');
      return noContent();
    }
    case 'delete':
      policies.delete(name);
      return noContent();
    default:
      throw unsupportedOperation();
  }
}

function capabilitiesSelf(policies: PolicyStore, req: EngineRequest): Reply {
  if (req.op !== 'update' || !req.token) throw unsupportedOperation();
  const paths = strList(req.body, 'paths', 'path') ?? [];
  const data: Record<string, unknown> = {};
  for (const path of paths) {
    const caps = policies.capabilities(req.token, path);
    data[path] = caps.length === 0 ? ['deny'] : caps;
  }
  if (paths.length === 1) data['capabilities'] = data[paths[0] ?? ''];
  return logical(data);
}

export function handleSys(deps: SysDeps, req: EngineRequest, headerWrappingToken: string | null): Reply {
  const path = req.subpath;
  if (path.startsWith('leases/') || path.startsWith('renew') || path.startsWith('revoke')) {
    return handleLeases(deps.leases, req);
  }
  if (path.startsWith('wrapping/')) return handleWrapping(deps.wrapping, req, headerWrappingToken);
  if (path === 'mounts' || path.startsWith('mounts/') || path === 'auth' || path.startsWith('auth/')) {
    return handleMountsApi(deps.mounts, req, path.replace(/\/$/, ''));
  }
  if (path.startsWith('internal/ui/mounts/')) {
    return handleUiMounts(deps.mounts, deps.policies, req, path.slice('internal/ui/mounts/'.length));
  }
  if (path === 'policies/acl' || path.startsWith('policies/acl/')) {
    return policyApi(deps.policies, req, path.slice('policies/acl'.length).replace(/^\/|\/$/g, ''), false);
  }
  if (path === 'policy' || path.startsWith('policy/')) {
    return policyApi(deps.policies, req, path.slice('policy'.length).replace(/^\/|\/$/g, ''), true);
  }
  if (path === 'capabilities-self') return capabilitiesSelf(deps.policies, req);
  throw unsupportedPath();
}
