/* PID 1 of the container (the hush-init executable): starts the app, forwards signals to it,
 * reaps every child (orphans included), restarts the app when the launcher asks, and exits
 * with the app's status (128+N when a signal N killed it). When it exits, the kernel kills
 * whatever is left in the PID namespace. */
#include "hush.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif


/* Restart messages carry the app's new environment; kept here, outside any heap. */
static char control_buf[HUSH_CONTROL_MAX];
static char env_storage[HUSH_CONTROL_MAX];
static char *env_pointers[4096];

/* The app side of a start: a session of its own (its pty as controlling terminal with --tty;
 * ^C at the caller's terminal reaches it through the launcher's forwarding), its identity,
 * open signals, its confinement last, then exec. */
static void app_child(const struct hush_spec *spec, char *const *envp, int report_fd) {
  if (hush_enter_new_session(spec->hardening->tty, report_fd) < 0) _exit(125);
  if (hush_become_app_user(spec, report_fd) < 0) _exit(125);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
  if (hush_confine_app(spec->hardening, report_fd) < 0) _exit(125);
  hush_exec_app(spec->argv, envp, spec->path_env, report_fd);
  _exit(125);
}

/* Starts the app and waits until it has exec'd: returns its pid, or -1 with *failure filled. */
static pid_t start_app(const struct hush_spec *spec, char *const *envp, struct hush_record *failure) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
    hush_record_fill(failure, "socketpair", "app", errno);
    return -1;
  }
  pid_t pid = fork();
  if (pid == 0) {
    close(sv[0]);
    app_child(spec, envp, sv[1]);
  }
  int fork_errno = errno;
  close(sv[1]);
  if (pid < 0) {
    close(sv[0]);
    hush_record_fill(failure, "clone", "app", fork_errno);
    return -1;
  }
  /* The app's end closes on exec (CLOEXEC): EOF means it exec'd, a record that it did not. */
  ssize_t n = HUSH_RETRY(recv(sv[0], failure, sizeof *failure, 0));
  close(sv[0]);
  if (n == (ssize_t)sizeof *failure && failure->type == HUSH_RECORD_ERROR) {
    HUSH_RETRY(waitpid(pid, NULL, 0));
    return -1;
  }
  return pid;
}

static void exit_like(int status) {
  if (WIFEXITED(status)) _exit(WEXITSTATUS(status));
  _exit(128 + WTERMSIG(status));
}

static long monotonic_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Unpacks a restart message into env_pointers. Returns 0, or -1 when it is malformed. */
static int take_restart_env(ssize_t n, const struct hush_control_header *header) {
  if (header->env_bytes < 0 || (ssize_t)sizeof *header + header->env_bytes != n) return -1;
  memcpy(env_storage, control_buf + sizeof *header, (size_t)header->env_bytes);
  size_t count = 0;
  for (int32_t i = 0; i < header->env_bytes;) {
    if (count + 1 >= sizeof env_pointers / sizeof env_pointers[0]) return -1;
    env_pointers[count++] = env_storage + i;
    while (i < header->env_bytes && env_storage[i] != '\0') i++;
    i++;
  }
  env_pointers[count] = NULL;
  return 0;
}

void hush_init_main(const struct hush_spec *spec, int control_fd) {
  struct hush_record record;
  char *const *envp = spec->envp;
  prctl(PR_SET_NAME, "hush-init", 0, 0, 0);
  /* Before the app exists: without CAP_SYS_PTRACE nothing in the container can ptrace init or
   * read its /proc/1/{environ,mem,fd} (the control channel is one of those fds). The app's
   * own exec makes it dumpable again. */
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
    hush_report(control_fd, "prctl", "PR_SET_DUMPABLE", errno);
    _exit(125);
  }

  pid_t app = start_app(spec, envp, &record);
  if (app < 0) {
    hush_send_record(control_fd, &record);
    _exit(125);
  }

  sigset_t watched;
  sigemptyset(&watched);
  sigaddset(&watched, SIGCHLD);
  for (size_t i = 0; i < hush_forwarded_signal_count; i++) sigaddset(&watched, hush_forwarded_signals[i]);
  int sfd = signalfd(-1, &watched, SFD_CLOEXEC);
  if (sfd < 0) {
    kill(app, SIGKILL);
    hush_report(control_fd, "signalfd", "init", errno);
    _exit(125);
  }
  if (hush_drop_init_privileges(spec->hardening, control_fd) < 0) {
    kill(app, SIGKILL);
    _exit(125);
  }
  hush_send_ready(control_fd);

  int restarting = 0;
  long kill_deadline = -1;
  for (;;) {
    struct pollfd fds[2] = {{sfd, POLLIN, 0}, {control_fd, POLLIN, 0}};
    int timeout = -1;
    if (kill_deadline >= 0) {
      long left = kill_deadline - monotonic_ms();
      timeout = left > 0 ? (int)left : 0;
    }
    int ready = poll(fds, 2, timeout);
    if (ready < 0 && errno != EINTR) _exit(125);
    if (kill_deadline >= 0 && monotonic_ms() >= kill_deadline) {
      kill(app, SIGKILL);
      kill_deadline = -1;
    }

    if (fds[0].revents & POLLIN) {
      struct signalfd_siginfo info;
      if (read(sfd, &info, sizeof info) == (ssize_t)sizeof info) {
        if ((int)info.ssi_signo != SIGCHLD) {
          if (app > 0) kill(app, (int)info.ssi_signo);
        } else {
          int status;
          pid_t pid;
          while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            if (pid != app) continue; /* an orphan: reaped, nothing more */
            if (!restarting) exit_like(status);
            restarting = 0;
            kill_deadline = -1;
            app = start_app(spec, envp, &record);
            if (app < 0) {
              hush_send_record(control_fd, &record);
              _exit(125);
            }
            hush_send_ready(control_fd);
          }
        }
      }
    }

    if (fds[1].revents & POLLIN) {
      ssize_t n = HUSH_RETRY(recv(control_fd, control_buf, sizeof control_buf, 0));
      const struct hush_control_header *header = (const struct hush_control_header *)control_buf;
      if (n >= (ssize_t)sizeof *header && header->type == HUSH_CONTROL_RESTART && !restarting &&
          take_restart_env(n, header) == 0) {
        envp = env_pointers;
        restarting = 1;
        kill(app, header->stop_signal > 0 ? header->stop_signal : SIGTERM);
        kill_deadline = monotonic_ms() + (header->timeout_ms > 0 ? header->timeout_ms : 10000);
      }
    } else if (fds[1].revents & (POLLHUP | POLLERR)) {
      /* The launcher is gone; the parent-death signal is on its way. */
      _exit(125);
    }
  }
}
