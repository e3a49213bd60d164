/* The terminal. The app always runs in a session of its own, so the caller's terminal is never
 * its controlling terminal (no TIOCSTI into it, no job control over it). With --tty its
 * stdio is a pty of the container's own devpts, whose master the launcher relays. */
#include "hush.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int fail(int report_fd, const char *syscall, const char *what) {
  hush_report(report_fd, syscall, what, errno);
  return -1;
}

/* Sends the master to the parent as a HUSH_RECORD_PTY record carrying it by SCM_RIGHTS. */
static int send_master(int report_fd, int master) {
  return hush_send_record_fd(report_fd, HUSH_RECORD_PTY, 0, master);
}

/* In the container, after pivot_root: /dev/ptmx is its own devpts instance. */
int hush_open_container_pty(const struct hush_hardening *h, int report_fd) {
  int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) return fail(report_fd, "open", "/dev/ptmx");
  int unlock = 0;
  int slave = -1;
  struct winsize size = {h->tty_rows, h->tty_columns, 0, 0};
  if (ioctl(master, TIOCSPTLCK, &unlock) == 0 && ioctl(master, TIOCSWINSZ, &size) == 0)
    slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
  if (slave < 0) {
    int err = errno;
    close(master);
    errno = err;
    return fail(report_fd, "ioctl", "pty");
  }
  for (int fd = 0; fd <= 2; fd++) {
    if (dup2(slave, fd) < 0) {
      close(master);
      return fail(report_fd, "dup2", "pty");
    }
  }
  if (slave > 2) close(slave);
  int rc = send_master(report_fd, master);
  int err = errno;
  close(master);
  errno = err;
  return rc < 0 ? fail(report_fd, "sendmsg", "pty") : 0;
}

/* setsid, then (with --tty) take stdin, the pty slave, as the controlling terminal. */
int hush_enter_new_session(int tty, int report_fd) {
  if (setsid() < 0) return fail(report_fd, "setsid", "session");
  if (tty && ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0) return fail(report_fd, "ioctl", "controlling terminal");
  return 0;
}
