/* A fresh session keyring, as runc gives each container: the app no longer possesses the keys
 * reachable from the caller's session keyring (the default one links the user keyring), so
 * the possessor permissions on them no longer apply to it. */
#include "hush.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEYCTL_JOIN_SESSION_KEYRING 1

int hush_join_fresh_keyring(int report_fd) {
  /* A NULL name makes a new anonymous keyring that nobody else can join by name. */
  if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, (char *)0) < 0) {
    /* ENOSYS: a kernel without keys, so there is nothing to isolate. */
    if (errno == ENOSYS) return 0;
    hush_report(report_fd, "keyctl", "session keyring", errno);
    return -1;
  }
  return 0;
}
