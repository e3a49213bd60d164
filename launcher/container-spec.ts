// Pure: `hush run` flags → a container spec. No I/O; the caller supplies the host environment
// and the random container id.

import { parseCapabilityName } from './capabilities';
import { parseFlags, single, UsageError, type ParsedFlags } from './flags';
import type { HardeningOptions } from './hardening';

export interface RunOptions {
  argv: string[];
  policies: string[];
  store: string | undefined;
  rootfs: string;
  hostRoot: boolean;
  image: string | undefined;
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
  /** Capabilities, seccomp, the pty: what confines the app. */
  hardening: HardeningOptions;
}

export const runFlags = {
  values: {
    policy: true,
    store: false,
    rootfs: false,
    image: false,
    'secrets-dir': false,
    net: false,
    hostname: false,
    user: false,
    env: true,
    workdir: false,
    secret: true,
    listen: false,
    'cap-add': true,
    'cap-drop': true,
    seccomp: false,
  },
  booleans: ['no-init', 'help', 'tty'],
} as const;

/** Host variables passed into the container; everything else must be given with --env. */
export const passedThroughEnv = ['PATH', 'TERM', 'LANG'] as const;
const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;
const hostnamePattern = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const secretName = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

function parseId(text: string, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 0xfffffffe) throw new UsageError(`--user: ${what} must be a number, got '${text}'`);
  return Number(text);
}

function checkAbsolute(flag: string, value: string): string {
  if (!value.startsWith('/')) throw new UsageError(`${flag} must be an absolute path, got '${value}'`);
  if (value.split('/').some((part) => part === '..')) throw new UsageError(`${flag} must not contain '..'`);
  if (value.includes('\0')) throw new UsageError(`${flag} must not contain NUL`);
  return value;
}

export function parseRunArgs(args: readonly string[], hostEnv: NodeJS.ProcessEnv, containerId: string): RunOptions {
  const flags = parseFlags(expandShortFlags(args), runFlags);
  if (flags.positional.length > 0) {
    throw new UsageError(`unexpected argument '${flags.positional[0]}' (put the command after --)`);
  }
  const argv = flags.rest ?? [];
  if (argv.length === 0 && !flags.booleans.has('help')) throw new UsageError('no command given (hush run [options] -- CMD [ARG...])');
  if (argv.length > 0 && argv[0] === '') throw new UsageError('the command must not be empty');

  const net = single(flags, 'net') ?? 'host';
  if (net !== 'host' && net !== 'none') throw new UsageError(`--net must be 'host' or 'none', got '${net}'`);

  const user = single(flags, 'user') ?? '0:0';
  const [uidText, gidText, extra] = user.split(':');
  if (extra !== undefined) throw new UsageError(`--user must be UID[:GID], got '${user}'`);
  const uid = parseId(uidText, 'UID');
  const gid = gidText === undefined ? uid : parseId(gidText, 'GID');

  const hostname = single(flags, 'hostname') ?? containerId;
  if (!hostnamePattern.test(hostname) || hostname.length > 64) throw new UsageError(`--hostname '${hostname}' is not a valid host name`);

  const secretsDir = checkAbsolute('--secrets-dir', single(flags, 'secrets-dir') ?? '/run/secrets');
  if (secretsDir === '/' || /^\/(proc|dev|sys)(\/|$)/.test(secretsDir)) {
    throw new UsageError(`--secrets-dir cannot be '${secretsDir}'`);
  }

  const rootfsFlag = single(flags, 'rootfs');
  const rootfs = rootfsFlag === undefined ? '/' : checkAbsoluteOrRelative(rootfsFlag);
  const image = single(flags, 'image');
  if (image !== undefined) throw new UsageError('--image is not supported yet: unpack the image and pass --rootfs DIR');

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
    } else {
      env.set(name, item.slice(eq + 1));
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

  return {
    argv,
    policies: flags.values.get('policy') ?? [],
    store: single(flags, 'store') ?? hostEnv.HUSH_STORE,
    rootfs,
    hostRoot: rootfsFlag === undefined,
    image,
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
    hardening: parseHardeningFlags(flags, uid),
  };
}

// ---- Hardening flags: --cap-add, --cap-drop, --seccomp, -t/--tty ----

/** `-t` is `--tty` (before `--` only). */
function expandShortFlags(args: readonly string[]): string[] {
  const end = args.indexOf('--');
  return args.map((arg, i) => (arg === '-t' && (end === -1 || i < end) ? '--tty' : arg));
}

function parseHardeningFlags(flags: ParsedFlags, uid: number): HardeningOptions {
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

function checkAbsoluteOrRelative(value: string): string {
  if (value === '' || value.includes('\0')) throw new UsageError('--rootfs must be a directory');
  return value;
}

export const runUsage = `usage: hush run [options] -- CMD [ARG...]

options:
  --policy FILE        policy to apply (repeatable)
  --store FILE         encrypted file store for 'type: file' sources without a path ($HUSH_STORE)
  --rootfs DIR         root filesystem (default: the host's /, read-only)
  --secrets-dir PATH   where the secrets tmpfs appears (default /run/secrets)
  --net host|none      host network (default) or a new one with loopback only
  --hostname NAME      UTS hostname (default: the container id)
  --user UID[:GID]     identity of the app (default 0:0); GID defaults to UID
  --env K=V | K        set a variable, or pass the host's K (repeatable)
  --workdir DIR        working directory (default /)
  --no-init            run CMD itself as PID 1 (no reaper, no signal forwarding)
  --secret NAME=VALUE  write a literal secret file (repeatable; for trying hush out)
  --listen ADDR        serve the agent API on unix:PATH or 127.0.0.1:PORT
  --cap-add CAP        add a capability (Docker's names: NET_RAW, CAP_SYS_PTRACE, ALL; repeatable)
  --cap-drop CAP       drop a capability, or ALL (repeatable; default set: podman's)
  --seccomp PROFILE    default, unconfined, or a Docker/OCI JSON profile file
  -t, --tty            a pseudo-terminal of the container's own, relayed by hush`;
