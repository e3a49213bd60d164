/* The child's side of the error channel: fixed-size records on a CLOEXEC SOCK_SEQPACKET
 * socket. EOF before a record means the child died (or, without init, exec succeeded). */
#include "hush.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

size_t hush_strlcpy(char *dst, const char *src, size_t size) {
  size_t n = 0;
  if (size == 0) return 0;
  while (src[n] && n + 1 < size) {
    dst[n] = src[n];
    n++;
  }
  dst[n] = '\0';
  return n;
}

/* dst = a + b, failing with ENAMETOOLONG rather than truncating a path. */
int hush_join(char *dst, size_t size, const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la + lb + 1 > size) {
    errno = ENAMETOOLONG;
    return -1;
  }
  memcpy(dst, a, la);
  memcpy(dst + la, b, lb + 1);
  return 0;
}

void hush_record_fill(struct hush_record *rec, const char *syscall, const char *path, int err) {
  memset(rec, 0, sizeof *rec);
  rec->type = HUSH_RECORD_ERROR;
  rec->err = err;
  hush_strlcpy(rec->syscall, syscall, sizeof rec->syscall);
  hush_strlcpy(rec->path, path ? path : "", sizeof rec->path);
}

void hush_send_record(int fd, const struct hush_record *rec) {
  HUSH_RETRY(send(fd, rec, sizeof *rec, MSG_NOSIGNAL));
}

void hush_report(int fd, const char *syscall, const char *path, int err) {
  struct hush_record rec;
  hush_record_fill(&rec, syscall, path, err);
  hush_send_record(fd, &rec);
}

void hush_send_ready(int fd) {
  struct hush_record rec;
  memset(&rec, 0, sizeof rec);
  rec.type = HUSH_RECORD_READY;
  hush_send_record(fd, &rec);
}

int hush_send_record_fd(int fd, int type, int32_t err, int passed) {
  struct hush_record record;
  memset(&record, 0, sizeof record);
  record.type = type;
  record.err = err;
  struct iovec iov = {&record, sizeof record};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } control;
  memset(&control, 0, sizeof control);
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
  struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cmsg), &passed, sizeof passed);
  return HUSH_RETRY(sendmsg(fd, &msg, MSG_NOSIGNAL)) == (ssize_t)sizeof record ? 0 : -1;
}
