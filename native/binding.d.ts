// The typed surface of hush_native.node. Only native/index.ts loads it.

export interface SpawnSpec {
  argv: string[];
  env: string[];
  /** Directory bound read-only as the container's root. */
  rootfs: string;
  /** rootfs is the host's "/". */
  hostRoot: boolean;
  hostname: string;
  workdir: string;
  /** Absolute path inside the container where the secrets tmpfs appears, read-only. */
  secretsDir: string;
  /** Descriptor from createSecretsFs, or -1 for none. */
  secretsFd: number;
  uid: number;
  gid: number;
  /** A new network namespace with only loopback (up). */
  netNone: boolean;
  /** Our init as PID 1 (reaper, signal forwarder); false runs argv itself as PID 1. */
  init: boolean;
  /** Path of the hush-init executable (native/build/Release/hush-init); needed with init. */
  initPath?: string;

  // Hardening (issue 9): every path is resolved inside the root, never through it.
  /** Writable tmpfs mounts (/tmp, /run, /dev/shm, --tmpfs), mounted in this order. */
  tmpfs: TmpfsMount[];
  /** Paths hidden behind an empty read-only file (or directory); missing ones are skipped. */
  maskPaths: string[];
  // Confinement (launcher/confinement.ts).
  /** Capability numbers of the bounding set (a root app's effective and permitted sets too). */
  capabilities: number[];
  /** A non-root app's ambient capabilities (a subset of `capabilities`). */
  ambientCapabilities: number[];
  /** A BPF program from compileSeccomp, loaded last before the app's exec; null: unconfined. */
  seccomp: Uint8Array | null;
  /** LANDLOCK_SCOPE_* bits (1 abstract unix sockets, 2 signals); 0 where the kernel lacks them. */
  landlockScopes: number;
  /** Give the app a pty of the container's own devpts; its master comes back as `ptyFd`. */
  tty: boolean;
  /** With `tty`: the pty's first window size. */
  ttyColumns?: number;
  ttyRows?: number;
  /** The container's cgroup v2 directory, opened: the child starts in it (clone3). */
  cgroupFd?: number;
  /** The container's cgroup v1 `tasks` files, opened for writing: the child joins each. */
  cgroupJoinFds?: number[];
  /** Its own cgroups, mounted read-only at /sys/fs/cgroup (else that is masked); cgroup-view.c. */
  cgroupView?: CgroupViewMount[];
  /** A detached mount from createOverlayFs to use as the root instead of rootfs (images). */
  rootfsFd?: number;
  /** rootfsFd is a --rootfs clone (--userns auto: idmapped): read-only once its mount points exist. */
  sealRootfsFd?: boolean;
  /** --volume: detached mounts from openVolume, attached at target (resolved inside the root). */
  volumes?: { fd: number; target: string }[];
  /** Rootless: a user namespace of the container's own; the child makes the secrets tmpfs. */
  userns?: UsernsSpec;
}

/** native/src/userns.c: the maps as flat (inside, outside, count) triples, in decimal. */
export interface UsernsSpec {
  uidMap: string[];
  gidMap: string[];
  /** The setuid helpers that may map a /etc/subuid range; without them, one-line maps. */
  newuidmap?: string;
  newgidmap?: string;
  /** The tmpfs's root belongs to the caller (root inside). */
  secretsSizeBytes: number;
  /** An ordinary user's one-line gid map needs setgroups denied; then the app keeps the caller's groups. */
  denySetgroups: boolean;
  /** What the child mounts itself in its namespaces (native/src/userns-root.c). */
  root?: UsernsRoot;
}

/** Rootless volumes, an image's root and the app's view of the secrets, made by the child. */
export interface UsernsRoot {
  /** An image's layer directories, topmost first (an overlay with userxattr); absent: no image. */
  lowerDirs?: string[];
  readOnly: boolean;
  /** Mount points made inside the image root. */
  dirs: string[];
  /** Empty files made there unless present (file volumes). */
  files: string[];
  /** path, content, path, content...: files put into the image root (/etc/hosts...). */
  writes: string[];
  /** --volume, cloned from the host in the child's mount namespace. */
  volumes: { host: string; target: string; readOnly: boolean }[];
  /** The app's ids inside: when not 0, the secrets (the caller's) read as theirs through an idmapped clone. */
  appUid: number;
  appGid: number;
}

/** One read-only cgroup mount of the container's /sys/fs/cgroup (cgroupView in launcher/cgroups/layout.ts). */
export interface CgroupViewMount {
  /** Its name under /sys/fs/cgroup; '' for /sys/fs/cgroup itself (cgroup2 alone). */
  dir: string;
  fsType: 'cgroup' | 'cgroup2';
  /** v1: the hierarchy's controllers (set as flags) and name=X. */
  options: string[];
}

export interface TmpfsMount {
  /** Absolute inside the container; created (inside the root) when missing. */
  path: string;
  sizeBytes: number;
  mode: number;
  noexec: boolean;
}

