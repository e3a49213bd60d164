// Pure: --cap-add/--cap-drop → the app's capability sets, the way podman 5 computes them.
// A root app gets the resulting set; a non-root app gets only what was added, as ambient
// capabilities (so `--user 1000 --cap-add NET_BIND_SERVICE` can bind port 80).

import { UsageError } from './flags';

/** Linux capability names in number order (capability.h), without the CAP_ prefix. */
export const capabilityNames = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID',
  'SETPCAP', 'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW',
  'IPC_LOCK', 'IPC_OWNER', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT',
  'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE', 'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD',
  'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP', 'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG',
  'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF', 'CHECKPOINT_RESTORE',
] as const;

export type CapabilityName = (typeof capabilityNames)[number];

/** podman 5's default: no NET_RAW (the host network is shared), MKNOD or AUDIT_WRITE. */
export const defaultCapabilities: readonly CapabilityName[] = [
  'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID',
  'SETPCAP', 'SETUID', 'SYS_CHROOT',
];

export interface CapabilitySets {
  /** The bounding set (and a root app's effective and permitted sets), by name. */
  granted: CapabilityName[];
  /** A non-root app's ambient set: the added capabilities that are granted. */
  ambient: CapabilityName[];
}

/** `NET_RAW`, `cap_net_raw`, `CAP_NET_RAW` → `NET_RAW`; `ALL` stays `ALL`. */
export function parseCapabilityName(flag: string, text: string): CapabilityName | 'ALL' {
  const name = text.toUpperCase().replace(/^CAP_/, '');
  if (name === 'ALL') return 'ALL';
  if (!(capabilityNames as readonly string[]).includes(name)) {
    throw new UsageError(`${flag}: unknown capability '${text}' (Docker's names, like NET_RAW or CAP_NET_RAW)`);
  }
  return name as CapabilityName;
}

/** Drops first (ALL drops the defaults), then adds (ALL adds every capability). */
export function capabilitySets(add: readonly (CapabilityName | 'ALL')[], drop: readonly (CapabilityName | 'ALL')[], uid: number): CapabilitySets {
  const added = add.includes('ALL') ? [...capabilityNames] : (add as CapabilityName[]);
  const set = new Set<CapabilityName>(drop.includes('ALL') ? [] : defaultCapabilities);
  for (const name of drop) if (name !== 'ALL') set.delete(name);
  for (const name of added) set.add(name);
  const granted = capabilityNames.filter((name) => set.has(name));
  return { granted, ambient: uid === 0 ? [] : granted.filter((name) => added.includes(name)) };
}

export function capabilityNumber(name: CapabilityName): number {
  return capabilityNames.indexOf(name);
}
