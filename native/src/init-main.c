/* hush-init: a small static executable, exec'd by the container's first process once the
 * container is set up (namespaces, mounts, pivot_root). Being static it needs nothing from
 * the container's root filesystem; being its own program, no copy of the launcher's Node
 * process lives on in the container.
 *
 *   hush-init CONTROL_FD UID GID CONFINEMENT_FD -- CMD [ARG...]   (the app's environment is ours)
 */
#include "hush.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

/* What confines the app, read from CONFINEMENT_FD. */
static struct hush_hardening hardening;

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
  if (argc < 7 || strcmp(argv[5], "--") != 0) {
    fprintf(stderr, "usage: hush-init CONTROL_FD UID GID CONFINEMENT_FD -- CMD [ARG...] (hush-init is started by hush run)\n");
    return 125;
  }
  struct hush_spec spec;
  memset(&spec, 0, sizeof spec);
  int control_fd = (int)number(argv[1]);
  spec.uid = (uid_t)number(argv[2]);
  spec.gid = (gid_t)number(argv[3]);
  spec.argv = argv + 6;
  spec.envp = environ;
  spec.path_env = getenv("PATH");
  spec.use_init = 1;
  if (hush_read_confinement((int)number(argv[4]), &hardening) < 0) {
    fprintf(stderr, "hush-init: no confinement record on CONFINEMENT_FD (hush-init is started by hush run)\n");
    return 125;
  }
  spec.hardening = &hardening;
  hush_init_main(&spec, control_fd);
}
