/* sd_notify's transport: one datagram to the AF_UNIX socket that $NOTIFY_SOCKET names. Node
 * has no unix datagram sockets (node:dgram is UDP only), and a child `systemd-notify` would
 * send from the wrong pid (NotifyAccess=main drops it). A name starting with '@' is in the
 * abstract namespace: the '@' becomes a NUL and the address length excludes any terminator. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hush.h"

int hush_send_datagram(const char *path, size_t path_len, const void *data, size_t len) {
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (path_len == 0) return EINVAL;
  /* A filesystem path needs room for its NUL; an abstract name does not. */
  if (path_len > sizeof addr.sun_path - (path[0] == '@' ? 0 : 1)) return ENAMETOOLONG;
  memcpy(addr.sun_path, path, path_len);
  socklen_t addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + path_len);
  if (path[0] == '@') addr.sun_path[0] = '\0';
  else addr_len += 1;

  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  /* Never block the event loop: a full receive queue is reported, not waited out. */
  ssize_t sent = TEMP_FAILURE_RETRY(sendto(fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT, (struct sockaddr *)&addr, addr_len));
  int err = sent < 0 ? errno : (size_t)sent != len ? EMSGSIZE : 0;
  close(fd);
  return err;
}
