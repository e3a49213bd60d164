/* The new mount API in small pieces: a filesystem made as a detached mount, a clone of an
 * existing tree, and attaching either onto a descriptor. Nothing here takes a path that the
 * kernel would resolve from the process's root: targets are descriptors that the caller got
 * from hush_open_in_root, so a symlink in a rootfs can never point a mount at a host path. */
#include "hush.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void close_keeping_errno(int fd) {
  int err = errno;
  close(fd);
  errno = err;
}

int hush_set_mount_attr(int mount_fd, unsigned at_flags, uint64_t set, uint64_t clear) {
  struct mount_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.attr_set = set;
  attr.attr_clr = clear;
  return (int)syscall(SYS_mount_setattr, mount_fd, "", AT_EMPTY_PATH | at_flags, &attr, sizeof attr);
}

int hush_new_fs(const char *fstype, const char *const *options, uint64_t attrs) {
  int fs = (int)syscall(SYS_fsopen, fstype, FSOPEN_CLOEXEC);
  if (fs < 0) return -1;
  for (size_t i = 0; options && options[i]; i += 2) {
    long rc = options[i + 1] ? syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, options[i], options[i + 1], 0)
                             : syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, options[i], NULL, 0);
    if (rc < 0) {
      close_keeping_errno(fs);
      return -1;
    }
  }
  if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
    close_keeping_errno(fs);
    return -1;
  }
  int mount_fd = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, attrs);
  close_keeping_errno(fs);
  return mount_fd;
}

int hush_clone_tree(int dirfd, const char *path, unsigned at_flags, uint64_t set, uint64_t clear) {
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | at_flags | (path[0] ? 0 : AT_EMPTY_PATH);
  int fd = (int)syscall(SYS_open_tree, dirfd, path, flags);
  if (fd < 0) return -1;
  if ((set || clear) && hush_set_mount_attr(fd, at_flags & AT_RECURSIVE, set, clear) < 0) {
    close_keeping_errno(fd);
    return -1;
  }
  return fd;
}

int hush_attach(int mount_fd, int target_fd) {
  int rc = (int)syscall(SYS_move_mount, mount_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
  close_keeping_errno(mount_fd);
  return rc;
}

int hush_mount_fs_at(int root_fd, const char *path, const char *fstype, const char *const *options, uint64_t attrs) {
  int target = hush_open_in_root(root_fd, path, 1);
  if (target < 0) return -1;
  int mount_fd = hush_new_fs(fstype, options, attrs);
  int rc = mount_fd < 0 ? -1 : hush_attach(mount_fd, target);
  close_keeping_errno(target);
  return rc;
}
