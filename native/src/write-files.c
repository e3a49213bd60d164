/* Writes a batch of files into one directory, each atomically: a new temporary name
 * (O_EXCL|O_NOFOLLOW, created with its final mode), the bytes, owner, mode, optional fsync,
 * then renameat over the final name. Everything is relative to the directory's descriptor, so
 * no path is resolved again and nothing planted on the way can redirect a write. */
#include "hush.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int hush_write_file_at(int dirfd, const char *name, const char *temp, const uint8_t *bytes, size_t length,
                       unsigned mode, long uid, long gid, int chmod_needed, int do_fsync) {
  int fd = openat(dirfd, temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 0777);
  if (fd < 0) return errno;
  int err = 0;
  for (size_t off = 0; off < length && !err;) {
    ssize_t n = HUSH_RETRY(write(fd, bytes + off, length - off));
    if (n < 0) err = errno;
    else off += (size_t)n;
  }
  if (!err && (uid >= 0 || gid >= 0) && fchown(fd, (uid_t)uid, (gid_t)gid) < 0) err = errno;
  if (!err && chmod_needed && fchmod(fd, mode) < 0) err = errno;
  if (!err && do_fsync && fsync(fd) < 0) err = errno;
  if (close(fd) < 0 && !err) err = errno;
  if (!err && renameat(dirfd, temp, dirfd, name) < 0) err = errno;
  if (err) unlinkat(dirfd, temp, 0);
  return err;
}
