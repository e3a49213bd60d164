/* clone into new namespaces, set the child up, exec (or become init). The parent blocks every
 * signal around clone so that the child starts with none delivered to Node's handlers; the
 * child resets all handlers before it unblocks anything.
 *
 * Sync points on the error channel (a CLOEXEC SOCK_SEQPACKET pair):
 *   child → parent  ERROR record       a setup step failed; the child exits 125
 *   child → parent  READY record       (init) the app has exec'd
 *   EOF                                (no init) exec succeeded, or the child died
 */
#include "hush.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

long hush_clone3(uint64_t flags, int *pidfd) {
  struct clone_args args;
  memset(&args, 0, sizeof args);
  args.flags = flags;
  args.pidfd = (uint64_t)(uintptr_t)pidfd;
  args.exit_signal = SIGCHLD;
  return syscall(SYS_clone3, &args, sizeof args);
}

/* True when the launcher has already gone (its end of the channel is closed). */
static int parent_gone(int fd) {
  struct pollfd p = {fd, 0, 0};
  return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR));
}

static void child_main(const struct hush_spec *spec, int fd) __attribute__((noreturn));
static void child_main(const struct hush_spec *spec, int fd) {
  hush_reset_signals();
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || parent_gone(fd)) _exit(125);
  mode_t saved_umask = umask(0);
  if (spec->net_none && hush_bring_up_loopback(fd) < 0) _exit(125);
  if (hush_setup_mounts(spec, fd) < 0) _exit(125);
  if (sethostname(spec->hostname, strlen(spec->hostname)) < 0) {
    hush_report(fd, "sethostname", spec->hostname, errno);
    _exit(125);
  }
  if (chdir(spec->workdir) < 0) {
    hush_report(fd, "chdir", spec->workdir, errno);
    _exit(125);
  }
  umask(saved_umask);

  /* Nothing of the Node parent's descriptors may reach the app. */
  if (fd > 3) syscall(SYS_close_range, 3, fd - 1, 0);
  syscall(SYS_close_range, fd + 1, ~0U, 0);
  /* Node marks its stdio close-on-exec; the app inherits stdin, stdout and stderr. */
  for (int stdio = 0; stdio <= 2; stdio++) fcntl(stdio, F_SETFD, 0);

  if (spec->use_init) hush_init_main(spec, fd);

  if (setpgid(0, 0) == 0 && isatty(STDIN_FILENO)) tcsetpgrp(STDIN_FILENO, getpid());
  if (hush_become_app_user(spec, fd) < 0) _exit(125);
  /* Changing credentials cleared the parent-death signal: set it again. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || parent_gone(fd)) _exit(125);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  hush_exec_app(spec->argv, spec->envp, spec->path_env, fd);
  _exit(125);
}

static void set_failure(struct hush_spawn_result *out, const char *syscall, int err) {
  memset(&out->failure, 0, sizeof out->failure);
  out->failure.type = HUSH_RECORD_ERROR;
  out->failure.err = err;
  hush_strlcpy(out->failure.syscall, syscall, sizeof out->failure.syscall);
}

int hush_spawn(const struct hush_spec *spec, struct hush_spawn_result *out) {
  memset(out, 0, sizeof *out);
  out->pidfd = out->control_fd = -1;

  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
    set_failure(out, "socketpair", errno);
    return -1;
  }
  /* A child stuck in setup (a hung mount) must not hang the launcher forever. */
  struct timeval timeout = {30, 0};
  setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);

  uint64_t flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_PIDFD;
  if (spec->net_none) flags |= CLONE_NEWNET;

  sigset_t all, saved;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &saved);
  int pidfd = -1;
  pid_t pid = (pid_t)hush_clone3(flags, &pidfd);
  if (pid == 0) {
    close(sv[0]);
    child_main(spec, sv[1]);
  }
  int clone_errno = errno;
  pthread_sigmask(SIG_SETMASK, &saved, NULL);
  close(sv[1]);
  if (pid < 0) {
    close(sv[0]);
    set_failure(out, "clone3", clone_errno);
    return -1;
  }

  struct hush_record record;
  ssize_t n;
  do {
    n = recv(sv[0], &record, sizeof record, 0);
  } while (n < 0 && errno == EINTR);

  int ok;
  if (n == (ssize_t)sizeof record && record.type == HUSH_RECORD_ERROR) {
    out->failure = record;
    ok = 0;
  } else if (n == (ssize_t)sizeof record && record.type == HUSH_RECORD_READY) {
    ok = spec->use_init;
  } else if (n == 0) {
    /* Without init, EOF means exec closed the child's end. With init, init died early. */
    ok = !spec->use_init;
    if (!ok) set_failure(out, "init", EPIPE);
  } else {
    set_failure(out, n < 0 ? "recv" : "init", n < 0 ? errno : EPROTO);
    ok = 0;
  }

  if (!ok) {
    kill(pid, SIGKILL);
    siginfo_t info;
    syscall(SYS_waitid, P_PIDFD, pidfd, &info, WEXITED, NULL);
    close(pidfd);
    close(sv[0]);
    return -1;
  }
  out->pid = pid;
  out->pidfd = pidfd;
  if (spec->use_init) {
    out->control_fd = sv[0];
  } else {
    close(sv[0]);
  }
  return 0;
}
