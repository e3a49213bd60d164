/* How hush-init gets what confines the app: the parent writes the record on a SOCK_SEQPACKET
 * pair of its own and closes its end at once; init reads the one message from the other end
 * (hush-init ... CONFINEMENT_FD ...). A child that dies before init reads it leaves the unread
 * message on a socket nobody watches, never on the error channel. */
#include "hush.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

int hush_confinement_channel(const struct hush_hardening *h) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) return -1;
  /* Only the instructions in use travel. */
  size_t size = offsetof(struct hush_hardening, filter) + h->filter_len * sizeof h->filter[0];
  ssize_t n;
  do {
    n = send(sv[0], h, size, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  int err = errno;
  close(sv[0]);
  if (n != (ssize_t)size) {
    close(sv[1]);
    errno = n < 0 ? err : EMSGSIZE;
    return -1;
  }
  return sv[1];
}

int hush_read_confinement(int fd, struct hush_hardening *out) {
  ssize_t n;
  do {
    n = recv(fd, out, sizeof *out, 0);
  } while (n < 0 && errno == EINTR);
  close(fd);
  size_t header = offsetof(struct hush_hardening, filter);
  if (n < (ssize_t)header || out->filter_len > HUSH_FILTER_MAX || (size_t)n != header + out->filter_len * sizeof out->filter[0]) return -1;
  return 0;
}
