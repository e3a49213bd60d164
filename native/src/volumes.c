/* --volume HOST:CTR[:ro|rw]. The launcher clones each host tree as a detached mount
 * (open_tree, nosuid+nodev, read-only for :ro); the child attaches it at CTR, resolved with
 * openat2(RESOLVE_IN_ROOT) inside the container's root, so that a symlink in the root (an
 * image's, or a --rootfs's) can never send a volume to a host path. */
#include "hush.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int hush_volume_open(const char *host_path, int read_only) {
  int fd = (int)syscall(SYS_open_tree, AT_FDCWD, host_path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  if (fd < 0) return -1;
  struct mount_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (read_only ? MOUNT_ATTR_RDONLY : 0);
  if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0) {
    int err = errno;
    close(fd);
    errno = err;
    return -1;
  }
  return fd;
}

/* In the child, on the descriptor of the container's root (before pivot_root). */
int hush_setup_volumes(const struct hush_spec *spec, int root, int report_fd) {
  if (spec->volume_count == 0) return 0;
  for (size_t i = 0; i < spec->volume_count; i++) {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = O_PATH | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    int target = (int)syscall(SYS_openat2, root, spec->volume_targets[i], &how, sizeof how);
    if (target < 0 || syscall(SYS_move_mount, spec->volume_fds[i], "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
      int err = errno;
      if (target >= 0) close(target);
      hush_report(report_fd, target < 0 ? "volume target" : "volume mount", spec->volume_targets[i], err);
      return -1;
    }
    close(target);
  }
  return 0;
}
