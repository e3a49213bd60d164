/* /dev as bubblewrap builds it: a nodev tmpfs holding the few device nodes a program needs,
 * each bind-mounted from the host's /dev. The tmpfs is nodev, so a node made with mknod in it
 * (or anywhere else in the container) cannot be opened; only these binds work. */
#include "hush.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct device { const char *name; unsigned major, minor; };

static const struct device devices[] = {
    {"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

static const char *const links[][2] = {
    {"/proc/self/fd", "fd"},     {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
    {"/proc/self/fd/2", "stderr"}, {"pts/ptmx", "ptmx"},
};

static int fail(int report_fd, const char *syscall, const char *path) {
  hush_report(report_fd, syscall, path, errno);
  return -1;
}

/* Binds the host's /dev/NAME onto a new empty file NAME in dev_fd, after checking that the
 * host's node is the device it should be. */
static int bind_device(int dev_fd, const struct device *device, int report_fd) {
  char host_path[32] = "/dev/";
  hush_strlcpy(host_path + 5, device->name, sizeof host_path - 5);
  int clone_fd = hush_clone_tree(AT_FDCWD, host_path, 0, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, MOUNT_ATTR_NODEV);
  if (clone_fd < 0) return fail(report_fd, "open_tree", host_path);
  struct stat st;
  if (fstat(clone_fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(device->major, device->minor)) {
    close(clone_fd);
    errno = ENODEV;
    return fail(report_fd, "stat", host_path);
  }
  int file = openat(dev_fd, device->name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (file >= 0) close(file);
  int target = file < 0 ? -1 : openat(dev_fd, device->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (target < 0) {
    close(clone_fd);
    return fail(report_fd, "create", host_path);
  }
  int rc = hush_attach(clone_fd, target);
  close(target);
  return rc < 0 ? fail(report_fd, "move_mount", host_path) : 0;
}

int hush_setup_dev(int root_fd, int report_fd) {
  static const char *const dev_options[] = {"mode", "0755", "size", "65536", NULL};
  if (hush_mount_fs_at(root_fd, "/dev", "tmpfs", dev_options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC) < 0)
    return fail(report_fd, "mount", "/dev");
  int dev_fd = hush_open_in_root(root_fd, "/dev", 0);
  if (dev_fd < 0) return fail(report_fd, "open", "/dev");
  /* An O_PATH descriptor cannot create entries: reopen the fresh tmpfs as a directory. */
  int dir_fd = openat(dev_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  close(dev_fd);
  if (dir_fd < 0) return fail(report_fd, "open", "/dev");
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < sizeof devices / sizeof devices[0]; i++) rc = bind_device(dir_fd, &devices[i], report_fd);
  for (size_t i = 0; rc == 0 && i < sizeof links / sizeof links[0]; i++)
    if (symlinkat(links[i][0], dir_fd, links[i][1]) < 0) rc = fail(report_fd, "symlink", links[i][1]);
  if (rc == 0 && (mkdirat(dir_fd, "pts", 0755) < 0 || mkdirat(dir_fd, "shm", 01777) < 0)) rc = fail(report_fd, "mkdir", "/dev");
  close(dir_fd);
  if (rc < 0) return -1;
  /* A devpts of the container's own: no pty of the host's is reachable through it. */
  static const char *const pts_options[] = {"ptmxmode", "0666", "mode", "0620", NULL};
  if (hush_mount_fs_at(root_fd, "/dev/pts", "devpts", pts_options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC) < 0)
    return fail(report_fd, "mount", "/dev/pts");
  return 0;
}