/** A seccomp profile in libseccomp's terms (see launcher/seccomp-profile.ts). */
export interface SeccompProgram {
  /** A libseccomp action value (SCMP_ACT_ERRNO(38) is 0x50026). */
  defaultAction: number;
  /** libseccomp architecture names: "x86_64", "x86", "x32"... */
  architectures: string[];
  syscalls: {
    /** Position in the profile's syscalls[], for messages. */
    index: number;
    names: string[];
    action: number;
    /** op: 1 NE, 2 LT, 3 LE, 4 EQ, 5 GE, 6 GT, 7 MASKED_EQ (value is the mask, valueTwo the datum). */
    args: { index: number; op: number; value: number; valueTwo: number }[];
  }[];
}

export interface SpawnedContainer {
  /** PID of the container's PID 1, as seen from the launcher. */
  pid: number;
  pidfd: number;
  /**
   * The launcher's end of the error channel (with init, also the control channel). Its first
   * event is the verdict on the start: 'error' (setup failed), 'ready' (init: the app exec'd),
   * 'closed' (no init: the app exec'd; with init: init died). watchChannel closes it.
   */
  channelFd: number;
  /** With `tty`: the master of the container's pty, else -1. */
  ptyFd: number;
  /** A duplicate of ptyFd for writing (libuv watches one handle per descriptor), or -1. */
  ptyWriteFd: number;
  /** Rootless: the sync socket, until releaseContainer; else -1. */
  syncFd: number;
  /** Rootless: the secrets tmpfs the child made (-1 when it died first). */
  secretsFd: number;
  secretsNoswap: boolean;
}

export interface ExitStatus {
  code?: number;
  signal?: number;
  error?: string;
}

/** An error shaped like Node's fs errors; `setup` marks a failure inside the container setup. */
export interface NativeError extends Error {
  code: string;
  errno: number;
  syscall: string;
  path?: string;
  setup?: boolean;
}

export interface ControlEvent {
  type: 'ready' | 'error' | 'closed';
  error?: NativeError;
}

export interface NativeBinding {
  spawn(spec: SpawnSpec): SpawnedContainer;
  /**
   * A rootless child's go-ahead: `spec` is the one it was spawned with, its env and maskPaths
   * now final (the child reads it from our memory). Returns once the child has exec'd.
   */
  releaseContainer(syncFd: number, channelFd: number, spec: SpawnSpec): { ptyFd: number; ptyWriteFd: number };
  /** Waits for newuidmap/newgidmap (they may run on after spawn): before the first write into secretsFd. */
  rootlessMapped(syncFd: number): void;
  /** A rootless child that will not be released exits 125; returns once it has, syncFd closed. */
  abortContainer(syncFd: number): void;
  onExit(pidfd: number, callback: (status: ExitStatus) => void): void;
  watchChannel(channelFd: number, callback: (event: ControlEvent) => void): void;
  signal(pidfd: number, signo: number): boolean;
  restart(controlFd: number, env: string[], stopSignal: number, timeoutMs: number): void;
  createSecretsFs(sizeBytes: number, uid: number, gid: number): { fd: number; noswap: boolean };
  closeFd(fd: number): void;
  /** The signal numbers hush-init forwards to the app. */
  forwardedSignals(): number[];
  /**
   * Writes each [name, temp, bytes, mode, chmodNeeded] atomically into the directory dirfd
   * (temp created O_EXCL|O_NOFOLLOW, then renamed over name). uid/gid -1 leave the owner.
   * Returns, per file, null or the errno name of the failed step.
   */
  writeFilesAt(
    dirfd: number,
    files: [name: string, temp: string, bytes: Uint8Array, mode: number, chmodNeeded: boolean][],
    uid: number,
    gid: number,
    fsync: boolean,
  ): (string | null)[];
  /** Compiles with libseccomp (dlopen'd); throws `seccomp: ...` when it cannot. */
  compileSeccomp(program: SeccompProgram): Uint8Array;
  /** libseccomp's version ("2.5.4"); throws where the library cannot be loaded. */
  seccompVersion(): string;
  /** The kernel's Landlock ABI version; 0 without Landlock. */
  landlockAbi(): number;
  /** TIOCSWINSZ on a pty master. */
  setWindowSize(fd: number, columns: number, rows: number): void;
  /** One datagram to the unix socket at path ('@name': abstract); throws a NativeError (sendto). */
  sendDatagram(path: string, bytes: Uint8Array): void;

  // Images (native/src/overlay-fs.c, layer-nodes.c).
  /** A detached overlay of lowerDirs (topmost first) over a private tmpfs upper layer; returns its fd. */
  createOverlayFs(lowerDirs: string[], upperSizeBytes: number): number;
  setMountReadOnly(fd: number): void;
  /** A detached recursive clone of hostPath (nosuid, nodev; read-only if asked) for --volume. */
  openVolume(hostPath: string, readOnly: boolean): number;
  /** --userns auto: a user namespace with these maps (flat triples), only for idmapMount. */
  createIdmapUserns(uidMap: string[], gidMap: string[]): number;
  /** MOUNT_ATTR_IDMAP on a detached mount (openVolume's), recursively; throws `idmap` with `what` as path. */
  idmapMount(mountFd: number, usernsFd: number, what: string): void;
  /** mknodat in dirfd; name is one path component. A char 0:0 node is an overlay whiteout. */
  mknodAt(dirfd: number, name: string, mode: number, major: number, minor: number): void;
  /** lsetxattr of dirfd/name, never following a symlink; name '' sets it on the descriptor itself. */
  setXattrAt(dirfd: number, name: string, key: string, value: Uint8Array): void;
}
