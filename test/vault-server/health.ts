// sys/health and sys/seal-status: unauthenticated, every status code carries the health JSON,
// and each code can be overridden by query parameter.
import { unixSeconds } from './duration';
import { VaultError } from './errors';
import type { FaultSettings } from './faults';
import { parseBool } from './types';

export const VAULT_VERSION = '1.20.4';

export interface ClusterIdentity {
  clusterName: string;
  clusterId: string;
}

function intParam(query: Record<string, string>, key: string, fallback: number): number {
  const raw = query[key];
  if (raw === undefined) return fallback;
  if (!/^[+-]?\d+$/.test(raw)) throw new VaultError(400, []);
  return Number(raw);
}

function boolParam(query: Record<string, string>, key: string): boolean {
  const raw = query[key];
  if (raw === undefined) return false;
  const parsed = parseBool(raw);
  if (parsed === null) throw new VaultError(400, []);
  return parsed;
}

export function health(
  state: Readonly<FaultSettings>,
  query: Record<string, string>,
  nowMs: number,
  cluster: ClusterIdentity,
): { status: number; body: Record<string, unknown> } {
  const standbyOk = boolParam(query, 'standbyok');
  const perfStandbyOk = boolParam(query, 'perfstandbyok');
  const codes = {
    active: intParam(query, 'activecode', 200),
    standby: intParam(query, 'standbycode', 429),
    dr: intParam(query, 'drsecondarycode', 472),
    perf: intParam(query, 'performancestandbycode', 473),
    sealed: intParam(query, 'sealedcode', 503),
    uninit: intParam(query, 'uninitcode', 501),
    haUnhealthy: intParam(query, 'haunhealthycode', 474),
    removed: intParam(query, 'removedcode', 530),
  };
  const down = state.sealed || state.uninitialized;
  const node = state.node;
  const standby = down || node !== 'active' && node !== 'dr-secondary';
  const body: Record<string, unknown> = {
    initialized: !state.uninitialized,
    sealed: down,
    standby,
    performance_standby: !down && node === 'perf-standby',
    replication_performance_mode: down ? 'unknown' : 'disabled',
    replication_dr_mode: down ? 'unknown' : node === 'dr-secondary' ? 'secondary' : 'disabled',
    server_time_utc: unixSeconds(nowMs),
    version: node === 'perf-standby' || node === 'dr-secondary' ? `${VAULT_VERSION}+ent` : VAULT_VERSION,
    enterprise: node === 'perf-standby' || node === 'dr-secondary',
  };
  if (!down) {
    body['cluster_name'] = cluster.clusterName;
    body['cluster_id'] = cluster.clusterId;
  }
  body['echo_duration_ms'] = 0;
  body['clock_skew_ms'] = 0;
  body['replication_primary_canary_age_ms'] = 0;
  if (!down && node === 'perf-standby') body['last_wal'] = 91234;
  if (!down && (node === 'standby' || node === 'ha-unhealthy')) {
    body['ha_connection_healthy'] = node === 'standby';
    body['last_request_forwarding_heartbeat_ms'] = node === 'standby' ? 412 : 15873;
    body['removed_from_cluster'] = false;
  }
  if (!down && node === 'removed') body['removed_from_cluster'] = true;

  let status = codes.active;
  if (state.uninitialized) status = codes.uninit;
  else if (state.sealed) status = codes.sealed;
  else if (node === 'removed') status = codes.removed;
  else if (node === 'dr-secondary') status = codes.dr;
  else if (node === 'ha-unhealthy') status = codes.haUnhealthy;
  else if (node === 'perf-standby' && !perfStandbyOk) status = codes.perf;
  else if (node === 'standby' && !standbyOk) status = codes.standby;
  return { status, body };
}

export function sealStatus(state: Readonly<FaultSettings>, cluster: ClusterIdentity): Record<string, unknown> {
  const sealed = state.sealed || state.uninitialized;
  return {
    type: 'shamir',
    initialized: !state.uninitialized,
    sealed,
    t: 1,
    n: 1,
    progress: 0,
    nonce: '',
    version: VAULT_VERSION,
    build_date: '2025-09-24T12:00:00Z',
    migration: false,
    recovery_seal: false,
    storage_type: 'inmem',
    ...(sealed ? {} : { cluster_name: cluster.clusterName, cluster_id: cluster.clusterId }),
  };
}
