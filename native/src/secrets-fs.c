/* The secrets tmpfs exists only as a file descriptor: created with the new mount API and never
 * attached to any mount namespace on the host. The launcher writes through /proc/self/fd/N;
 * each container attaches a read-only clone. When the last descriptor and the last container
 * mount are gone, the kernel frees it: nothing is left mounted and nothing touched a disk. */
#include "hush.h"

#include <errno.h>
#include <linux/mount.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static int configure(int fs, const char *key, const char *value) {
  return (int)syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, key, value, 0);
}

int hush_secrets_fs_create(uint64_t size_bytes, uid_t uid, gid_t gid, int *noswap, const char **failed_step) {
  char size[32], uid_s[16], gid_s[16];
  snprintf(size, sizeof size, "%llu", (unsigned long long)size_bytes);
  snprintf(uid_s, sizeof uid_s, "%u", (unsigned)uid);
  snprintf(gid_s, sizeof gid_s, "%u", (unsigned)gid);

  int fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
  if (fs < 0) {
    *failed_step = "fsopen";
    return -1;
  }
  int rc = configure(fs, "size", size);
  if (rc == 0) rc = configure(fs, "mode", "0700");
  if (rc == 0) rc = configure(fs, "uid", uid_s);
  if (rc == 0) rc = configure(fs, "gid", gid_s);
  if (rc < 0) {
    *failed_step = "fsconfig";
    goto out;
  }
  /* noswap (Linux 6.4+): the pages of secrets never reach a swap device. */
  *noswap = syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, "noswap", NULL, 0) == 0;
  if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
    *failed_step = "fsconfig";
    rc = -1;
    goto out;
  }
  rc = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  if (rc < 0) *failed_step = "fsmount";
out:;
  int err = errno;
  close(fs);
  errno = err;
  return rc;
}
