/* Landlock scopes (ABI 6): the app may not connect to abstract unix sockets, nor signal
 * processes, created outside its own Landlock domain. This is what stands between an app on
 * the host network and the host's abstract sockets (D-Bus, X11, systemd's). */
#include "hush.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_restrict_self 446
#endif
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)

/* The ABI 6 layout; the system header may be older. */
struct scoped_ruleset_attr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};

int hush_landlock_abi(void) {
  long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
  return abi < 0 ? 0 : (int)abi;
}

int hush_apply_landlock(uint64_t scopes, int report_fd) {
  if (scopes == 0) return 0;
  struct scoped_ruleset_attr attr = {0, 0, scopes};
  int fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
  if (fd < 0) {
    hush_report(report_fd, "landlock_create_ruleset", "scopes", errno);
    return -1;
  }
  long rc = syscall(SYS_landlock_restrict_self, fd, 0);
  int err = errno;
  close(fd);
  if (rc < 0) {
    hush_report(report_fd, "landlock_restrict_self", "scopes", err);
    return -1;
  }
  return 0;
}
