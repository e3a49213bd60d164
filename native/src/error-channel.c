/* The child's side of the error channel: fixed-size records on a CLOEXEC SOCK_SEQPACKET
 * socket. EOF before a record means the child died (or, without init, exec succeeded). */
#include "hush.h"

#include <errno.h>
#include <fcntl.h>
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

void hush_fd_message_init(struct hush_fd_message *m, int type, int32_t err, int passed) {
  memset(m, 0, sizeof *m);
  m->record.type = type;
  m->record.err = err;
  m->iov.iov_base = &m->record;
  m->iov.iov_len = sizeof m->record;
  m->msg.msg_iov = &m->iov;
  m->msg.msg_iovlen = 1;
  m->msg.msg_control = m->control.buf;
  m->msg.msg_controllen = sizeof m->control.buf;
  struct cmsghdr *cmsg = CMSG_FIRSTHDR(&m->msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cmsg), &passed, sizeof passed);
}

int hush_send_record_fd(int fd, int type, int32_t err, int passed) {
  struct hush_fd_message m;
  hush_fd_message_init(&m, type, err, passed);
  return HUSH_RETRY(sendmsg(fd, &m.msg, MSG_NOSIGNAL)) == (ssize_t)sizeof m.record ? 0 : -1;
}

int hush_write_text(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  int err = errno;
  close(fd);
  errno = err;
  return n == (ssize_t)strlen(text) ? 0 : -1;
}
