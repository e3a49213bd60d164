/* The container's filesystem, built in the child's private mount namespace:
 *   1. make every mount private, so nothing propagates back to the host
 *   2. clone the root tree (recursive bind) as a detached mount, make it read-only
 *   3. attach it over /tmp (any existing directory would do; the host never sees it)
 *   4. fresh /proc, a nodev /dev with host device nodes bound in, the sized tmpfs mounts
 *   5. a read-only clone of the secrets tmpfs at the secrets dir
 *   6. read-only and masked kernel files, then the caller's masks
 *   7. pivot_root into it and detach the old root
 * From step 2 on, every path inside the root is resolved beneath the root's descriptor
 * (resolve-in-root.c), so a symlink in a --rootfs cannot lead a mount or a mkdir to the host.
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
#include <unistd.h>

#define NEW_ROOT "/tmp"

static int fail(int report_fd, const char *syscall, const char *path) {
  hush_report(report_fd, syscall, path, errno);
  return -1;
}

static int is_under(const char *path, const char *dir) {
  size_t n = strlen(dir);
  return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* True when `path` lies in a filesystem hush mounts (/dev, a tmpfs of the list): it is made
 * there, at mount time, and needs nothing in the rootfs. */
static int in_own_mount(const struct hush_spec *spec, const char *path) {
  if (is_under(path, "/dev")) return 1;
  for (size_t i = 0; i < spec->tmpfs_count; i++)
    if (strcmp(path, spec->tmpfs[i].path) != 0 && is_under(path, spec->tmpfs[i].path)) return 1;
  return 0;
}

/* A --rootfs may lack the mount points: create them (inside it) while it is still writable. */
static int make_mount_points(const struct hush_spec *spec, int root_fd, int report_fd) {
  static const char *const points[] = {"/proc", "/sys", "/dev", "/tmp", "/run"};
  size_t fixed = sizeof points / sizeof points[0];
  for (size_t i = 0; i < fixed + spec->tmpfs_count + 1; i++) {
    const char *path = i < fixed ? points[i] : i < fixed + spec->tmpfs_count ? spec->tmpfs[i - fixed].path
                       : spec->secrets_fd >= 0 ? spec->secrets_dir : NULL;
    if (!path || (i >= fixed && in_own_mount(spec, path))) continue;
    int fd = hush_open_in_root(root_fd, path, 1);
    if (fd < 0) return fail(report_fd, "mkdir", path);
    close(fd);
  }
  return 0;
}

static int setup_secrets(const struct hush_spec *spec, int root_fd, int report_fd) {
  int target = hush_open_in_root(root_fd, spec->secrets_dir, 1);
  if (target < 0) return fail(report_fd, "mkdir", spec->secrets_dir);
  /* The directory the path really names, symlinks followed inside the root: it must not
   * cover the root or the kernel's filesystems. */
  char resolved[HUSH_PATH_MAX];
  if (hush_path_in_root(target, NEW_ROOT, resolved, sizeof resolved) < 0) {
    close(target);
    return fail(report_fd, "readlink", spec->secrets_dir);
  }
  if (strcmp(resolved, "/") == 0 || is_under(resolved, "/proc") || is_under(resolved, "/sys") || is_under(resolved, "/dev")) {
    close(target);
    hush_report(report_fd, "secrets-dir", resolved, EINVAL);
    return -1;
  }
  /* A clone of the launcher's tmpfs: same files, but this mount is read-only, while the
   * launcher keeps writing through its own writable mount (which no namespace holds). */
  int clone_fd = hush_clone_tree(spec->secrets_fd, "", 0,
                                 MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, 0);
  int rc = clone_fd < 0 ? -1 : hush_attach(clone_fd, target);
  if (rc < 0) fail(report_fd, "mount", spec->secrets_dir);
  close(target);
  return rc;
}

static int mount_tmpfs(int root_fd, const struct hush_tmpfs_mount *m, int report_fd) {
  const char *options[] = {"size", m->size, "mode", m->mode, NULL};
  uint64_t attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (m->noexec ? MOUNT_ATTR_NOEXEC : 0);
  return hush_mount_fs_at(root_fd, m->path, "tmpfs", options, attrs) < 0 ? fail(report_fd, "mount", m->path) : 0;
}

static int build_root(const struct hush_spec *spec, int root_fd, int report_fd) {
  /* 4 */
  if (hush_mount_fs_at(root_fd, "/proc", "proc", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC) < 0)
    return fail(report_fd, "mount", "/proc");
  /* The host's sysfs would show the host's network devices inside a new network namespace. */
  if (spec->net_none &&
      hush_mount_fs_at(root_fd, "/sys", "sysfs", NULL,
                       MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC) < 0)
    return fail(report_fd, "mount", "/sys");
  if (hush_setup_dev(root_fd, report_fd) < 0) return -1;
  for (size_t i = 0; i < spec->tmpfs_count; i++)
    if (mount_tmpfs(root_fd, &spec->tmpfs[i], report_fd) < 0) return -1;
  /* 4b: --volume binds (volumes.c), before the secrets so that none can cover them */
  if (hush_setup_volumes(spec, root_fd, report_fd) < 0) return -1;
  /* 5 */
  if (spec->secrets_fd >= 0 && setup_secrets(spec, root_fd, report_fd) < 0) return -1;
  /* 6 */
  return hush_setup_masks(spec, root_fd, report_fd);
}

int hush_setup_mounts(const struct hush_spec *spec, int report_fd) {
  /* 1 */
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) return fail(report_fd, "mount", "/");

  /* 2 */
  /* An image root (rootfs_fd) is an overlay with a private writable layer: it stays writable
   * unless the launcher sealed it read-only before the spawn. A --rootfs under --userns auto
   * (seal_rootfs_fd: the launcher's idmapped clone, used as it is, since the kernel refuses to
   * clone a clone made in another mount namespace) is sealed here, once its mount points exist. */
  int root_fd = spec->seal_rootfs_fd ? fcntl(spec->rootfs_fd, F_DUPFD_CLOEXEC, 3)
                : spec->rootfs_fd >= 0 ? hush_clone_tree(spec->rootfs_fd, "", 0, 0, 0)
                                     : hush_clone_tree(AT_FDCWD, spec->rootfs, AT_RECURSIVE, 0, 0);
  if (root_fd < 0) return fail(report_fd, "rootfs", spec->rootfs);
  if (!spec->host_root) {
    /* The host's / under another name (a symlink, /proc/1/root) would get no host masks, and
     * its mount points would be made on the host: refuse it. */
    struct stat root_st, host_st;
    if (fstat(root_fd, &root_st) == 0 && stat("/", &host_st) == 0 && root_st.st_dev == host_st.st_dev &&
        root_st.st_ino == host_st.st_ino) {
      hush_report(report_fd, "rootfs", spec->rootfs, EEXIST);
      return -1;
    }
    if (make_mount_points(spec, root_fd, report_fd) < 0) return -1;
  }
  int read_only = spec->rootfs_fd < 0 || spec->seal_rootfs_fd;
  if (hush_set_mount_attr(root_fd, AT_RECURSIVE, (read_only ? MOUNT_ATTR_RDONLY : 0) | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, 0) < 0)
    return fail(report_fd, "mount_setattr", spec->rootfs);

  /* 3: the descriptor stays open, and names the root for every later step. */
  if (syscall(SYS_move_mount, root_fd, "", AT_FDCWD, NEW_ROOT, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return fail(report_fd, "move_mount", spec->rootfs);
  int rc = build_root(spec, root_fd, report_fd);
  close(root_fd);
  if (rc < 0) return -1;

  /* 7 */
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
