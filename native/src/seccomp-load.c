/* The app's side of seccomp and the order of its last steps. The filter was compiled by the
 * parent (seccomp-build.c); here it is only loaded, once no_new_privs is set and the
 * capabilities are final, so that nothing after it but exec runs under the filter. */
#include "hush.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

int hush_load_filter(const struct hush_hardening *h, int report_fd) {
  if (h->filter_len == 0) return 0;
  struct sock_fprog prog = {(unsigned short)h->filter_len, (struct sock_filter *)h->filter};
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
    hush_report(report_fd, "seccomp", "filter", errno);
    return -1;
  }
  return 0;
}

/* After hush_become_app_user, before exec. */
int hush_confine_app(const struct hush_hardening *h, int report_fd) {
  if (hush_apply_landlock(h->landlock_scopes, report_fd) < 0) return -1;
  return hush_load_filter(h, report_fd);
}
