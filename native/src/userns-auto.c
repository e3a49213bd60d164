/* --userns auto: root runs the container in a user namespace that maps an unprivileged host
 * range (launcher/rootless/userns-auto.ts). The launcher makes the secrets tmpfs before the
 * spawn, as in a root run, and writes the maps itself (userns.c). Two steps are its own:
 *
 * - parent, after the maps and before MAPPED: the volumes and an image root are idmapped to
 *   the container's namespace (mount_setattr MOUNT_ATTR_IDMAP), so that an id on disk is the
 *   same id inside, and what the container writes lands with the ids unchanged. The child's
 *   copies of those descriptors name the same detached mounts, so it attaches them idmapped.
 * - child, once MAPPED: it is still host root's uid, which its namespace does not map; it
 *   becomes the namespace's root (host 2147483648 by default) before it mounts anything. */
#include "hush.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int idmap(int mount_fd, int userns_fd, unsigned at_flags) {
  struct mount_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.attr_set = MOUNT_ATTR_IDMAP;
  attr.userns_fd = (uint64_t)userns_fd;
  return (int)syscall(SYS_mount_setattr, mount_fd, "", AT_EMPTY_PATH | at_flags, &attr, sizeof attr);
}

int hush_idmap_mounts(const struct hush_spec *spec, pid_t pid, struct hush_record *failure) {
  if (spec->volume_count == 0 && spec->rootfs_fd < 0) return 0;
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
  int userns_fd = open(path, O_RDONLY | O_CLOEXEC);
  if (userns_fd < 0) {
    hush_record_fill(failure, "open", path, errno);
    return -1;
  }
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < spec->volume_count; i++) {
    if (idmap(spec->volume_fds[i], userns_fd, AT_RECURSIVE) < 0) {
      hush_record_fill(failure, "idmap", spec->volume_targets[i], errno);
      rc = -1;
    }
  }
  if (rc == 0 && spec->rootfs_fd >= 0 && idmap(spec->rootfs_fd, userns_fd, 0) < 0) {
    hush_record_fill(failure, "idmap", "", errno); /* no path: the image root */
    rc = -1;
  }
  close(userns_fd);
  return rc;
}

int hush_userns_become_root(int report_fd) {
  if (syscall(SYS_setresgid, 0, 0, 0) < 0 || syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setresuid, 0, 0, 0) < 0) {
    hush_report(report_fd, "setresuid", "user namespace root", errno);
    return -1;
  }
  return 0;
}
