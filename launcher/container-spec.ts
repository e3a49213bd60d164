// Pure: `hush run` flags → RunOptions → the spec that native spawns. No I/O; the caller
// supplies the host environment, the random container id, and (once they exist) the secrets
// tmpfs and the variables the policies put in the app's environment.

import type { SpawnSpec, TmpfsMount } from '../native';
import { parseCapabilityName } from './capabilities';
import { parseLimits, type ResourceLimits } from './cgroups/limits';
import type { ConfinementOptions, ConfinementSpec } from './confinement';
import { parseFlags, single, UsageError, type ParsedFlags } from './flags';
import { checkNotMasked, checkSecretsDir, maskList, normalizeAbsolute, tmpfsMounts } from './hardening';

export interface RunOptions {
  argv: string[];
  policies: string[];
  store: string | undefined;
  rootfs: string;
  hostRoot: boolean;
  secretsDir: string;
  netNone: boolean;
  hostname: string;
  uid: number;
  gid: number;
  /** The app's environment as K=V strings, before policy-provided variables. */
  env: Map<string, string>;
  workdir: string;
  init: boolean;
  /** Literal secrets from --secret NAME=VALUE (for trying hush without a store). */
  literalSecrets: Map<string, string>;
  listen: string | undefined;
  /** /tmp, /run, /dev/shm and --tmpfs, each capped, parents first (hardening.ts). */
  tmpfs: TmpfsMount[];
  /** Paths hidden in the container (patterns: `*` within the last component). */
  maskPaths: string[];
  /** Capabilities, seccomp, the pty: what confines the app (confinement.ts). */
  confinement: ConfinementOptions;
  /** --memory, --cpus, --pids-limit */
  limits: ResourceLimits;
  /** With --image: what launcher/images/run-image.ts needs to apply the image's config. */
  imageRun?: ImageRunRequest;
  /** --volume HOST:CTR[:ro|rw], bound by launcher/volumes.ts and native/src/volumes.c. */
  volumes: VolumeRequest[];
  /** Rootless: refuse to run when swap is on, since the secrets tmpfs cannot be noswap there. */
  requireNoswap: boolean;
  /** --userns: undefined is the default (host for root; an ordinary user always gets one). */
  userns: 'host' | 'auto' | undefined;
}

export interface VolumeRequest {
  host: string;
  target: string;
  readOnly: boolean;
}

export interface ImageRunRequest {
  ref: string;
  pull: 'missing' | 'always' | 'never';
  readOnly: boolean;
  insecureHosts: string[];
  /** --user as given (names resolve in the image), or undefined for the image's User. */
  user: string | undefined;
  /** Arguments after --, which replace the image's Cmd; undefined keeps it. */
  args: string[] | undefined;
  workdirGiven: boolean;
  /** Only the --env values, applied over the image's Env. */
  envFlags: Map<string, string>;
}

export const runFlags = {
  values: {
    policy: true,
    store: false,
    rootfs: false,
    'secrets-dir': false,
    net: false,
    hostname: false,
    user: false,
    env: true,
    workdir: false,
    secret: true,
    listen: false,
    tmpfs: true,
    mask: true,
    unmask: true,
    'cap-add': true,
    'cap-drop': true,
    seccomp: false,
    memory: false,
    cpus: false,
    'pids-limit': false,
    image: false,
    pull: false,
    'insecure-registry': true,
    volume: true,
    userns: false,
  },
  booleans: ['no-init', 'help', 'tty', 'read-only', 'require-noswap'],
  short: { t: 'tty' },
} as const;

/** Host variables passed into the container; everything else must be given with --env. */
export const passedThroughEnv = ['PATH', 'TERM', 'LANG'] as const;
const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;
const hostnamePattern = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const secretName = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/** `UID[:GID]` (GID defaults to UID), for --user of `hush run` and `hush agent`. */
export function parseOwner(flag: string, text: string): { uid: number; gid: number } {
  const [uidText, gidText, extra] = text.split(':');
  if (extra !== undefined) throw new UsageError(`${flag} must be UID[:GID], got '${text}'`);
  const id = (part: string, what: string) => {
    if (!/^\d+$/.test(part) || Number(part) > 0xfffffffe) throw new UsageError(`${flag}: ${what} must be a number, got '${part}'`);
    return Number(part);
  };
  const uid = id(uidText, 'UID');
  return { uid, gid: gidText === undefined ? uid : id(gidText, 'GID') };
}

