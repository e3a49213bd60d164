// The per-run secrets tmpfs: a detached mount that exists only as a descriptor of this process
// (see native/src/secrets-fs.c). Its root is reachable here as /proc/self/fd/N; containers get
// a read-only clone at --secrets-dir.

import { native } from '../native';

export interface SecretsTmpfs {
  readonly fd: number;
  /** A path to the tmpfs root that works inside this process only. */
  readonly root: string;
  readonly noswap: boolean;
  close(): void;
}

export function createSecretsTmpfs(options: { sizeBytes: number; uid: number; gid: number }): SecretsTmpfs {
  const { fd, noswap } = native().createSecretsFs(options.sizeBytes, options.uid, options.gid);
  return adoptSecretsTmpfs(fd, noswap);
}

/** A tmpfs made elsewhere: by a rootless container's child, inside its user namespace. */
export function adoptSecretsTmpfs(fd: number, noswap: boolean): SecretsTmpfs {
  const addon = native();
  let open = true;
  return {
    fd,
    root: `/proc/self/fd/${fd}`,
    noswap,
    close() {
      if (open) addon.closeFd(fd);
      open = false;
    },
  };
}
