/* Paths inside the container's root, resolved by the kernel as if the root were "/":
 * openat2(RESOLVE_IN_ROOT) clamps ".." and absolute symlinks to the root, and
 * RESOLVE_NO_MAGICLINKS refuses /proc/PID/fd-style links that could jump anywhere. */
#include "hush.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int open_beneath(int root_fd, const char *rel) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  if (rel[0] == '\0') rel = ".";
  return (int)HUSH_RETRY(syscall(SYS_openat2, root_fd, rel, &how, sizeof how));
}

int hush_open_in_root(int root_fd, const char *path, int create) {
  char rel[HUSH_PATH_MAX];
  while (*path == '/') path++;
  size_t len = hush_strlcpy(rel, path, sizeof rel);
  int fd = open_beneath(root_fd, rel);
  if (fd >= 0 || errno != ENOENT || !create) return fd;

  /* mkdir -p, one component at a time; each parent is resolved again inside the root, and
   * mkdirat never follows a symlink in the name it creates. */
  for (size_t end = 0; end <= len; end++) {
    if (rel[end] != '/' && rel[end] != '\0') continue;
    if (end == 0 || rel[end - 1] == '/') continue;
    char saved = rel[end];
    rel[end] = '\0';
    char *slash = strrchr(rel, '/');
    int parent;
    if (slash) {
      *slash = '\0';
      parent = open_beneath(root_fd, rel);
      *slash = '/';
    } else {
      parent = open_beneath(root_fd, "");
    }
    if (parent < 0) return -1;
    int rc = mkdirat(parent, slash ? slash + 1 : rel, 0755);
    int err = errno;
    close(parent);
    rel[end] = saved;
    if (rc < 0 && err != EEXIST) {
      errno = err;
      return -1;
    }
  }
  return open_beneath(root_fd, rel);
}

/* Writes the path of `fd` as seen from root_path (the root's path in our mount namespace)
 * into out, from /proc/self/fd. 0, or -1 with errno (EXDEV when it lies outside the root). */
int hush_path_in_root(int fd, const char *root_path, char *out, size_t size) {
  char link[32] = "/proc/self/fd/";
  char digits[12];
  int n = 0;
  for (unsigned v = (unsigned)fd; n == 0 || v; v /= 10) digits[n++] = (char)('0' + v % 10);
  size_t at = strlen(link);
  while (n) link[at++] = digits[--n];
  link[at] = '\0';
  char target[HUSH_PATH_MAX];
  ssize_t got = readlink(link, target, sizeof target - 1);
  if (got < 0) return -1;
  target[got] = '\0';
  size_t root_len = strlen(root_path);
  if (strncmp(target, root_path, root_len) != 0 || (target[root_len] != '/' && target[root_len] != '\0')) {
    errno = EXDEV;
    return -1;
  }
  hush_strlcpy(out, target[root_len] ? target + root_len : "/", size);
  return 0;
}