function checkAbsolute(flag: string, value: string): string {
  if (!value.startsWith('/')) throw new UsageError(`${flag} must be an absolute path, got '${value}'`);
  if (value.split('/').some((part) => part === '..')) throw new UsageError(`${flag} must not contain '..'`);
  if (value.includes('\0')) throw new UsageError(`${flag} must not contain NUL`);
  return value;
}

export function parseRunArgs(args: readonly string[], hostEnv: NodeJS.ProcessEnv, containerId: string): RunOptions {
  const flags = parseFlags(args, runFlags);
  if (flags.positional.length > 0) {
    throw new UsageError(`unexpected argument '${flags.positional[0]}' (put the command after --)`);
  }
  const argv = flags.rest ?? [];
  const image = single(flags, 'image');
  if (argv.length === 0 && image === undefined && !flags.booleans.has('help')) throw new UsageError('no command given (hush run [options] -- CMD [ARG...])');
  if (argv.length > 0 && argv[0] === '') throw new UsageError('the command must not be empty');

  const userns = single(flags, 'userns');
  if (userns !== undefined && userns !== 'host' && userns !== 'auto') throw new UsageError(`--userns must be 'host' or 'auto', got '${userns}'`);

  const net = single(flags, 'net') ?? 'host';
  if (net !== 'host' && net !== 'none') throw new UsageError(`--net must be 'host' or 'none', got '${net}'`);

  const user = single(flags, 'user') ?? '0:0';
  // With an image, a user name resolves in the image's /etc/passwd (launcher/images/run-image.ts).
  const userByName = image !== undefined && !/^\d+(:\d+)?$/.test(user);
  const { uid, gid } = userByName ? { uid: 0, gid: 0 } : parseOwner('--user', user);

  const hostname = single(flags, 'hostname') ?? containerId;
  if (!hostnamePattern.test(hostname) || hostname.length > 64) throw new UsageError(`--hostname '${hostname}' is not a valid host name`);

  const secretsDir = checkSecretsDir(checkAbsolute('--secrets-dir', single(flags, 'secrets-dir') ?? '/run/secrets'));

  const rootfsFlag = single(flags, 'rootfs');
  const rootfs = rootfsFlag === undefined ? '/' : checkAbsoluteOrRelative(rootfsFlag);
  if (image !== undefined && rootfsFlag !== undefined) throw new UsageError('--image and --rootfs cannot be used together');
  const pull = single(flags, 'pull') ?? 'missing';
  if (pull !== 'missing' && pull !== 'always' && pull !== 'never') throw new UsageError(`--pull must be missing, always or never, got '${pull}'`);
  if (image === undefined && (flags.booleans.has('read-only') || flags.values.has('pull'))) throw new UsageError('--read-only and --pull need --image');
  const envFlags = new Map<string, string>();

  const env = new Map<string, string>();
  for (const name of passedThroughEnv) {
    const value = hostEnv[name];
    if (value !== undefined) env.set(name, value);
  }
  if (!env.has('PATH')) env.set('PATH', defaultPath);
  for (const item of flags.values.get('env') ?? []) {
    const eq = item.indexOf('=');
    const name = eq === -1 ? item : item.slice(0, eq);
    if (!envName.test(name)) throw new UsageError(`--env: '${name}' is not a valid variable name`);
    if (eq === -1) {
      // `--env NAME` passes the host's value, as docker and podman do.
      const value = hostEnv[name];
      if (value !== undefined) env.set(name, value);
      if (value !== undefined) envFlags.set(name, value);
    } else {
      env.set(name, item.slice(eq + 1));
      envFlags.set(name, item.slice(eq + 1));
    }
  }

  const literalSecrets = new Map<string, string>();
  for (const item of flags.values.get('secret') ?? []) {
    const eq = item.indexOf('=');
    const name = eq === -1 ? '' : item.slice(0, eq);
    if (!secretName.test(name) || name.split('/').some((part) => part === '.' || part === '..')) {
      throw new UsageError(`--secret must be NAME=VALUE with a relative file name, got '${eq === -1 ? item : name}'`);
    }
    literalSecrets.set(name, item.slice(eq + 1));
  }

  const workdir = checkAbsolute('--workdir', single(flags, 'workdir') ?? '/');
  const volumes = (flags.values.get('volume') ?? []).map((item) => parseVolume(item, secretsDir));

  // Hardening (issue 9).
  const tmpfs = tmpfsMounts(flags.values.get('tmpfs') ?? []);
  // Hardening (issue 9): `--rootfs /` is the host root, with its masks.
  const hostRoot = image === undefined && (rootfsFlag === undefined || (rootfsFlag.startsWith('/') && normalizeAbsolute(rootfsFlag) === '/'));
  const maskPaths = maskList(hostRoot, flags.values.get('mask') ?? [], flags.values.get('unmask') ?? []);
  checkNotMasked(workdir, argv[0], maskPaths);

  return {
    argv,
    policies: flags.values.get('policy') ?? [],
    store: single(flags, 'store') ?? hostEnv.HUSH_STORE,
    rootfs,
    hostRoot,
    secretsDir,
    netNone: net === 'none',
    hostname,
    uid,
    gid,
    env,
    workdir,
    init: !flags.booleans.has('no-init'),
    literalSecrets,
    listen: single(flags, 'listen'),
    tmpfs,
    maskPaths,
    confinement: parseConfinementFlags(flags, uid),
    limits: parseLimits({ memory: single(flags, 'memory'), cpus: single(flags, 'cpus'), pidsLimit: single(flags, 'pids-limit') }),
    volumes,
    requireNoswap: flags.booleans.has('require-noswap'),
    userns,
    imageRun:
      image === undefined
        ? undefined
        : {
            ref: image,
            pull,
            readOnly: flags.booleans.has('read-only'),
            insecureHosts: flags.values.get('insecure-registry') ?? [],
            user: single(flags, 'user'),
            args: flags.rest !== undefined && argv.length > 0 ? argv : undefined,
            workdirGiven: flags.values.has('workdir'),
            envFlags,
          },
  };
}

