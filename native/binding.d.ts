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
  /** A detached mount from createOverlayFs to use as the root instead of rootfs (images). */
  rootfsFd?: number;
  /** --volume: detached mounts from openVolume, attached at target (resolved inside the root). */
  volumes?: { fd: number; target: string }[];
}

export interface SpawnedContainer {
  /** PID of the container's PID 1, as seen from the launcher. */
  pid: number;
  pidfd: number;
  /** The launcher's end of the channel to init, or -1 without init. */
  controlFd: number;
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

  // Images (native/src/overlay-fs.c, layer-nodes.c).
  /** A detached overlay of lowerDirs (topmost first) over a private tmpfs upper layer; returns its fd. */
  createOverlayFs(lowerDirs: string[], upperSizeBytes: number): number;
  setMountReadOnly(fd: number): void;
  /** A detached recursive clone of hostPath (nosuid, nodev; read-only if asked) for --volume. */
  openVolume(hostPath: string, readOnly: boolean): number;
  /** mknodat in dirfd; name is one path component. A char 0:0 node is an overlay whiteout. */
  mknodAt(dirfd: number, name: string, mode: number, major: number, minor: number): void;
  /** lsetxattr of dirfd/name, never following a symlink; name '' sets it on the descriptor itself. */
  setXattrAt(dirfd: number, name: string, key: string, value: Uint8Array): void;
}
