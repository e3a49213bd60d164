/* An image's root as a detached overlay mount, built with the new mount API the way
 * secrets-fs.c builds the secrets tmpfs: the layers (topmost first) are the lower dirs, and a
 * private tmpfs that exists only as a descriptor holds the upper and work dirs, so writes
 * vanish with the run. The mount is never attached on the host; the container attaches a
 * clone of it as its root (read-only with --read-only). */
#include "hush.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int fs_string(int fs, const char *key, const char *value) {
  return (int)syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, key, value, 0);
}

static int fail_with(const char **failed_step, const char *step, int fd_a, int fd_b) {
  int err = errno;
  *failed_step = step;
  if (fd_a >= 0) close(fd_a);
  if (fd_b >= 0) close(fd_b);
  errno = err;
  return -1;
}

/* The upper layer's tmpfs, with upper/ and work/ in it. */
static int make_upper(uint64_t size_bytes, const char **failed_step) {
  char size[32];
  snprintf(size, sizeof size, "%llu", (unsigned long long)size_bytes);
  int fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
  if (fs < 0) return fail_with(failed_step, "fsopen tmpfs", -1, -1);
  if ((size_bytes > 0 && fs_string(fs, "size", size) < 0) || fs_string(fs, "mode", "0755") < 0 ||
      syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return fail_with(failed_step, "fsconfig tmpfs", fs, -1);
  int mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NODEV);
  if (mnt < 0) return fail_with(failed_step, "fsmount tmpfs", fs, -1);
  close(fs);
  if (mkdirat(mnt, "upper", 0755) < 0 || mkdirat(mnt, "work", 0700) < 0) return fail_with(failed_step, "mkdir upper", mnt, -1);
  return mnt;
}

int hush_overlay_fs_create(const char *const *lower_dirs, size_t count, uint64_t upper_size, const char **failed_step) {
  char path[64];
  int upper = make_upper(upper_size, failed_step);
  if (upper < 0) return -1;
  int fs = (int)syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
  if (fs < 0) return fail_with(failed_step, "fsopen overlay", upper, -1);
  for (size_t i = 0; i < count; i++)
    if (fs_string(fs, "lowerdir+", lower_dirs[i]) < 0) return fail_with(failed_step, "fsconfig lowerdir+", fs, upper);
  snprintf(path, sizeof path, "/proc/self/fd/%d/upper", upper);
  if (fs_string(fs, "upperdir", path) < 0) return fail_with(failed_step, "fsconfig upperdir", fs, upper);
  snprintf(path, sizeof path, "/proc/self/fd/%d/work", upper);
  if (fs_string(fs, "workdir", path) < 0) return fail_with(failed_step, "fsconfig workdir", fs, upper);
  /* No index or metacopy: layers are shared between runs and must never be changed by one. */
  if (fs_string(fs, "index", "off") < 0 || fs_string(fs, "metacopy", "off") < 0 || fs_string(fs, "redirect_dir", "nofollow") < 0)
    return fail_with(failed_step, "fsconfig options", fs, upper);
  if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) return fail_with(failed_step, "fsconfig overlay", fs, upper);
  int mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NODEV);
  if (mnt < 0) return fail_with(failed_step, "fsmount overlay", fs, upper);
  close(fs);
  /* The overlay holds its own reference to the upper layer's superblock. */
  close(upper);
  return mnt;
}

/* --read-only: once hush has put its mount points and /etc files in, the root is sealed. */
int hush_mount_set_readonly(int mount_fd) {
  struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
  return (int)syscall(SYS_mount_setattr, mount_fd, "", AT_EMPTY_PATH, &attr, sizeof attr);
}