/**
 * The secrets tmpfs's size limit (a cap, not a reservation: memory is used only by content):
 * 16 MiB, plus two pages per secret file, since tmpfs gives every file at least a page and a
 * replacement briefly holds the old file and the new one.
 */
export function secretsTmpfsSize(files: number): number {
  return 16 * 1024 * 1024 + files * 2 * 4096;
}

/** The app's environment: its own (host pass-through and --env), then the policies' variables. */
export function appEnv(base: ReadonlyMap<string, string>, policyEnv: Readonly<Record<string, string>>): string[] {
  const env = new Map(base);
  for (const [k, v] of Object.entries(policyEnv)) env.set(k, v);
  return [...env].map(([k, v]) => `${k}=${v}`);
}

/** What the run has made by the time it spawns. */
export interface StartedParts {
  secretsFd: number;
  /** The variables the policies put in the app's environment. */
  policyEnv?: Readonly<Record<string, string>>;
  /** The files the agent reads (stores, identities, Vault credentials, policies) and its API's
   * directory: the app must never see them, whatever --unmask says. */
  agentPaths?: readonly string[];
  /** Capabilities, the compiled seccomp filter, Landlock scopes, the pty (confinement.ts). */
  confinement: ConfinementSpec;
  /** With a pty: the caller's window size. */
  window?: { columns: number; rows: number };
}

/** What native spawns, once the secrets tmpfs exists, the agent has started and the filter is built. */
export function containerSpec(options: RunOptions, parts: StartedParts): SpawnSpec {
  return {
    argv: options.argv,
    env: appEnv(options.env, parts.policyEnv ?? {}),
    rootfs: options.rootfs,
    hostRoot: options.hostRoot,
    hostname: options.hostname,
    workdir: options.workdir,
    secretsDir: options.secretsDir,
    secretsFd: parts.secretsFd,
    uid: options.uid,
    gid: options.gid,
    netNone: options.netNone,
    init: options.init,
    tmpfs: options.tmpfs,
    maskPaths: [...new Set([...options.maskPaths, ...(parts.agentPaths ?? [])])],
    ...parts.confinement,
    ...(parts.confinement.tty && parts.window ? { ttyColumns: parts.window.columns, ttyRows: parts.window.rows } : {}),
  };
}

