/* The capability sets, as podman sets them: a root app gets the bounding set as its effective
 * and permitted sets; a non-root app gets only the capabilities added with --cap-add, raised
 * as ambient so that they survive exec without file capabilities. Raw syscalls only (see
 * setup-credentials.c). */
#include "hush.h"

#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CAP_BIT(cap) (1ULL << (cap))

static int fail(int report_fd, const char *syscall, const char *what) {
  hush_report(report_fd, syscall, what, errno);
  return -1;
}

/* Dropping from the bounding set needs CAP_SETPCAP: do it before the identity changes. */
int hush_drop_bounding_except(uint64_t keep, int report_fd) {
  for (int cap = 0; cap <= 63; cap++) {
    if (keep & CAP_BIT(cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) return fail(report_fd, "prctl", "capability bounding set");
  }
  return 0;
}

static int set_sets(uint64_t effective, uint64_t permitted, uint64_t inheritable, int report_fd) {
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  data[0].effective = (uint32_t)effective;
  data[1].effective = (uint32_t)(effective >> 32);
  data[0].permitted = (uint32_t)permitted;
  data[1].permitted = (uint32_t)(permitted >> 32);
  data[0].inheritable = (uint32_t)inheritable;
  data[1].inheritable = (uint32_t)(inheritable >> 32);
  if (syscall(SYS_capset, &header, data) < 0) return fail(report_fd, "capset", "capabilities");
  return 0;
}

uint64_t hush_init_capabilities(const struct hush_hardening *h) {
  return h->caps_bounding | CAP_BIT(CAP_SETUID) | CAP_BIT(CAP_SETGID) | CAP_BIT(CAP_SETPCAP);
}

int hush_drop_init_privileges(const struct hush_hardening *h, int report_fd) {
  uint64_t keep = hush_init_capabilities(h);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return fail(report_fd, "prctl", "no_new_privs");
  if (hush_drop_bounding_except(keep, report_fd) < 0) return -1;
  return set_sets(keep, keep, 0, report_fd);
}

int hush_set_app_capabilities(const struct hush_hardening *h, uid_t uid, int report_fd) {
  if (uid == 0) return set_sets(h->caps_bounding, h->caps_bounding, 0, report_fd);
  uint64_t ambient = h->caps_ambient & h->caps_bounding;
  if (set_sets(ambient, ambient, ambient, report_fd) < 0) return -1;
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) return fail(report_fd, "prctl", "keepcaps");
  for (int cap = 0; cap <= 63; cap++) {
    if (!(ambient & CAP_BIT(cap))) continue;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0) return fail(report_fd, "prctl", "ambient capabilities");
  }
  return 0;
}
