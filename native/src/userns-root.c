/* Rootless: what the launcher, an ordinary user outside the namespaces, cannot mount for the
 * container, the child mounts itself after GO (userns-go.c), when its maps are written and the
 * launcher waits for its exec:
 *   - each --volume: a recursive clone of the host path, made in the child's own mount
 *     namespace (nosuid, nodev, read-only with :ro), attached later by volumes.c;
 *   - an image's root: an overlay of the store's layers over a private tmpfs (upper and work
 *     dirs), with `userxattr` (user.overlay.* xattrs: trusted.* needs host root), and hush's
 *     mount points and /etc files put in, then sealed read-only with --read-only;
 *   - with --user N[:G]: the app's view of the secrets (userns-idmap.c).
 * Over strings the release prepared; the child writes only to its stack (it shares our memory). */
#include "hush.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int fail(int report_fd, const char *step, const char *path) {
  hush_report(report_fd, step, path, errno);
  return -1;
}

static int open_volumes(const struct hush_userns_root *r, struct hush_spec *started, int *volume_fds, int report_fd) {
  if (r->volume_count > HUSH_USERNS_MAX_VOLUMES) {
    errno = E2BIG;
    return fail(report_fd, "volume", "too many volumes");
  }
  for (size_t i = 0; i < r->volume_count; i++) {
    volume_fds[i] = hush_volume_open(r->volume_hosts[i], r->volume_read_only[i]);
    if (volume_fds[i] < 0) return fail(report_fd, "volume open_tree", r->volume_hosts[i]);
  }
  started->volume_fds = volume_fds;
  started->volume_targets = r->volume_targets;
  started->volume_count = r->volume_count;
  return 0;
}

/* "/proc/self/fd/<fd>/<leaf>", without stdio. */
static void fd_path(char *out, size_t size, int fd, const char *leaf) {
  char digits[12];
  int n = 0;
  for (unsigned v = (unsigned)fd; n == 0 || v; v /= 10) digits[n++] = (char)('0' + v % 10);
  size_t at = hush_strlcpy(out, "/proc/self/fd/", size);
  while (n && at + 1 < size) out[at++] = digits[--n];
  hush_strlcpy(out + at, leaf, size - at);
}

static int fs_string(int fs, const char *key, const char *value) {
  return (int)syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, key, value, 0);
}

static int mount_overlay(const struct hush_userns_root *r, int report_fd) {
  const char *const upper_options[] = {"mode", "0755", NULL};
  int upper = hush_new_fs("tmpfs", upper_options, MOUNT_ATTR_NODEV);
  if (upper < 0) return fail(report_fd, "fsmount", "image upper layer (tmpfs)");
  if (mkdirat(upper, "upper", 0755) < 0 || mkdirat(upper, "work", 0700) < 0) return fail(report_fd, "mkdir", "image upper layer");
  int fs = (int)syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
  if (fs < 0) return fail(report_fd, "fsopen", "overlay");
  for (size_t i = 0; r->lower_dirs[i]; i++)
    if (fs_string(fs, "lowerdir+", r->lower_dirs[i]) < 0) return fail(report_fd, "fsconfig lowerdir+", r->lower_dirs[i]);
  char path[64];
  fd_path(path, sizeof path, upper, "/upper");
  if (fs_string(fs, "upperdir", path) < 0) return fail(report_fd, "fsconfig upperdir", path);
  fd_path(path, sizeof path, upper, "/work");
  if (fs_string(fs, "workdir", path) < 0) return fail(report_fd, "fsconfig workdir", path);
  /* As overlay-fs.c: layers are shared between runs and never changed by one. */
  if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0 || fs_string(fs, "index", "off") < 0 ||
      fs_string(fs, "metacopy", "off") < 0 || fs_string(fs, "redirect_dir", "nofollow") < 0)
    return fail(report_fd, "fsconfig", "overlay options (userxattr)");
  if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) return fail(report_fd, "fsconfig", "overlay (user namespace)");
  int mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NODEV);
  if (mnt < 0) return fail(report_fd, "fsmount", "overlay");
  close(fs);
  close(upper);
  return mnt;
}

/* The directory holding `path` (made when missing) and its last component, inside the root. */
static int open_parent(int root, const char *path, char *copy, size_t size, const char **name) {
  hush_strlcpy(copy, path, size);
  char *slash = strrchr(copy, '/');
  if (!slash || slash[1] == '\0') {
    errno = EINVAL;
    return -1;
  }
  *slash = '\0';
  *name = slash + 1;
  return hush_open_in_root(root, copy[0] ? copy : "/", 1);
}

/* A fresh file at path with `text` (anything there is replaced, a symlink never followed);
 * with keep, an existing non-symlink is left as it is (a file volume's mount point). */
static int put_file(int root, const char *path, const char *text, int keep, int report_fd) {
  char copy[HUSH_PATH_MAX];
  const char *name;
  int dir = open_parent(root, path, copy, sizeof copy, &name);
  if (dir < 0) return fail(report_fd, "mkdir", path);
  struct stat st;
  int exists = fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
  int rc = 0;
  if (!(exists && keep && !S_ISLNK(st.st_mode))) {
    if (exists && unlinkat(dir, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0) rc = fail(report_fd, "unlink", path);
    int fd = rc < 0 ? -1 : openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (rc == 0 && fd < 0) rc = fail(report_fd, "open", path);
    size_t length = text ? strlen(text) : 0;
    if (fd >= 0 && length > 0 && write(fd, text, length) != (ssize_t)length) rc = fail(report_fd, "write", path);
    if (fd >= 0) close(fd);
  }
  close(dir);
  return rc;
}

static int build_image_root(const struct hush_userns_root *r, struct hush_spec *started, int report_fd) {
  int root = mount_overlay(r, report_fd);
  if (root < 0) return -1;
  for (size_t i = 0; r->dirs[i]; i++) {
    int fd = hush_open_in_root(root, r->dirs[i], 1);
    if (fd < 0) return fail(report_fd, "mkdir", r->dirs[i]);
    close(fd);
  }
  for (size_t i = 0; r->files[i]; i++)
    if (put_file(root, r->files[i], NULL, 1, report_fd) < 0) return -1;
  for (size_t i = 0; r->writes[i] && r->writes[i + 1]; i += 2)
    if (put_file(root, r->writes[i], r->writes[i + 1], 0, report_fd) < 0) return -1;
  if (r->read_only && hush_mount_set_readonly(root) < 0) return fail(report_fd, "mount_setattr", "image root (read-only)");
  started->rootfs_fd = root;
  return 0;
}

int hush_userns_build(const struct hush_userns_root *r, struct hush_spec *started, int *volume_fds, int report_fd) {
  if (!r) return 0;
  if (open_volumes(r, started, volume_fds, report_fd) < 0) return -1;
  return r->lower_dirs ? build_image_root(r, started, report_fd) : 0;
}
