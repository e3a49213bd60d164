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
  // ---- Hardening (launcher/hardening.ts) ----
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
  /** The launcher's end of the channel to init, or -1 without init. */
  controlFd: number;
  /** With `tty`: the master of the container's pty, else -1. */
  ptyFd: number;
  /** A duplicate of ptyFd for writing (libuv watches one handle per descriptor), or -1. */
  ptyWriteFd: number;
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
  onExit(pidfd: number, callback: (status: ExitStatus) => void): void;
  watchControl(controlFd: number, callback: (event: ControlEvent) => void): void;
  signal(pidfd: number, signo: number): boolean;
  restart(controlFd: number, env: string[], stopSignal: number, timeoutMs: number): void;
  createSecretsFs(sizeBytes: number, uid: number, gid: number): { fd: number; noswap: boolean };
  closeFd(fd: number): void;
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
}
