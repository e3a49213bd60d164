/* The container's filesystem, built in the child's private mount namespace:
 *   1. make every mount private, so nothing propagates back to the host
 *   2. clone the root tree (recursive bind) as a detached mount, make it read-only
 *   3. attach it over /tmp (any existing directory would do; the host never sees it)
 *   4. fresh /proc, a minimal /dev, tmpfs /tmp and /run
 *   5. a read-only clone of the secrets tmpfs at the secrets dir
 *   6. pivot_root into it and detach the old root
 * Every step reports its failure on the error channel with the path it was working on. */
#include "hush.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define NEW_ROOT "/tmp"

static int fail(int report_fd, const char *syscall, const char *path) {
  hush_report(report_fd, syscall, path, errno);
  return -1;
}

static int open_tree_at(int dirfd, const char *path, unsigned flags) {
  return (int)syscall(SYS_open_tree, dirfd, path, flags);
}

static int set_mount_attr(int fd, unsigned at_flags, uint64_t attrs) {
  struct mount_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.attr_set = attrs;
  return (int)syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | at_flags, &attr, sizeof attr);
}

static int attach(int fd, const char *target) {
  return (int)syscall(SYS_move_mount, fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH);
}

/* mkdir -p of `rel` (absolute, inside the container) under dirfd. */
static int make_dirs_at(int dirfd, const char *rel, mode_t mode) {
  char buf[HUSH_PATH_MAX];
  size_t len = hush_strlcpy(buf, rel[0] == '/' ? rel + 1 : rel, sizeof buf);
  for (size_t i = 0; i <= len; i++) {
    if (buf[i] != '/' && buf[i] != '\0') continue;
    char saved = buf[i];
    buf[i] = '\0';
    if (buf[0] != '\0' && mkdirat(dirfd, buf, mode) < 0 && errno != EEXIST) return -1;
    buf[i] = saved;
  }
  return 0;
}

static int mount_under_root(int report_fd, const char *fstype, const char *rel, unsigned long flags,
                            const char *data) {
  char target[HUSH_PATH_MAX];
  if (hush_join(target, sizeof target, NEW_ROOT, rel) < 0 ||
      mount(fstype, target, fstype, flags, data) < 0)
    return fail(report_fd, "mount", rel);
  return 0;
}

struct device { const char *name; unsigned major, minor; };

