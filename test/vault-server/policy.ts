// ACL policies: the subset of Vault's HCL that tests write (path blocks with capabilities),
// the built-in default policy, and the capability check made before routing.
import { policyDenied } from './errors';
import type { Operation, TokenEntry } from './types';

export interface PolicyRule {
  pattern: string;
  capabilities: string[];
}

const BLOCK = /path\s+"([^"]+)"\s*\{([^}]*)\}/g;
const CAPS = /capabilities\s*=\s*\[([^\]]*)\]/;

export function parsePolicy(hcl: string): PolicyRule[] | null {
  const rules: PolicyRule[] = [];
  for (const block of hcl.matchAll(BLOCK)) {
    const caps = CAPS.exec(block[2] ?? '');
    const list = caps?.[1] ?? '';
    const capabilities = [...list.matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? '');
    rules.push({ pattern: block[1] ?? '', capabilities });
  }
  return rules.length > 0 || hcl.trim() === '' ? rules : null;
}

// Vault's default policy, the parts that matter to an agent.
const DEFAULT_POLICY = `
path "auth/token/lookup-self" { capabilities = ["read"] }
path "auth/token/renew-self" { capabilities = ["update"] }
path "auth/token/revoke-self" { capabilities = ["update"] }
path "sys/capabilities-self" { capabilities = ["update"] }
path "sys/leases/renew" { capabilities = ["update"] }
path "sys/leases/lookup" { capabilities = ["update"] }
path "sys/renew" { capabilities = ["update"] }
path "sys/wrapping/wrap" { capabilities = ["update"] }
path "sys/wrapping/lookup" { capabilities = ["update"] }
path "sys/wrapping/unwrap" { capabilities = ["update"] }
path "sys/internal/ui/resultant-acl" { capabilities = ["read"] }
path "cubbyhole/*" { capabilities = ["create", "read", "update", "delete", "list"] }
`;

function matches(pattern: string, path: string): boolean {
  const glob = pattern.endsWith('*');
  const base = glob ? pattern.slice(0, -1) : pattern;
  const patternParts = base.split('/');
  const pathParts = path.split('/');
  if (!glob && patternParts.length !== pathParts.length) return false;
  if (glob && pathParts.length < patternParts.length) return false;
  for (let i = 0; i < patternParts.length; i += 1) {
    const want = patternParts[i] ?? '';
    const have = pathParts[i] ?? '';
    const last = i === patternParts.length - 1;
    if (want === '+') continue;
    if (last && glob ? !have.startsWith(want) : want !== have) return false;
  }
  return true;
}

/** Most specific first: exact before glob, longer before shorter, fewer '+' before more. */
function specificity(pattern: string): number {
  const plus = pattern.split('/').filter((p) => p === '+').length;
  return (pattern.endsWith('*') ? 0 : 1_000_000) + pattern.length * 100 - plus;
}

export class PolicyStore {
  private readonly policies = new Map<string, { text: string; rules: PolicyRule[] }>();

  constructor() {
    this.policies.set('default', { text: DEFAULT_POLICY, rules: parsePolicy(DEFAULT_POLICY) ?? [] });
  }

  put(name: string, text: string): boolean {
    const rules = parsePolicy(text);
    if (rules === null) return false;
    this.policies.set(name, { text, rules });
    return true;
  }

  get(name: string): string | undefined {
    return this.policies.get(name)?.text;
  }

  delete(name: string): void {
    if (name !== 'default') this.policies.delete(name);
  }

  names(): string[] {
    return [...this.policies.keys(), 'root'].sort();
  }

  /** Capabilities the token holds on path, from the most specific matching rule across its policies. */
  capabilities(token: TokenEntry, path: string): string[] {
    if (token.policies.includes('root')) return ['root'];
    const matching: PolicyRule[] = [];
    for (const name of token.policies) {
      for (const rule of this.policies.get(name)?.rules ?? []) if (matches(rule.pattern, path)) matching.push(rule);
    }
    if (matching.length === 0) return [];
    const best = Math.max(...matching.map((r) => specificity(r.pattern)));
    const caps = new Set(matching.filter((r) => specificity(r.pattern) === best).flatMap((r) => r.capabilities));
    return caps.has('deny') ? ['deny'] : [...caps].sort();
  }

  /** Throws the 403 Vault sends for a policy denial. POST/PUT pass with either create or update. */
  check(token: TokenEntry, path: string, op: Operation): void {
    const caps = this.capabilities(token, path);
    if (caps.includes('root')) return;
    const needed: Record<Operation, string[]> = {
      read: ['read'],
      list: ['list'],
      update: ['create', 'update'],
      patch: ['patch'],
      delete: ['delete'],
    };
    if (!needed[op].some((cap) => caps.includes(cap))) throw policyDenied();
  }

  /** Whether the token can do anything at all under a mount (sys/internal/ui/mounts needs this). */
  hasAccessUnder(token: TokenEntry, prefix: string): boolean {
    if (token.policies.includes('root')) return true;
    for (const name of token.policies) {
      for (const rule of this.policies.get(name)?.rules ?? []) {
        const base = rule.pattern.replace(/\*$/, '');
        if ((base.startsWith(prefix) || prefix.startsWith(base)) && !rule.capabilities.includes('deny')) return true;
      }
    }
    return false;
  }
}
