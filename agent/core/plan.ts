// What to fetch in one cycle. Source names are local to a policy, so two policies that both
// say `dev` may mean different stores; sources are grouped by what they are (their normalized
// config), and each distinct (source, key) is fetched once per cycle however many policies
// and secrets name it.

import type { Policy, SourceConfig } from '../config/normalize';
import { refId, type Ref } from './refs';
import type { SecretData, Snapshot } from './values';

export interface PlannedSource {
  /** Stable identity of the source: its type and config, as canonical JSON. */
  id: string;
  config: SourceConfig;
  /** Distinct keys to fetch, in first-seen order. */
  keys: string[];
  /** Who calls it what: one entry per policy that declares it. */
  users: { policy: string; name: string }[];
}

export interface FetchPlan {
  sources: PlannedSource[];
}

/** Canonical JSON with sorted keys, so equal configs give equal ids. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function sourceId(config: SourceConfig): string {
  return canonical(config);
}

/** Every (source, key) a policy reads: secrets, template refs and env, deduplicated. */
export function policyRefs(policy: Policy): Ref[] {
  const seen = new Map<string, Ref>();
  const add = (source: string, key: string) => {
    const id = refId(source, key);
    if (!seen.has(id)) seen.set(id, { source, key });
  };
  for (const s of policy.secrets) {
    if (s.format === 'template') s.refs.forEach((r) => add(r.source, r.key));
    else add(s.source, s.key);
  }
  for (const v of policy.env) add(v.ref.source, v.ref.key);
  return [...seen.values()];
}

export function planFetches(policies: readonly Policy[]): FetchPlan {
  const byId = new Map<string, PlannedSource>();
  const seenKeys = new Map<string, Set<string>>();
  for (const policy of policies) {
    const local = new Map<string, PlannedSource>();
    for (const [name, config] of Object.entries(policy.sources)) {
      const id = sourceId(config);
      let planned = byId.get(id);
      if (!planned) {
        byId.set(id, (planned = { id, config, keys: [], users: [] }));
        seenKeys.set(id, new Set());
      }
      planned.users.push({ policy: policy.name, name });
      local.set(name, planned);
    }
    for (const ref of policyRefs(policy)) {
      const planned = local.get(ref.source);
      const seen = planned && seenKeys.get(planned.id)!;
      if (planned && seen && !seen.has(ref.key)) {
        seen.add(ref.key);
        planned.keys.push(ref.key);
      }
    }
  }
  return { sources: [...byId.values()] };
}

/** Fetched data by source id and key. */
export type FetchedLookup = (sourceId: string, key: string) => SecretData | undefined;

/** A policy's local source names, mapped to the source ids they stand for. */
export function policySourceIds(policy: Policy): Map<string, string> {
  return new Map(Object.entries(policy.sources).map(([name, config]) => [name, sourceId(config)]));
}

/**
 * The snapshot one policy renders from: its local source names mapped onto the fetched data,
 * which is keyed by source id and then by key.
 */
export function policySnapshot(policy: Policy, fetched: FetchedLookup, ids = policySourceIds(policy)): Snapshot {
  return {
    get: (source, key) => {
      const id = ids.get(source);
      return id === undefined ? undefined : fetched(id, key);
    },
  };
}
