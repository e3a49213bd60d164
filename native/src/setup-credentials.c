/* Identity and privileges. Raw syscalls only: glibc's setuid family broadcasts to every thread
 * it knows of, and the thread list it knows of is the Node parent's. */
#include "hush.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int fail(int report_fd, const char *syscall, const char *what) {
  hush_report(report_fd, syscall, what, errno);
  return -1;
}

void hush_reset_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++) sigaction(sig, &sa, NULL); /* EINVAL for KILL/STOP: fine */
}

/* An ordinary user's one-line gid map denies setgroups (userns.c): the caller's supplementary
 * groups then stay, shown as nobody's. */
static int may_set_groups(void) {
  char state[8] = "";
  int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 1;
  ssize_t n = read(fd, state, sizeof state - 1);
  close(fd);
  return !(n >= 4 && strncmp(state, "deny", 4) == 0);
}

int hush_become_app_user(const struct hush_spec *spec, int report_fd) {
  const struct hush_hardening *h = spec->hardening;
  if (hush_drop_bounding_except(h->caps_bounding, report_fd) < 0) return -1;
  /* Keep the permitted set across setresuid only when ambient capabilities are to be raised. */
  if (spec->uid != 0 && h->caps_ambient && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return fail(report_fd, "prctl", "keepcaps");
  gid_t groups[1] = {spec->gid};
  if (may_set_groups() && syscall(SYS_setgroups, 1, groups) < 0) return fail(report_fd, "setgroups", "--user");
  if (syscall(SYS_setresgid, spec->gid, spec->gid, spec->gid) < 0) return fail(report_fd, "setresgid", "--user");
  if (syscall(SYS_setresuid, spec->uid, spec->uid, spec->uid) < 0) return fail(report_fd, "setresuid", "--user");
  if (hush_set_app_capabilities(h, spec->uid, report_fd) < 0) return -1;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return fail(report_fd, "prctl", "no_new_privs");
  return 0;
}
