// The server's state and its default mounts, laid out as configure-real-vault.sh lays out a
// real dev Vault: kv v2 at secret/, kv v1 at kv/, database/, pki/, approle and kubernetes auth.
import type { Clock } from './clock';
import { DEFAULT_CONNECTION, databaseEngine } from './database';
import type { DatabaseState } from './database';
import { Faults } from './faults';
import { newUuid, randomString } from './ids';
import { kubernetesEngine } from './kubernetes';
import type { KubernetesState } from './kubernetes';
import { kvV1Engine } from './kv1';
import { kvV2Engine } from './kv2';
import { LeaseStore } from './leases';
import { MountTable } from './mounts';
import type { EngineFactory, MountEntry } from './mounts';
import { pkiEngine } from './pki';
import type { PkiState } from './pki';
import { PolicyStore } from './policy';
import { approleEngine } from './approle';
import { TokenStore, tokenEngine } from './tokens';
import { WrapStore } from './wrapping';
import type { ClusterIdentity } from './health';

export interface VaultState {
  clock: Clock;
  tokens: TokenStore;
  leases: LeaseStore;
  wrapping: WrapStore;
  policies: PolicyStore;
  mounts: MountTable;
  /** The engines behind the default mounts, for test-only knobs and inspection. */
  kubernetes: KubernetesState;
  database: DatabaseState;
  pki: PkiState;
  cluster: ClusterIdentity;
  /** Revokes whatever has expired on the clock (also done before every request). */
  sweep(): void;
}

export interface Core extends VaultState {
  faults: Faults;
}

export function createCore(clock: Clock): Core {
  const tokens = new TokenStore(clock);
  const leases = new LeaseStore(clock);
  const wrapping = new WrapStore(clock);
  const policies = new PolicyStore();
  tokens.onRevoke((token) => leases.revokeOwnedBy(token.id));

  let table: MountTable | null = null;
  const ttlsOf = (mount: Omit<MountEntry, 'engine'>) => () => {
    const live = table?.find(mount.path) ?? mount;
    return (table as MountTable).ttls(live);
  };
  const factory: EngineFactory = (mount) => {
    const ttls = ttlsOf(mount);
    switch (`${mount.kind}:${mount.type}`) {
      case 'secret:system':
        return { handle: () => ({ type: 'empty', status: 204 }) }; // sys/ is dispatched by the server
      case 'secret:kv':
        return mount.options?.['version'] === '2' ? kvV2Engine() : kvV1Engine(() => ttls().defaultTtl);
      case 'secret:database':
        return databaseEngine(leases, ttls, { postgres: { ...DEFAULT_CONNECTION } });
      case 'secret:pki':
        return pkiEngine(clock, leases, ttls);
      case 'auth:token':
        return tokenEngine(tokens);
      case 'auth:approle':
        return approleEngine(tokens, ttls);
      case 'auth:kubernetes':
        return kubernetesEngine(tokens, ttls);
      default:
        return null;
    }
  };
  table = new MountTable(factory);
  const mounts = table;
  mounts.enable('secret', 'sys', 'system');
  mounts.enable('secret', 'secret', 'kv', { options: { version: '2' } });
  mounts.enable('secret', 'kv', 'kv', { options: { version: '1' } });
  const database = mounts.enable('secret', 'database', 'database').engine as unknown as DatabaseState;
  const pki = mounts.enable('secret', 'pki', 'pki').engine as unknown as PkiState;
  mounts.enable('auth', 'token', 'token');
  mounts.enable('auth', 'approle', 'approle');
  const kubernetes = mounts.enable('auth', 'kubernetes', 'kubernetes').engine as unknown as KubernetesState;

  const faults = new Faults((token) => {
    const entry = tokens.lookup(token);
    if (entry) entry.expireAt = clock.now();
    tokens.sweep();
  });

  return {
    clock,
    tokens,
    leases,
    wrapping,
    policies,
    mounts,
    kubernetes,
    database,
    pki,
    faults,
    cluster: { clusterName: `vault-cluster-${randomString(8).toLowerCase()}`, clusterId: newUuid() },
    sweep() {
      tokens.sweep();
      leases.sweep();
      wrapping.sweep();
    },
  };
}
