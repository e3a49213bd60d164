// The Vault test server's public surface for tests and benchmarks.
export { startVaultTestServer } from './server';
export type { VaultTestServer, VaultTestServerOptions } from './server';
export { vaultTarget, usingRealVault } from './target';
export type { VaultTarget } from './target';
export { VaultSetup, VaultRequestError, MOUNTS, DB_CONNECTION } from './setup';
export type { VaultResponse, TokenResult } from './setup';
export { createManualClock, systemClock } from './clock';
export type { Clock, ManualClock } from './clock';
export type { FaultControls, FaultSettings, PathFailure, NodeState } from './faults';
export type { RequestLog, RequestRecord, RequestFilter } from './request-log';
export type { VaultState } from './core';