// ---- Confinement flags: --cap-add, --cap-drop, --seccomp, -t/--tty ----

function parseConfinementFlags(flags: ParsedFlags, uid: number): ConfinementOptions {
  const seccomp = single(flags, 'seccomp') ?? 'default';
  if (seccomp === '' || seccomp.includes('\0')) throw new UsageError("--seccomp must be 'default', 'unconfined' or a profile file");
  return {
    uid,
    capAdd: (flags.values.get('cap-add') ?? []).map((name) => parseCapabilityName('--cap-add', name)),
    capDrop: (flags.values.get('cap-drop') ?? []).map((name) => parseCapabilityName('--cap-drop', name)),
    seccomp,
    tty: flags.booleans.has('tty'),
  };
}

function parseVolume(item: string, secretsDir: string): VolumeRequest {
  const [host, target, mode, extra] = item.split(':');
  if (target === undefined || extra !== undefined || (mode !== undefined && mode !== 'ro' && mode !== 'rw')) {
    throw new UsageError(`--volume must be HOST:CTR[:ro|rw], got '${item}'`);
  }
  checkAbsolute('--volume HOST', host);
  const inside = checkAbsolute('--volume CTR', target).replace(/\/+$/, '') || '/';
  const within = (dir: string) => inside === dir || inside.startsWith(`${dir}/`) || dir.startsWith(`${inside}/`);
  if (inside === '/' || ['/proc', '/sys', '/dev'].some((dir) => inside === dir || inside.startsWith(`${dir}/`)) || within(secretsDir)) {
    throw new UsageError(`--volume cannot bind over '${target}'`);
  }
  return { host, target: inside, readOnly: mode === 'ro' };
}

function checkAbsoluteOrRelative(value: string): string {
  if (value === '' || value.includes('\0')) throw new UsageError('--rootfs must be a directory');
  return value;
}

export const runUsage = `usage: hush run [options] -- CMD [ARG...]

options:
  --policy FILE        policy to apply (repeatable)
  --store FILE         encrypted file store for 'type: file' sources without a path ($HUSH_STORE)
  --rootfs DIR         root filesystem (default: the host's /, read-only)
  --image REF          run an image (archive, OCI layout, .aci or registry); CMD replaces its Cmd
  --pull POLICY        missing (default), always or never: when a registry is asked
  --read-only          with --image: no writable layer
  --insecure-registry HOST  allow plain HTTP to HOST (repeatable; loopback always may)
  --volume HOST:CTR[:ro|rw]  bind HOST at CTR, resolved inside the root (repeatable)
  --secrets-dir PATH   where the secrets tmpfs appears (default /run/secrets)
  --net host|none      host network (default) or a new one with loopback only
  --userns host|auto   root: the host's ids (default), or a user namespace of an unprivileged range
  --hostname NAME      UTS hostname (default: the container id)
  --user UID[:GID]     identity of the app (default 0:0); GID defaults to UID
  --env K=V | K        set a variable, or pass the host's K (repeatable)
  --workdir DIR        working directory (default /)
  --no-init            run CMD itself as PID 1 (no reaper, no signal forwarding)
  --secret NAME=VALUE  write a literal secret file (repeatable; for trying hush out)
  --listen ADDR        serve the agent API on unix:PATH or 127.0.0.1:PORT
  --tmpfs PATH[:size=N]  a writable tmpfs (repeatable; default 64m; /tmp 256m, /run 32m, /dev/shm 64m)
  --mask PATH          hide PATH in the container (repeatable; \`*\` in the last component)
  --unmask PATH        show a path hidden by default (host root: /home /root /run/user /etc/shadow ...)
  --cap-add CAP        add a capability (Docker's names: NET_RAW, CAP_SYS_PTRACE, ALL; repeatable)
  --cap-drop CAP       drop a capability, or ALL (repeatable; default set: podman's)
  --seccomp PROFILE    default, unconfined, or a Docker/OCI JSON profile file
  -t, --tty            a pseudo-terminal of the container's own, relayed by hush

  --memory SIZE        memory limit, RAM and swap together (bytes, or with k, m, g)
  --cpus N             CPU limit, fractional (0.5: half a CPU)
  --pids-limit N       most processes and threads (default 2048; 0: no limit)
  --require-noswap     refuse to run when the secrets could reach swap (rootless, with swap on)`;
