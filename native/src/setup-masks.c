/* What the container must not change or see, as runc and podman hide it: parts of /proc
 * re-bound read-only, kernel files and directories masked, and the caller's own mask list
 * (host secrets, the agent's credentials). A masked file is an empty read-only file, a masked
 * directory an empty read-only directory, both from one small tmpfs of our own. A path the
 * kernel or the root does not have is skipped: there is nothing to hide. */
#include "hush.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOCKED (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)

static const char *const read_only[] = {"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs", NULL};

static const char *const kernel_masks[] = {
    "/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug", "/proc/latency_stats",
    "/proc/acpi",  "/proc/scsi", "/sys/firmware",    "/sys/devices/virtual/powercap", NULL,
};
/* The host's tree (every host process listed) is never shown: with a cgroup of its own the
 * container sees that one (cgroup-view.c), else nothing. */
static const char cgroup_root[] = "/sys/fs/cgroup";

static int fail(int report_fd, const char *syscall, const char *path) {
  hush_report(report_fd, syscall, path, errno);
  return -1;
}

static int make_read_only(int root_fd, const char *path, int report_fd) {
  int target = hush_open_in_root(root_fd, path, 0);
  if (target < 0) return errno == ENOENT ? 0 : fail(report_fd, "open", path);
  int clone_fd = hush_clone_tree(target, "", AT_RECURSIVE, LOCKED, 0);
  int rc = clone_fd < 0 ? -1 : hush_attach(clone_fd, target);
  if (rc < 0) fail(report_fd, "mount", path);
  close(target);
  return rc;
}

/* The tmpfs that every mask is cut from: an empty directory "d" and an empty file "f". */
static int make_mask_source(void) {
  static const char *const options[] = {"mode", "0555", "size", "4096", "nr_inodes", "4", NULL};
  int fs = hush_new_fs("tmpfs", options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  if (fs < 0) return -1;
  int file = openat(fs, "f", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  if (file < 0 || mkdirat(fs, "d", 0555) < 0) {
    int err = errno;
    if (file >= 0) close(file);
    close(fs);
    errno = err;
    return -1;
  }
  close(file);
  return fs;
}

static int mask(int root_fd, int source, const char *path, int report_fd) {
  int target = hush_open_in_root(root_fd, path, 0);
  if (target < 0) return errno == ENOENT || errno == ENOTDIR ? 0 : fail(report_fd, "mask", path);
  struct stat st;
  int rc = fstat(target, &st);
  int clone_fd = rc < 0 ? -1 : hush_clone_tree(source, S_ISDIR(st.st_mode) ? "d" : "f", 0, LOCKED, 0);
  rc = clone_fd < 0 ? -1 : hush_attach(clone_fd, target);
  if (rc < 0) fail(report_fd, "mask", path);
  close(target);
  return rc;
}

int hush_setup_masks(const struct hush_spec *spec, int root_fd, int report_fd) {
  for (size_t i = 0; read_only[i]; i++)
    if (make_read_only(root_fd, read_only[i], report_fd) < 0) return -1;
  int source = make_mask_source();
  if (source < 0) return fail(report_fd, "mount", "mask tmpfs");
  int rc = 0;
  for (size_t i = 0; rc == 0 && kernel_masks[i]; i++) rc = mask(root_fd, source, kernel_masks[i], report_fd);
  if (rc == 0) rc = spec->cgroup_view_count > 0 ? hush_setup_cgroup_view(spec, root_fd, report_fd) : mask(root_fd, source, cgroup_root, report_fd);
  for (size_t i = 0; rc == 0 && spec->mask_paths && spec->mask_paths[i]; i++)
    rc = mask(root_fd, source, spec->mask_paths[i], report_fd);
  close(source);
  return rc;
}
