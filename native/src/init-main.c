/* hush-init: a small static executable, exec'd by the container's first process once the
 * container is set up (namespaces, mounts, pivot_root). Being static it needs nothing from
 * the container's root filesystem; being its own program, no copy of the launcher's Node
 * process lives on in the container.
 *
 *   hush-init CONTROL_FD UID GID -- CMD [ARG...]     (the app's environment is ours)
 */
#include "hush.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

extern char **environ;

/* What confines the app: the first message on the control channel, sent before clone. */
static struct hush_hardening hardening;

static void receive_hardening(int control_fd) {
  ssize_t n;
  do {
    n = recv(control_fd, &hardening, sizeof hardening, 0);
  } while (n < 0 && errno == EINTR);
  if (n != (ssize_t)sizeof hardening || hardening.filter_len > HUSH_FILTER_MAX) {
    fprintf(stderr, "hush-init: no confinement record on the control channel (hush-init is started by hush run)\n");
    exit(125);
  }
}

static long number(const char *text) {
  char *end;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (errno || *end || end == text || value < 0) {
    fprintf(stderr, "hush-init: bad argument '%s' (hush-init is started by hush run)\n", text);
    exit(125);
  }
  return value;
}

int main(int argc, char **argv) {
  if (argc < 6 || strcmp(argv[4], "--") != 0) {
    fprintf(stderr, "usage: hush-init CONTROL_FD UID GID -- CMD [ARG...] (hush-init is started by hush run)\n");
    return 125;
  }
  struct hush_spec spec;
  memset(&spec, 0, sizeof spec);
  int control_fd = (int)number(argv[1]);
  spec.uid = (uid_t)number(argv[2]);
  spec.gid = (gid_t)number(argv[3]);
  spec.argv = argv + 5;
  spec.envp = environ;
  spec.path_env = getenv("PATH");
  spec.use_init = 1;
  receive_hardening(control_fd);
  spec.hardening = &hardening;
  hush_init_main(&spec, control_fd);
}
