/* The container's /sys/fs/cgroup: its own cgroups, read-only, as crun and podman show them for a
 * private cgroup namespace. By now the child has joined its cgroups and entered a new cgroup
 * namespace (cgroup.c), so a cgroup filesystem mounted here has the container's cgroup as its
 * root: nothing above it (hush's cgroup, the host's tree, other containers) can be reached.
 *   - cgroup2 alone (the host mounts the unified hierarchy at /sys/fs/cgroup): one mount there;
 *   - otherwise a tmpfs there, one directory per hierarchy (named as the host names it, with a
 *     link per controller for a joint one: cpu -> cpu,cpuacct), each holding its cgroup mount.
 * Every mount is read-only: writing a limit fails with EROFS, and so does moving a process or
 * making a child cgroup. A root without /sys/fs/cgroup (a --rootfs on the host network) gets
 * nothing, as it would get no mask. */
#include "hush.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LOCKED (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)
#define VIEW_ROOT "/sys/fs/cgroup"

static int fail(int report_fd, const char *syscall, const char *path) {
  hush_report(report_fd, syscall, path, errno);
  return -1;
}

static void close_keeping_errno(int fd) {
  int err = errno;
  close(fd);
  errno = err;
}

#define MAX_CGROUP_OPTIONS 16

/* A detached, read-only cgroup (v1: the hierarchy its controllers select) or cgroup2 mount. */
static int new_cgroup_fs(const struct hush_cgroup_mount *m) {
  const char *pairs[2 * MAX_CGROUP_OPTIONS + 1];
  size_t n = 0;
  for (size_t i = 0; m->options && m->options[i]; i++) {
    if (i == MAX_CGROUP_OPTIONS) {
      errno = E2BIG;
      return -1;
    }
    const char *option = m->options[i];
    int named = strncmp(option, "name=", 5) == 0;
    pairs[n++] = named ? "name" : option;
    pairs[n++] = named ? option + 5 : NULL;
  }
  pairs[n] = NULL;
  return hush_new_fs(m->v2 ? "cgroup2" : "cgroup", pairs, LOCKED);
}

/* The tmpfs's tree: a directory per hierarchy, a link per controller of a joint one. */
static int populate(int tmpfs, const struct hush_spec *spec) {
  for (size_t i = 0; i < spec->cgroup_view_count; i++) {
    const struct hush_cgroup_mount *m = &spec->cgroup_view[i];
    if (mkdirat(tmpfs, m->dir, 0555) < 0) return -1;
    if (!strchr(m->dir, ',')) continue;
    for (size_t j = 0; m->options && m->options[j]; j++)
      if (strchr(m->options[j], '=') == NULL && symlinkat(m->dir, tmpfs, m->options[j]) < 0 && errno != EEXIST) return -1;
  }
  return 0;
}

static int attach_at(int root_fd, const char *path, int mount_fd, int report_fd) {
  int target = hush_open_in_root(root_fd, path, 0);
  if (target < 0) {
    close_keeping_errno(mount_fd);
    return fail(report_fd, "open", path);
  }
  int rc = hush_attach(mount_fd, target);
  close_keeping_errno(target);
  return rc < 0 ? fail(report_fd, "mount", path) : 0;
}

static int mount_hierarchy(int root_fd, const struct hush_cgroup_mount *m, int report_fd) {
  char path[HUSH_PATH_MAX];
  if (m->dir[0] == '\0') hush_strlcpy(path, VIEW_ROOT, sizeof path);
  else if (hush_join(path, sizeof path, VIEW_ROOT "/", m->dir) < 0) return fail(report_fd, "mount", m->dir);
  int mount_fd = new_cgroup_fs(m);
  if (mount_fd < 0) return fail(report_fd, "mount", path);
  return attach_at(root_fd, path, mount_fd, report_fd);
}

int hush_setup_cgroup_view(const struct hush_spec *spec, int root_fd, int report_fd) {
  int target = hush_open_in_root(root_fd, VIEW_ROOT, 0);
  if (target < 0) return errno == ENOENT || errno == ENOTDIR ? 0 : fail(report_fd, "open", VIEW_ROOT);
  close(target);
  if (spec->cgroup_view_count == 1 && spec->cgroup_view[0].dir[0] == '\0') return mount_hierarchy(root_fd, &spec->cgroup_view[0], report_fd);

  static const char *const options[] = {"mode", "0555", "size", "4096", "nr_inodes", "64", NULL};
  int tmpfs = hush_new_fs("tmpfs", options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  if (tmpfs < 0) return fail(report_fd, "mount", VIEW_ROOT " (tmpfs)");
  if (populate(tmpfs, spec) < 0 || hush_set_mount_attr(tmpfs, 0, MOUNT_ATTR_RDONLY, 0) < 0) {
    close_keeping_errno(tmpfs);
    return fail(report_fd, "mkdir", VIEW_ROOT " (tmpfs)");
  }
  if (attach_at(root_fd, VIEW_ROOT, tmpfs, report_fd) < 0) return -1;
  for (size_t i = 0; i < spec->cgroup_view_count; i++)
    if (mount_hierarchy(root_fd, &spec->cgroup_view[i], report_fd) < 0) return -1;
  return 0;
}
