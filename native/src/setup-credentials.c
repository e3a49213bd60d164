/* Identity and privileges. Raw syscalls only: glibc's setuid family broadcasts to every thread
 * it knows of, and the thread list it knows of is the Node parent's. */
#include "hush.h"

#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The capabilities a root app keeps: the set Docker and podman grant by default. */
static const int default_caps[] = {
    CAP_CHOWN,  CAP_DAC_OVERRIDE, CAP_FOWNER,    CAP_FSETID,     CAP_KILL,
    CAP_SETGID, CAP_SETUID,       CAP_SETPCAP,   CAP_NET_BIND_SERVICE,
    CAP_NET_RAW, CAP_SYS_CHROOT,  CAP_MKNOD,     CAP_AUDIT_WRITE, CAP_SETFCAP,
};

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

/* Keeps exactly the capabilities in `keep` (a bit mask) in the bounding, effective, permitted
 * and inheritable sets. */
static int limit_capabilities(uint64_t keep, int report_fd) {
  for (int cap = 0; cap <= 63; cap++) {
    if (keep & (1ULL << cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) return fail(report_fd, "prctl", "capability bounding set");
  }
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  data[0].effective = data[0].permitted = (uint32_t)keep;
  data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
  if (syscall(SYS_capset, &header, data) < 0) return fail(report_fd, "capset", "capabilities");
  return 0;
}

static uint64_t default_cap_mask(void) {
  uint64_t mask = 0;
  for (size_t i = 0; i < sizeof default_caps / sizeof default_caps[0]; i++) mask |= 1ULL << default_caps[i];
  return mask;
}

/* Init keeps what it needs to start the app again as its user: the default set. */
int hush_drop_init_privileges(int report_fd) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return fail(report_fd, "prctl", "no_new_privs");
  return limit_capabilities(default_cap_mask(), report_fd);
}

int hush_become_app_user(const struct hush_spec *spec, int report_fd) {
  uint64_t keep = spec->uid == 0 ? default_cap_mask() : 0;
  /* The bounding set first: dropping from it needs CAP_SETPCAP, which setresuid takes away. */
  for (int cap = 0; cap <= 63; cap++) {
    if (keep & (1ULL << cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) return fail(report_fd, "prctl", "capability bounding set");
  }
  gid_t groups[1] = {spec->gid};
  if (syscall(SYS_setgroups, 1, groups) < 0) return fail(report_fd, "setgroups", "--user");
  if (syscall(SYS_setresgid, spec->gid, spec->gid, spec->gid) < 0) return fail(report_fd, "setresgid", "--user");
  if (syscall(SYS_setresuid, spec->uid, spec->uid, spec->uid) < 0) return fail(report_fd, "setresuid", "--user");
  if (spec->uid == 0 && limit_capabilities(keep, report_fd) < 0) return -1;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return fail(report_fd, "prctl", "no_new_privs");
  return 0;
}
