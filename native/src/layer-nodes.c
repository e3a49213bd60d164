/* What the image unpacker needs that Node's fs lacks, always relative to a directory
 * descriptor the unpacker walked to with O_NOFOLLOW (never a path string from the archive):
 * device nodes and overlay whiteouts (mknodat) and extended attributes (fsetxattr on the descriptor, or lsetxattr
 * through /proc/self/fd/DIR/NAME, which does not follow a symlink in NAME). */
#include "hush.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

static int single_component(const char *name) {
  return name[0] != '\0' && strchr(name, '/') == NULL && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

int hush_mknod_at(int dirfd, const char *name, unsigned mode, unsigned major, unsigned minor) {
  if (!single_component(name)) {
    errno = EINVAL;
    return -1;
  }
  return mknodat(dirfd, name, (mode_t)mode, makedev(major, minor));
}

int hush_set_xattr_at(int dirfd, const char *name, const char *key, const void *value, size_t length) {
  char path[64 + HUSH_PATH_MAX];
  /* An empty name means the descriptor itself (a file or directory the unpacker opened). */
  if (name[0] == '\0') return fsetxattr(dirfd, key, value, length, 0);
  if (!single_component(name)) {
    errno = EINVAL;
    return -1;
  }
  if (snprintf(path, sizeof path, "/proc/self/fd/%d/%s", dirfd, name) >= (int)sizeof path) {
    errno = ENAMETOOLONG;
    return -1;
  }
  return lsetxattr(path, key, value, length, 0);
}