static const struct device devices[] = {
    {"/dev/null", 1, 3},    {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
    {"/dev/random", 1, 8},  {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
};

static const char *const dev_links[][2] = {
    {"/proc/self/fd", "/dev/fd"},     {"/proc/self/fd/0", "/dev/stdin"},
    {"/proc/self/fd/1", "/dev/stdout"}, {"/proc/self/fd/2", "/dev/stderr"},
    {"pts/ptmx", "/dev/ptmx"},
};

static int setup_dev(int report_fd) {
  char path[HUSH_PATH_MAX];
  if (mount_under_root(report_fd, "tmpfs", "/dev", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k") < 0)
    return -1;
  for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++) {
    if (hush_join(path, sizeof path, NEW_ROOT, devices[i].name) < 0 ||
        mknod(path, S_IFCHR | 0666, makedev(devices[i].major, devices[i].minor)) < 0)
      return fail(report_fd, "mknod", devices[i].name);
  }
  for (size_t i = 0; i < sizeof dev_links / sizeof dev_links[0]; i++) {
    if (hush_join(path, sizeof path, NEW_ROOT, dev_links[i][1]) < 0 || symlink(dev_links[i][0], path) < 0)
      return fail(report_fd, "symlink", dev_links[i][1]);
  }
  if (hush_join(path, sizeof path, NEW_ROOT, "/dev/pts") < 0 || mkdir(path, 0755) < 0)
    return fail(report_fd, "mkdir", "/dev/pts");
  if (mount_under_root(report_fd, "devpts", "/dev/pts", MS_NOSUID | MS_NOEXEC,
                       "newinstance,ptmxmode=0666,mode=0620") < 0)
    return -1;
  if (hush_join(path, sizeof path, NEW_ROOT, "/dev/shm") < 0 || mkdir(path, 01777) < 0)
    return fail(report_fd, "mkdir", "/dev/shm");
  return mount_under_root(report_fd, "tmpfs", "/dev/shm", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777");
}

static int setup_secrets(const struct hush_spec *spec, int report_fd) {
  char target[HUSH_PATH_MAX];
  int root_fd = open(NEW_ROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) return fail(report_fd, "open", "/");
  int rc = make_dirs_at(root_fd, spec->secrets_dir, 0755);
  close(root_fd);
  if (rc < 0) return fail(report_fd, "mkdir", spec->secrets_dir);

  /* A clone of the launcher's tmpfs: same files, but this mount is read-only, while the
   * launcher keeps writing through its own writable mount (which no namespace holds). */
  int clone_fd = open_tree_at(spec->secrets_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (clone_fd < 0) return fail(report_fd, "open_tree", spec->secrets_dir);
  if (set_mount_attr(clone_fd, 0, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC) < 0 ||
      hush_join(target, sizeof target, NEW_ROOT, spec->secrets_dir) < 0 || attach(clone_fd, target) < 0) {
    int err = errno;
    close(clone_fd);
    errno = err;
    return fail(report_fd, "mount", spec->secrets_dir);
  }
  close(clone_fd);
  return 0;
}

int hush_setup_mounts(const struct hush_spec *spec, int report_fd) {
  /* 1 */
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) return fail(report_fd, "mount", "/");

  /* 2 */
  /* An image root (rootfs_fd) is an overlay with a private writable layer: it stays writable
   * unless the launcher sealed it read-only before the spawn. */
  int root_fd = spec->rootfs_fd >= 0
                    ? open_tree_at(spec->rootfs_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH)
                    : open_tree_at(AT_FDCWD, spec->rootfs, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  if (root_fd < 0) return fail(report_fd, "rootfs", spec->rootfs);
  if (!spec->host_root) {
    /* A user's rootfs may lack the mount points; create them while it is still writable. */
    static const char *const points[] = {"/proc", "/sys", "/dev", "/tmp", "/run"};
    for (size_t i = 0; i < sizeof points / sizeof points[0]; i++)
      if (make_dirs_at(root_fd, points[i], 0755) < 0) return fail(report_fd, "mkdir", points[i]);
    if (make_dirs_at(root_fd, spec->secrets_dir, 0755) < 0) return fail(report_fd, "mkdir", spec->secrets_dir);
  }
  if (set_mount_attr(root_fd, AT_RECURSIVE, (spec->rootfs_fd >= 0 ? 0 : MOUNT_ATTR_RDONLY) | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV) < 0)
    return fail(report_fd, "mount_setattr", spec->rootfs);

  /* 3 */
  if (attach(root_fd, NEW_ROOT) < 0) return fail(report_fd, "move_mount", spec->rootfs);
  close(root_fd);

  /* 4 */
  if (mount_under_root(report_fd, "proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) return -1;
  /* The host's sysfs would show the host's network devices inside a new network namespace. */
  if (spec->net_none &&
      mount_under_root(report_fd, "sysfs", "/sys", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
    return -1;
  if (setup_dev(report_fd) < 0) return -1;
  if (mount_under_root(report_fd, "tmpfs", "/tmp", MS_NOSUID | MS_NODEV, "mode=1777") < 0) return -1;
  if (mount_under_root(report_fd, "tmpfs", "/run", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755") < 0)
    return -1;

  /* 4b: --volume binds (volumes.c), under the secrets so none can cover them */
  if (hush_setup_volumes(spec, NEW_ROOT, report_fd) < 0) return -1;

  /* 5 */
  if (spec->secrets_fd >= 0 && setup_secrets(spec, report_fd) < 0) return -1;

  /* 6 */
  if (chdir(NEW_ROOT) < 0) return fail(report_fd, "chdir", NEW_ROOT);
  if (syscall(SYS_pivot_root, ".", ".") < 0) return fail(report_fd, "pivot_root", spec->rootfs);
  if (umount2(".", MNT_DETACH) < 0) return fail(report_fd, "umount2", "old root");
  if (chdir("/") < 0) return fail(report_fd, "chdir", "/");
  return 0;
}

int hush_bring_up_loopback(int report_fd) {
  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return fail(report_fd, "socket", "lo");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  hush_strlcpy(ifr.ifr_name, "lo", sizeof ifr.ifr_name);
  int rc = ioctl(sock, SIOCGIFFLAGS, &ifr);
  if (rc == 0) {
    ifr.ifr_flags |= IFF_UP;
    rc = ioctl(sock, SIOCSIFFLAGS, &ifr);
  }
  int err = errno;
  close(sock);
  errno = err;
  return rc < 0 ? fail(report_fd, "ioctl", "lo") : 0;
}
